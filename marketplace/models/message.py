"""Conversations between one brand and one creator, their messages and per-user read marks."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db
from marketplace.models.user import User

MAX_BODY = 5000


class MessageKind(enum.StrEnum):
    TEXT = "text"
    SYSTEM = "system"


class Conversation(db.Model):
    """Exactly one per brand-creator pair; every campaign and deal between them shares it."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("brand_user_id", "creator_user_id", name="uq_conversations_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                               index=True)
    creator_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Updated with every message so the inbox sorts by activity with one indexed column.
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The newest message, kept beside its time so each inbox line joins it by primary key
    # (no per-conversation "latest" lookup). No foreign key: messages already point here.
    last_message_id: Mapped[int | None] = mapped_column(Integer)

    brand_user: Mapped[User] = relationship(foreign_keys=[brand_user_id])
    creator_user: Mapped[User] = relationship(foreign_keys=[creator_user_id])
    members: Mapped[list[ConversationMember]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan"
    )
    last_message: Mapped[Message | None] = relationship(
        primaryjoin="foreign(Conversation.last_message_id) == Message.id", viewonly=True)

    def has_party(self, user_id: int) -> bool:
        return user_id in (self.brand_user_id, self.creator_user_id)

    def other_user(self, user_id: int) -> User:
        return self.creator_user if user_id == self.brand_user_id else self.brand_user

    def __repr__(self) -> str:
        return f"<Conversation {self.id} brand={self.brand_user_id} creator={self.creator_user_id}>"


class ConversationMember(db.Model):
    """Where one party has read up to; unread = later messages from someone else."""

    __tablename__ = "conversation_members"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)

    conversation: Mapped[Conversation] = relationship(back_populates="members")


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # A double-submitted form carries the same token, so it can only make one row.
        UniqueConstraint("conversation_id", "client_token", name="uq_messages_client_token"),
        CheckConstraint(f"length(body) <= {MAX_BODY}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # NULL for system messages written by the platform.
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[MessageKind] = mapped_column(Enum(MessageKind, native_enum=False, length=8),
                                              default=MessageKind.TEXT)
    body: Mapped[str] = mapped_column(Text, default="")
    attachment_path: Mapped[str | None] = mapped_column(String(80))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_mime: Mapped[str | None] = mapped_column(String(40))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"),
                                                index=True)
    client_token: Mapped[str | None] = mapped_column(String(36))
    # Set when the body shares an e-mail address or phone number before any deal is funded.
    contact_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sender: Mapped[User | None] = relationship()

    @property
    def is_system(self) -> bool:
        return self.kind == MessageKind.SYSTEM

    def __repr__(self) -> str:
        return f"<Message {self.id} in {self.conversation_id}>"
