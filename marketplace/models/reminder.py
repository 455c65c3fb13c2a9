"""What the reminder job has already sent, so each reminder goes out exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class DealReminder(db.Model):
    """One sent reminder about one deadline of one deal. The deadline itself is part of the
    key: when the brand moves the due date, the new date gets reminders of its own, while
    running the job twice (or two runners at once) can never insert the same row twice."""

    __tablename__ = "deal_reminders"
    __table_args__ = (UniqueConstraint("deal_id", "kind", "deadline",
                                       name="uq_deal_reminders_deal_kind_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    # content_due_soon | content_late | review_closing | review_window_closing
    kind: Mapped[str] = mapped_column(String(32))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
