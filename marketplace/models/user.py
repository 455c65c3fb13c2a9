"""Accounts: one row per person, whatever their role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.brand import BrandProfile
    from marketplace.models.creator import CreatorProfile


class Role(enum.StrEnum):
    BRAND = "brand"
    CREATOR = "creator"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Changing the password rotates this, which logs out remembered sessions elsewhere.
    session_token: Mapped[str] = mapped_column(String(64))

    creator: Mapped[CreatorProfile | None] = relationship(back_populates="user", uselist=False)
    brand: Mapped[BrandProfile | None] = relationship(back_populates="user", uselist=False)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_brand(self) -> bool:
        return self.role == Role.BRAND

    @property
    def is_creator(self) -> bool:
        return self.role == Role.CREATOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
