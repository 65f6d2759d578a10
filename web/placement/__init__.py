"""Placement screens: workshops and employers, placements, follow-ups at 3 and 6 months."""
