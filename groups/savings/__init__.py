"""Savings funds: constitution, members, meetings, loans, guarantees, share-out."""
