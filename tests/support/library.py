"""Builders for the library, hire-again and dashboard tests: delivered deals (approved work
with real stored draft files), and a SQL statement counter for query budgets."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image
from sqlalchemy import event

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, Submission
from marketplace.services.deals import files as deal_files
from tests.support.deals import make_deal

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def png_bytes(colour=(200, 80, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 10), colour).save(out, format="PNG")
    return out.getvalue()


def store(data: bytes) -> tuple[str, str]:
    """Store a draft the way an upload is stored; returns (name, mimetype)."""
    return deal_files.store_draft(io.BytesIO(data), 10 * 1024 * 1024)


def delivered(brand, creator, *, campaign=None, usage: str = "paid_30",
              approved_at: datetime | None = None, state: str = "completed",
              platform: str = "tiktok", file: bytes | None = b"png", takes: int = 1,
              caption: str = "Morning routine with @glow #ad", price_cents: int = 40000) -> Deal:
    """A deal whose content the brand approved: `takes` submissions (the last one is the
    library item), each with a stored draft unless file is None."""
    approved_at = approved_at or utcnow() - timedelta(days=1)
    deal = make_deal(brand, creator, campaign=campaign, state=state, usage_rights=usage,
                     approved_at=approved_at, submitted_at=approved_at - timedelta(hours=5),
                     funded_at=approved_at - timedelta(days=3), price_cents=price_cents,
                     deliverables=[{"platform": platform, "deliverable_type": "short_video",
                                    "quantity": 1}])
    for number in range(1, takes + 1):
        name = mimetype = None
        if file is not None:
            name, mimetype = store(png_bytes() if file == b"png" else file)
        db.session.add(Submission(
            deal_id=deal.id, number=number, caption=f"{caption} (take {number})",
            post_links=[f"https://www.{platform}.com/@{creator.handle}/video/{deal.id}{number}"],
            draft_file=name, draft_mimetype=mimetype,
            created_at=approved_at - timedelta(hours=takes - number + 1)))
    db.session.commit()
    return deal


class QueryCounter:
    """Counts the SQL statements run on `engine` inside the with-block."""

    def __init__(self, engine):
        self.engine, self.count, self.statements = engine, 0, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, conn, cursor, statement, *args):
        self.count += 1
        self.statements.append(statement)


def count_queries(client, url: str) -> int:
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count
