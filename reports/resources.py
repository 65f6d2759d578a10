"""What a PDF may read while WeasyPrint lays it out: the packaged fonts and inline SVG charts.

WeasyPrint's own URL fetcher opens any ``file:``, ``http:``, ``https:``, ``ftp:`` or
``data:`` URL a page names, and ``<link rel="attachment">`` or ``<a rel="attachment">``
embeds what it reads in the PDF. A fund's name printed into a page would then be
enough to attach a server file (the secret key) to a statement. The templates escape
every value (``reports.render``), and on top of that the fetcher given to WeasyPrint
serves only:

- the font files of ``reports.fonts.font_files()``, named by their exact ``file:`` URL;
- ``data:image/svg+xml;base64,…`` (the visit report's charts, ``reports.visit.data_uri``).

Everything else is refused (WeasyPrint logs a warning and leaves the resource out),
and ``strip_attachments`` removes any attachment a page still declares: the
documents attach nothing.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reports import fonts

log = logging.getLogger(__name__)

#: The one data: URL prefix the templates use (SVG charts of the visit report).
SVG_DATA = "data:image/svg+xml;base64,"


class RefusedResource(ValueError):
    """Raised when a page asks for a URL that is not a packaged font or an inline chart."""


def allowed_files() -> dict[Path, str]:
    """Return the files a PDF may read, resolved, with their content type."""
    return {path.resolve(): "font/ttf" for path in fonts.font_files().values()}


def local_path(url: str) -> Path | None:
    """Return the resolved path of a ``file:`` URL without host, query or fragment, else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(unquote(parts.path)).resolve()


def read_allowed(url: str) -> tuple[bytes, str]:
    """Return the body and content type of an allowed URL; raise RefusedResource otherwise."""
    if url.startswith(SVG_DATA):
        try:
            return base64.b64decode(url[len(SVG_DATA) :], validate=True), "image/svg+xml"
        except binascii.Error as error:
            raise RefusedResource("a chart that is not base64") from error
    path = local_path(url)
    content_type = allowed_files().get(path) if path is not None else None
    if path is None or content_type is None:
        log.warning("Refused a resource asked for by a PDF page: %.80s", url)
        raise RefusedResource(f"not a packaged font or chart: {url[:80]}")
    return path.read_bytes(), content_type


def url_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher that serves only ``read_allowed`` URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackagedOnly(URLFetcher):  # type: ignore[misc]
        """Serves the packaged fonts and inline charts; never the network or another file."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            body, content_type = read_allowed(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return PackagedOnly()


def strip_attachments(document: Any) -> Any:
    """Return a laid-out WeasyPrint document without attachments (the documents attach none)."""
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    return document
