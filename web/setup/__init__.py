"""Starting a fund: create it with its first constitution and members, opening balances from
paper, members and committee roles, and fund books in and out."""
