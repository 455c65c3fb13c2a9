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


def record_impressions(campaign_creator_pairs: list[tuple[int, int]], surface: str) -> None:
    """Log a list shown to someone, with 1-based positions, and commit."""
    db.session.add_all(
        MatchEvent(campaign_id=campaign_id, creator_id=creator_id, event=MatchEventKind.SHOWN,
                   position=pos, surface=surface)
        for pos, (campaign_id, creator_id) in enumerate(campaign_creator_pairs, start=1)
    )
    db.session.commit()
