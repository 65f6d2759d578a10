"""Reports on the web: the facilitator's dashboard, document views with their files, batch print.

Thin views over ``reports/``: each document is built by its ``reports`` function and
shown as a page (``reports/document.html``) or sent as PDF, CSV or XLSX
(``download``); who may see what is decided by ``web.access`` as for the fund's
other pages. ``routes.bp`` is the blueprint; ``models`` holds the print jobs' table.
"""
