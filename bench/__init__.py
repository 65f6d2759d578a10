"""Benchmarks of Sandogh's core, run by ``sandogh bench …``; imports only ``ledger``.

Figures are measured, never asserted: the tests only check that a run completes
and reports every figure (see ARCHITECTURE.md, Tests).
"""
