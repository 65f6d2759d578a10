"""The treasurer's phone-first meeting capture: its state, its page, its offline client."""
