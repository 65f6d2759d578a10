"""Accounts: users, their roles and facilitator assignments; login, logout, passwords."""
