"""The outcome log the ranker learns from: impressions and what people did with them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, String
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
    __table_args__ = (Index("ix_match_events_pair", "campaign_id", "creator_id"),
                      Index("ix_match_events_viewer", "viewer_id", "surface", "created_at"))

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
    # The raw model score of a "shown" pair (people see a 0-100 fit; this stays for audits).
    score: Mapped[float | None] = mapped_column(Float)
    # Who was shown the list (impressions only): a reload within the window counts once.
    viewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class MatcherVersion(db.Model):
    """A saved model file. Every web worker loads the newest row's file (the version stamp)."""

    __tablename__ = "matcher_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(120))
    # Index changes up to this id are already inside the saved model.
    last_change_id: Mapped[int] = mapped_column(Integer, default=0)
    n_creators: Mapped[int] = mapped_column(Integer, default=0)
    n_campaigns: Mapped[int] = mapped_column(Integer, default=0)
    n_outcomes: Mapped[int] = mapped_column(Integer, default=0)
    learned: Mapped[bool] = mapped_column(default=False)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IndexChange(db.Model):
    """A creator or campaign that changed since a model was saved; workers replay these."""

    __tablename__ = "index_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "creator" | "campaign"
    entity_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HiddenCreator(db.Model):
    """A brand chose not to see this creator in its matches."""

    __tablename__ = "hidden_creators"

    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
