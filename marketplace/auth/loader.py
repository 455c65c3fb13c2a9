"""flask-login user loader: the session id carries a token that a password change rotates.

On a GET the same statement also loads the person's brand or creator profile and the
navbar's counts (unread messages, unread notifications and those pointing at this page),
so a page pays one query for "who is asking" and the navbar (`nav_counts` reads `g`)."""

from __future__ import annotations

from functools import cache

from flask import g, request
from sqlalchemy import Integer, String, bindparam, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services.messaging import conversations, notifications


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    uid = int(user_id)
    if request.method != "GET":
        user = db.session.get(User, uid)
        return user if user is not None and user.session_token == token else None
    row = db.session.execute(_who_is_asking(), {"uid": uid, "path": request.path}
                             ).unique().one_or_none()
    if row is None or row[0].session_token != token:
        return None
    user, total, here, messages = (row[0], *(int(n or 0) for n in row[1:]))
    g.nav_counts = {"messages": messages, "notifications": total - here, "here": here}
    return user


@cache
def _who_is_asking():
    """The GET statement, built once per process with the user id and the path as bound
    parameters (building it took as long as running it)."""
    uid, path = bindparam("uid", type_=Integer), bindparam("path", type_=String)
    total, here = notifications.unread_count_columns(uid, path)
    return (select(User, total, here, conversations.unread_total_column(uid))
            .where(User.id == uid).options(joinedload(User.brand), joinedload(User.creator)))
