"""The programme register: one record per woman, gathered from many agencies."""
