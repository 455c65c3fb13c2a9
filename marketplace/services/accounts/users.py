"""Sign-up, credentials and admin creation."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import Role, User
from marketplace.services.errors import Conflict, DomainError

MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Use at least {MIN_PASSWORD} characters.", field="password")


def create_user(email: str, password: str, role: Role) -> User:
    """Create an account; the email is unique regardless of case."""
    email = normalise_email(email)
    _check_password_rules(password)
    if find_user_by_email(email):
        raise Conflict("An account with this email already exists.", field="email")
    user = User(email=email, role=Role(role), session_token=secrets.token_hex(16))
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # two sign-ups racing for one email
        db.session.rollback()
        raise Conflict("An account with this email already exists.", field="email") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.check_password(password):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError("Your current password is not right.", field="current_password")
    _check_password_rules(new)
    user.set_password(new)
    user.session_token = secrets.token_hex(16)  # remembered sessions elsewhere end
    db.session.commit()


def change_email(user: User, password: str, new_email: str) -> None:
    if not user.check_password(password):
        raise DomainError("Your password is not right.", field="password")
    new_email = normalise_email(new_email)
    existing = find_user_by_email(new_email)
    if existing is not None and existing.id != user.id:
        raise Conflict("An account with this email already exists.", field="email")
    user.email = new_email
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("An account with this email already exists.", field="email") from exc


def create_admin(email: str, password: str) -> User:
    existing = find_user_by_email(email)
    if existing is not None:
        _check_password_rules(password)
        existing.role = Role.ADMIN
        existing.set_password(password)
        db.session.commit()
        return existing
    return create_user(email, password, Role.ADMIN)
