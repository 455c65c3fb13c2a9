"""The outcome log the ranker learns from: impressions and what people did with them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class MatchEventKind(enum.StrEnum):
    SHOWN = "shown"
    INVITED = "invited"
    APPLIED = "applied"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    COMPLETED = "completed"


class MatchEvent(db.Model):
    __tablename__ = "match_events"
    __table_args__ = (Index("ix_match_events_pair", "campaign_id", "creator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[MatchEventKind] = mapped_column(Enum(MatchEventKind, native_enum=False,
                                                       length=16))
    position: Mapped[int | None] = mapped_column(Integer)
    # Where the impression was shown: "campaign_top_matches" or "creator_for_you".
    surface: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
