"""Files sent to the browser: content types and Persian-safe names (RFC 6266 / RFC 5987).

A name like «صورت‌حساب - آمنه.pdf» goes in ``filename*=UTF-8''…`` (percent-encoded
UTF-8), with a plain ASCII ``filename="…"`` for old clients; characters a file
system refuses (``/ \\ : * ? " < > |`` and controls) become ``-``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Formats a document view can send.
FORMATS = tuple(CONTENT_TYPES)
UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text: str) -> str:
    """Return text fit for a file name: unsafe characters replaced, spaces trimmed."""
    return re.sub(r"\s+", " ", UNSAFE.sub("-", text)).strip(" .-") or "sandogh"


def content_disposition(name: str, fallback: str, inline: bool = False) -> str:
    """Return a Content-Disposition header with the UTF-8 name and an ASCII fallback."""
    ascii_name = safe_name(fallback.encode("ascii", "ignore").decode("ascii"))
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe_name(name), safe='')}"


def attachment(data: bytes, fmt: str, name: str, fallback: str) -> Response:
    """Return a file response: PDFs open in the browser (to print), spreadsheets download."""
    response = Response(data, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = content_disposition(
        f"{name}.{fmt}", f"{fallback}.{fmt}", inline=fmt == "pdf"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
