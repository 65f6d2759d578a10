"""Training screens: courses, their sessions with attendance, completions."""
