"""Placement: workshops and employers, jobs, self-employment, follow-ups at 3 and 6 months."""
