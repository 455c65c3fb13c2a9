"""Platform tokens encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`).

Keys come from `SOCIAL_TOKEN_KEYS` (comma-separated, newest first): MultiFernet encrypts with
the first and decrypts with any, so a key is rotated by prepending a new one, running
`rotate_all` (`flask platforms rotate-tokens`), then dropping the old key. Without the
setting, development derives a key from SECRET_KEY; production refuses to run without one.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import SocialAccount
from marketplace.services.errors import DomainError


class TokenUnreadable(DomainError):
    """A stored token no key can decrypt (a key was dropped too soon): reconnect needed."""


def _keys(config) -> list[bytes]:
    keys = [k.strip().encode() for k in str(config.get("SOCIAL_TOKEN_KEYS") or "").split(",")
            if k.strip()]
    if keys:
        return keys
    if config.get("ENV_NAME") == "production":
        raise RuntimeError("SOCIAL_TOKEN_KEYS must be set when DUET_ENV=production")
    digest = hashlib.sha256(b"duet-social-tokens:" + str(config["SECRET_KEY"]).encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def box() -> MultiFernet:
    keys = tuple(_keys(current_app.config))
    cached = current_app.extensions.get("duet_token_box")
    if cached is None or cached[0] != keys:
        cached = (keys, MultiFernet([Fernet(key) for key in keys]))
        current_app.extensions["duet_token_box"] = cached
    return cached[1]


def encrypt(token: str | None) -> str | None:
    return None if token is None else box().encrypt(token.encode()).decode()


def decrypt(stored: str | None) -> str | None:
    if stored is None:
        return None
    try:
        return box().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable("This connection's tokens can no longer be read: please "
                              "reconnect the account.") from None


def rotate_all() -> int:
    """Re-encrypt every stored token with the newest key; returns the rows changed."""
    fernet = box()
    changed = 0
    for account in db.session.scalars(select(SocialAccount).where(
            SocialAccount.access_token_enc.is_not(None))):
        account.access_token_enc = fernet.rotate(account.access_token_enc.encode()).decode()
        if account.refresh_token_enc:
            account.refresh_token_enc = fernet.rotate(account.refresh_token_enc.encode()).decode()
        changed += 1
    db.session.commit()
    return changed
