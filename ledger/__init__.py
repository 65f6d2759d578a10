"""The double-entry core: accounts, entries and postings, and the only code that writes them.

Imports only the standard library and SQLAlchemy (see ARCHITECTURE.md).
"""
