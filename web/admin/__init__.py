"""Administration: users, their roles and funds, and facilitator assignments."""
