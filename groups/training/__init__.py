"""Training: courses, sessions, attendance and completion, for women and facilitators."""
