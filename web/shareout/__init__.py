"""Share-out: preview, confirm, the frozen result; then the next cycle."""
