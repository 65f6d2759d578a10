"""Statement and KPI data objects and their rendering (PDF, CSV, XLSX); no Flask."""
