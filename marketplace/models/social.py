"""A creator's platform account connected by OAuth: the verified handle and its tokens.

Tokens are stored only encrypted (Fernet, `services/platforms/tokens.py`); the columns hold
ciphertext. One row per creator and platform: disconnecting keeps the row (revoked_at set,
tokens wiped) so reconnecting updates it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db
from marketplace.models.creator import CreatorProfile


class SocialAccount(db.Model):
    __tablename__ = "social_accounts"
    __table_args__ = (
        UniqueConstraint("creator_id", "platform"),
        Index("ix_social_accounts_platform_user", "platform", "platform_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    handle: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    followers: Mapped[int | None] = mapped_column(Integer)
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scopes: Mapped[str] = mapped_column(String(500), default="")
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the platform refused the token (expired, revoked there): reconnect needed.
    needs_reconnect_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    creator: Mapped[CreatorProfile] = relationship()

    @property
    def connected(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<SocialAccount {self.platform} @{self.handle}>"
