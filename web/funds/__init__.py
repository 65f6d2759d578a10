"""Read screens of a fund: the fund, a member's passbook, a loan; summaries for home pages."""
