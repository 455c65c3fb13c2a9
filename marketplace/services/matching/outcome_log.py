"""Write to the matching outcome log. Callers add to the session; their commit saves it, so
the outcome is recorded exactly when the action it describes is."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models.matching import MatchEvent, MatchEventKind


def record(campaign_id: int, creator_id: int, event: str | MatchEventKind,
           position: int | None = None, surface: str | None = None) -> MatchEvent:
    """Stage one outcome row in the current session (no commit)."""
    row = MatchEvent(campaign_id=campaign_id, creator_id=creator_id,
                     event=MatchEventKind(event), position=position, surface=surface)
    db.session.add(row)
    return row


def record_impressions(campaign_creator_pairs: list[tuple[int, int]], surface: str,
                       scores: list[float] | None = None) -> None:
    """Log a list shown to someone, with 1-based positions and the raw model scores (people
    see a 0-100 fit; the log keeps what the model said), and commit."""
    scores = list(scores) if scores is not None else [None] * len(campaign_creator_pairs)
    db.session.add_all(
        MatchEvent(campaign_id=campaign_id, creator_id=creator_id, event=MatchEventKind.SHOWN,
                   position=pos, surface=surface, score=score)
        for pos, ((campaign_id, creator_id), score) in enumerate(
            zip(campaign_creator_pairs, scores, strict=True), start=1)
    )
    db.session.commit()
