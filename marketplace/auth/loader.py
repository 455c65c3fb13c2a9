"""flask-login user loader: the session id carries a token that a password change rotates."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import User


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user
