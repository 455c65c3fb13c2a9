"""Connecting a creator's TikTok, Instagram or YouTube account by OAuth, keeping its token
fresh, and disconnecting it. A connected account's handle is the creator's verified handle on
that platform (what a posted deliverable's author is checked against).

The OAuth `state` is signed (itsdangerous, SECRET_KEY), names the user and the platform, lasts
ten minutes, and carries a nonce the view keeps in the session: a callback is accepted only by
the user who started it, in the browser that started it.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import CreatorProfile, SocialAccount, User
from marketplace.platforms import (
    PLATFORM_NAMES,
    PLATFORMS,
    AuthExpired,
    PlatformAdapter,
    PlatformError,
    Tokens,
    adapter_for,
)
from marketplace.services.errors import Conflict, DomainError, NotAllowed
from marketplace.services.platforms import tokens as token_box

STATE_MAX_AGE = 600
REFRESH_MARGIN = timedelta(minutes=5)
CLIENT_SETTINGS = {"tiktok": "TIKTOK_CLIENT_KEY", "instagram": "INSTAGRAM_APP_ID",
                   "youtube": "GOOGLE_CLIENT_ID"}


class UnknownPlatform(DomainError):
    status_code = 404


@dataclass(frozen=True)
class ConnectStart:
    """Where to send the creator, and the nonce the view keeps in the session."""

    authorize_url: str
    nonce: str


@dataclass(frozen=True)
class PlatformRow:
    platform: str
    name: str
    account: SocialAccount | None
    available: bool  # the platform's app credentials are configured


def adapter(platform: str, *, interactive: bool = False) -> PlatformAdapter:
    """The platform's adapter. `interactive`: for calls made while a person waits (the OAuth
    callback, Disconnect): one retry at most and a short timeout, so a slow platform gives a
    quick "try again" instead of holding the page."""
    if platform not in PLATFORMS:
        raise UnknownPlatform("We do not connect that platform.")
    config = current_app.config
    if interactive:
        config = {**config, "PLATFORM_HTTP_RETRIES": min(config.get("PLATFORM_HTTP_RETRIES", 3), 1),
                  "PLATFORM_HTTP_TIMEOUT": min(config.get("PLATFORM_HTTP_TIMEOUT") or 10, 5),
                  "PLATFORM_MAX_RETRY_AFTER": min(config.get("PLATFORM_MAX_RETRY_AFTER", 30), 2)}
    return adapter_for(platform, config)


def is_configured(platform: str) -> bool:
    return bool(current_app.config.get(CLIENT_SETTINGS[platform]))


def authorize_bases() -> list[str]:
    """Where the platforms' consent pages live (for the page's Content-Security-Policy)."""
    return [current_app.config.get(key) or "" for key in
            ("TIKTOK_AUTH_BASE", "FACEBOOK_DIALOG_BASE", "GOOGLE_AUTH_BASE")]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="social-connect")


def _creator(user: User) -> CreatorProfile:
    creator = db.session.scalar(select(CreatorProfile).where(CreatorProfile.user_id == user.id))
    if creator is None:
        raise NotAllowed("Set up your creator profile first.")
    return creator


def overview(creator: CreatorProfile) -> list[PlatformRow]:
    """One row per platform with its connected account, if any (one query)."""
    accounts = {a.platform: a for a in db.session.scalars(
        select(SocialAccount).where(SocialAccount.creator_id == creator.id,
                                    SocialAccount.revoked_at.is_(None)))}
    return [PlatformRow(p, PLATFORM_NAMES[p], accounts.get(p), is_configured(p))
            for p in PLATFORMS]


def begin_connect(user: User, platform: str, redirect_uri: str) -> ConnectStart:
    _creator(user)
    platform_adapter = adapter(platform)
    if not is_configured(platform):
        raise DomainError(f"Connecting {PLATFORM_NAMES[platform]} is not set up on this site yet.")
    nonce = secrets.token_urlsafe(16)
    state = _serializer().dumps({"u": user.id, "p": platform, "n": nonce})
    return ConnectStart(platform_adapter.authorize_url(state, redirect_uri), nonce)


def _check_state(user: User, platform: str, state: str, expected_nonce: str | None) -> None:
    refused = DomainError("This connection was not started here or has expired: "
                          "please press Connect again.")
    try:
        payload = _serializer().loads(state or "", max_age=STATE_MAX_AGE)
    except BadSignature:
        raise refused from None
    if (not isinstance(payload, dict) or payload.get("u") != user.id
            or payload.get("p") != platform or not expected_nonce
            or not hmac.compare_digest(str(payload.get("n", "")), expected_nonce)):
        raise refused


def finish_connect(user: User, platform: str, *, code: str | None, state: str | None,
                   expected_nonce: str | None, redirect_uri: str,
                   error: str | None = None) -> SocialAccount:
    """The OAuth callback: check the state, exchange the code, read the account, store it."""
    name = PLATFORM_NAMES.get(platform, platform)
    platform_adapter = adapter(platform, interactive=True)
    creator = _creator(user)
    _check_state(user, platform, state or "", expected_nonce)
    if error:
        raise DomainError(f"{name} did not connect ({error.replace('_', ' ')}); nothing changed.")
    if not code:
        raise DomainError(f"{name} sent no authorization code; please try again.")
    try:
        tokens = platform_adapter.exchange_code(code, redirect_uri)
        account = platform_adapter.fetch_account(tokens)
    except PlatformError as exc:
        raise DomainError(f"{name} did not accept the connection ({exc.message}). "
                          "Please try again.") from None
    taken = db.session.scalar(select(SocialAccount).where(
        SocialAccount.platform == platform, SocialAccount.platform_user_id == account.user_id,
        SocialAccount.creator_id != creator.id, SocialAccount.revoked_at.is_(None)))
    if taken is not None:
        _revoke_quietly(platform_adapter, tokens)
        raise Conflict(f"That {name} account is already connected to another Duet creator.")
    row = db.session.scalar(select(SocialAccount).where(
        SocialAccount.creator_id == creator.id, SocialAccount.platform == platform))
    if row is None:
        row = SocialAccount(creator_id=creator.id, platform=platform)
        db.session.add(row)
    now = datetime.now(UTC)
    row.platform_user_id = account.user_id
    row.handle = account.handle or account.user_id
    row.display_name = account.display_name[:120]
    row.followers = account.followers
    row.connected_at, row.refreshed_at = now, None
    row.revoked_at = row.needs_reconnect_at = None
    _store_tokens(row, tokens)
    db.session.commit()
    return row


def _store_tokens(row: SocialAccount, tokens: Tokens) -> None:
    row.access_token_enc = token_box.encrypt(tokens.access_token)
    if tokens.refresh_token is not None or row.refresh_token_enc is None:
        row.refresh_token_enc = token_box.encrypt(tokens.refresh_token)
    row.access_expires_at = tokens.expires_at
    if tokens.refresh_expires_at is not None:
        row.refresh_expires_at = tokens.refresh_expires_at
    if tokens.scopes:
        row.scopes = " ".join(tokens.scopes)[:500]


def tokens_of(row: SocialAccount) -> Tokens:
    if row.revoked_at is not None or row.access_token_enc is None:
        raise DomainError(f"The {PLATFORM_NAMES.get(row.platform)} account is not connected.")
    return Tokens(access_token=token_box.decrypt(row.access_token_enc) or "",
                  refresh_token=token_box.decrypt(row.refresh_token_enc),
                  expires_at=row.access_expires_at, refresh_expires_at=row.refresh_expires_at,
                  scopes=tuple(row.scopes.split()), user_id=row.platform_user_id)


def fresh_tokens(row: SocialAccount, *, now: datetime | None = None) -> Tokens:
    """Tokens good for the next call, refreshed first when they expire within 5 minutes
    (what monitoring jobs call before `fetch_post` / `fetch_metrics`)."""
    now = now or datetime.now(UTC)
    if row.access_expires_at is not None and row.access_expires_at <= now + REFRESH_MARGIN:
        return refresh(row, now=now)
    return tokens_of(row)


def refresh(row: SocialAccount, *, now: datetime | None = None, force: bool = False) -> Tokens:
    """Refresh under a row lock, so two workers never both spend a rotating refresh token:
    the second finds it fresh and uses it (unless `force`, e.g. after the platform refused the
    token). A refusal of the refresh marks the account for reconnection."""
    now = now or datetime.now(UTC)
    locked = db.session.scalar(select(SocialAccount).where(SocialAccount.id == row.id)
                               .with_for_update().execution_options(populate_existing=True))
    if locked is None:
        raise DomainError("That account is no longer connected.")
    if (not force and locked.access_expires_at is not None
            and locked.access_expires_at > now + REFRESH_MARGIN):
        tokens = tokens_of(locked)
        db.session.commit()
        return tokens
    try:
        tokens = adapter(locked.platform).refresh(tokens_of(locked))
    except AuthExpired:
        locked.needs_reconnect_at = now
        db.session.commit()
        raise
    except PlatformError:
        db.session.rollback()
        raise
    _store_tokens(locked, tokens)
    locked.refreshed_at, locked.needs_reconnect_at = now, None
    db.session.commit()
    return tokens_of(locked)


def mark_needs_reconnect(row: SocialAccount) -> None:
    """The platform refuses even a fresh token (scope removed, app deauthorised there)."""
    row.needs_reconnect_at = datetime.now(UTC)
    db.session.commit()


def my_account(user: User, account_id: int) -> SocialAccount | None:
    """The user's own connected account with that id; None for anyone else's (views 404)."""
    return db.session.scalar(select(SocialAccount).join(CreatorProfile).where(
        SocialAccount.id == account_id, CreatorProfile.user_id == user.id,
        SocialAccount.revoked_at.is_(None)))


def disconnect(row: SocialAccount) -> bool:
    """Revoke the tokens at the platform (best effort) and forget them here. Returns whether
    the platform confirmed; the account is disconnected on Duet either way."""
    confirmed = True
    try:
        adapter(row.platform, interactive=True).revoke(tokens_of(row))
    except (PlatformError, token_box.TokenUnreadable) as exc:
        current_app.logger.warning("revoking %s account %s failed: %s", row.platform, row.id,
                                   getattr(exc, "message", exc))
        confirmed = False
    row.revoked_at = datetime.now(UTC)
    row.access_token_enc = row.refresh_token_enc = None
    row.access_expires_at = row.refresh_expires_at = None
    db.session.commit()
    return confirmed


def _revoke_quietly(platform_adapter: PlatformAdapter, tokens: Tokens) -> None:
    with contextlib.suppress(PlatformError):
        platform_adapter.revoke(tokens)


def connected_account(creator_id: int, platform: str) -> SocialAccount | None:
    return db.session.scalar(select(SocialAccount).where(
        SocialAccount.creator_id == creator_id, SocialAccount.platform == platform,
        SocialAccount.revoked_at.is_(None)))


def verified_accounts(creator_id: int) -> list[SocialAccount]:
    """The creator's connected accounts (one query), for the public profile's badges."""
    return list(db.session.scalars(select(SocialAccount).where(
        SocialAccount.creator_id == creator_id, SocialAccount.revoked_at.is_(None))
        .order_by(SocialAccount.platform)))


def verified_handle(creator_id: int, platform: str) -> str | None:
    """The creator's handle on `platform` as the platform itself told us, or None."""
    row = connected_account(creator_id, platform)
    return row.handle if row else None
