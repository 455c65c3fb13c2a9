"""Reading a creator's post from its platform: the one call monitoring jobs make.

`read_post` picks the creator's connected account (or, for YouTube, the API key), refreshes
the token when due, retries once with a forced refresh when the platform refuses the token,
resolves short links, and says whether the post is by the creator's own account. Errors the
job acts on come through unchanged: `PostNotFound` (gone: takedown), `RateLimited` and
`PlatformUnavailable` (retry later, with backoff), `AuthExpired` (the creator must reconnect;
the account is marked), `NotConnected` (no way to read it: brand confirmation instead).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app

from marketplace.models import SocialAccount
from marketplace.platforms import (
    PLATFORM_NAMES,
    YOUTUBE,
    AuthExpired,
    Metrics,
    PlatformAdapter,
    PostInfo,
    PostRef,
    Tokens,
)
from marketplace.services.errors import DomainError
from marketplace.services.platforms import accounts


class NotConnected(DomainError):
    """The creator has no connected account there, and the platform cannot be read without."""


@dataclass(frozen=True)
class PostReading:
    ref: PostRef  # resolved: post id known; Instagram's media id filled in
    info: PostInfo
    metrics: Metrics | None
    by_creator: bool | None  # None: cannot tell (a YouTube video read with the API key)


def read_post(creator_id: int, ref: PostRef, *, with_metrics: bool = True) -> PostReading:
    account = accounts.connected_account(creator_id, ref.platform)
    adapter = accounts.adapter(ref.platform)
    if account is None:
        if ref.platform == YOUTUBE and current_app.config.get("YOUTUBE_API_KEY"):
            return _read(adapter, ref, None, None, with_metrics)
        raise NotConnected(f"Connect your {PLATFORM_NAMES.get(ref.platform, ref.platform)} "
                           "account so Duet can check the post.")
    tokens = accounts.fresh_tokens(account)
    try:
        return _read(adapter, ref, tokens, account, with_metrics)
    except AuthExpired:
        tokens = accounts.refresh(account, force=True)  # marks the account when refused
    try:
        return _read(adapter, ref, tokens, account, with_metrics)
    except AuthExpired:
        accounts.mark_needs_reconnect(account)
        raise


def _read(adapter: PlatformAdapter, ref: PostRef, tokens: Tokens | None,
          account: SocialAccount | None, with_metrics: bool) -> PostReading:
    ref = adapter.resolve(ref)
    info = adapter.fetch_post(ref, tokens)
    if info.platform_media_id:
        ref = replace(ref, platform_media_id=info.platform_media_id)
    metrics = adapter.fetch_metrics(ref, tokens) if with_metrics else None
    return PostReading(ref=ref, info=info, metrics=metrics, by_creator=_by(account, info))


def _by(account: SocialAccount | None, info: PostInfo) -> bool | None:
    if account is None:
        return None
    if info.author_user_id:
        return info.author_user_id == account.platform_user_id
    if info.author_handle:
        return info.author_handle.lower() == account.handle.lower()
    return None
