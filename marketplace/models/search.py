"""Full-text search documents: one expression per searchable table, used both by its GIN
index (PostgreSQL only) and by the query, so the planner matches them and uses the index.
Constants are literal SQL (not bound parameters) for the same reason."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Index, func, literal_column

from marketplace.models.campaign import Campaign
from marketplace.models.creator import CreatorProfile

LANGUAGE = literal_column("'english'::regconfig")


def _joined(*columns) -> ColumnElement:
    blank, space = literal_column("''"), literal_column("' '")
    parts = [func.coalesce(c, blank) for c in columns]
    doc = parts[0]
    for part in parts[1:]:
        doc = doc.op("||")(space).op("||")(part)
    return doc


def creator_document() -> ColumnElement:
    c = CreatorProfile.__table__.c
    return func.to_tsvector(LANGUAGE, _joined(c.display_name, c.handle, c.bio))


def campaign_document() -> ColumnElement:
    c = Campaign.__table__.c
    return func.to_tsvector(LANGUAGE, _joined(c.title, c.brief))


def web_query(text: str) -> ColumnElement:
    """What a person typed, as a tsquery (quotes, OR and -word work; never a syntax error)."""
    return func.websearch_to_tsquery(LANGUAGE, text)


def prefix_query(text: str) -> ColumnElement | None:
    """Every typed word as a prefix (`word:*`, all required); None when no word is left.
    Only letters and digits reach to_tsquery, so its syntax can never be broken."""
    words = re.findall(r"[^\W_]+", text)[:8]
    if not words:
        return None
    return func.to_tsquery(LANGUAGE, " & ".join(f"{w}:*" for w in words))


for _table, _name, _document in (
        (CreatorProfile.__table__, "ix_creator_profiles_search", creator_document()),
        (Campaign.__table__, "ix_campaigns_search", campaign_document())):
    _table.append_constraint(
        Index(_name, _document, postgresql_using="gin").ddl_if(dialect="postgresql"))
