"""The meeting sheet, a meeting's page and reopening the last meeting."""
