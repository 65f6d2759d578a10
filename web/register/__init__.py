"""The programme register's screens: search, a woman's record, import, de-duplication, report."""
