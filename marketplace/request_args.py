"""Query-string values that every list page reads the same way."""

from __future__ import annotations

from flask import request

from marketplace.pagination import MAX_PAGE


def page_number() -> int:
    """The `?page=` number: junk, zero, negative or beyond `MAX_PAGE` gives page 1, never a
    database error (an offset past PostgreSQL's bigint was a 500)."""
    raw = request.args.get("page", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return 1
    page = int(raw)
    return page if 1 <= page <= MAX_PAGE else 1
