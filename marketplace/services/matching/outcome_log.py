"""Write to the matching outcome log. Callers add to the session; their commit saves it, so
the outcome is recorded exactly when the action it describes is. Impressions are the
exception: pages note them and `record_impressions` writes them after the response, on a
session of its own (a plain function, so a job queue can run it as a task)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.matching import MatchEvent, MatchEventKind

DEFAULT_WINDOW = timedelta(minutes=30)


def record(campaign_id: int, creator_id: int, event: str | MatchEventKind,
           position: int | None = None, surface: str | None = None) -> MatchEvent:
    """Stage one outcome row in the current session (no commit)."""
    row = MatchEvent(campaign_id=campaign_id, creator_id=creator_id,
                     event=MatchEventKind(event), position=position, surface=surface)
    db.session.add(row)
    return row


def record_impressions(pairs: list[tuple[int, int]], surface: str, viewer_id: int,
                       window: timedelta = DEFAULT_WINDOW,
                       scores: list[float] | None = None) -> int:
    """Log a list of (campaign id, creator id) shown to `viewer_id`, with 1-based positions,
    and commit on a session of its own (never the page's). A pair this viewer already saw on
    this surface within `window` is not logged again, so reloads do not become training data.
    The raw model scores (people see a 0-100 fit) are kept beside the positions.
    Returns the number of rows written."""
    if not pairs:
        return 0
    with Session(db.engine) as session:
        seen = {tuple(row) for row in session.execute(
            select(MatchEvent.campaign_id, MatchEvent.creator_id).where(
                MatchEvent.viewer_id == viewer_id, MatchEvent.surface == surface,
                MatchEvent.event == MatchEventKind.SHOWN,
                MatchEvent.created_at >= utcnow() - window,
                tuple_(MatchEvent.campaign_id, MatchEvent.creator_id).in_(pairs)))}
        scores = list(scores) if scores is not None else [None] * len(pairs)
        rows = [MatchEvent(campaign_id=campaign_id, creator_id=creator_id,
                           event=MatchEventKind.SHOWN, position=pos, surface=surface,
                           viewer_id=viewer_id, score=score)
                for pos, ((campaign_id, creator_id), score) in enumerate(
                    zip(pairs, scores, strict=True), start=1)
                if (campaign_id, creator_id) not in seen]
        session.add_all(rows)
        session.commit()
    return len(rows)
