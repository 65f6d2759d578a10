"""The community side: savings funds, beneficiaries, training, placement. No Flask."""
