"""A page of a list read by statements built once per process.

Flask-SQLAlchemy's `db.paginate` builds the page's LIMIT/OFFSET statement and a count
around it on every request; on the busiest lists that building cost more than running
them. `BoundPage` runs statements the caller built once, with the page's numbers as bound
parameters, and is a Flask-SQLAlchemy `Pagination`, so `pager()` in the templates works
unchanged. It skips the count when the page itself shows where the list ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Executable

from marketplace.extensions import db

# The last page number a list answers (`request_args.page_number`; the directories too):
# enough for any real list, and its offset stays far inside PostgreSQL's bigint.
MAX_PAGE = 10_000


class BoundPage(Pagination):
    """Made by `bound_page`: `items_statement` has `:limit` and `:offset` bound parameters
    and its rows are the page's items; `count_statement` gives the list's length; `params`
    are the other bound parameters of both."""

    def _query_items(self) -> list[Any]:
        args = self._query_args
        return list(db.session.execute(args["items_statement"], {
            **args["params"], "limit": self.per_page, "offset": self._query_offset}).unique())

    def _query_count(self) -> int:
        # A page that is not full and not empty is the last one: the total is known.
        if len(self.items) < self.per_page and (self.items or self.page == 1):
            return self._query_offset + len(self.items)
        args = self._query_args
        return int(db.session.scalar(args["count_statement"], args["params"]) or 0)


def bound_page(items: Executable, count: Executable, params: Mapping[str, Any], *,
               page: int, per_page: int, error_out: bool = False) -> BoundPage:
    """The page `page` (from 1; past the end: empty, as `db.paginate(error_out=False)`)."""
    return BoundPage(page=page, per_page=per_page, error_out=error_out,
                     items_statement=items, count_statement=count, params=dict(params))
