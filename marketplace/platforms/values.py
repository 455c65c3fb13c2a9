"""The plain values adapters take and give: no platform's JSON leaks past an adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

TIKTOK = "tiktok"
INSTAGRAM = "instagram"
YOUTUBE = "youtube"
PLATFORMS = (TIKTOK, INSTAGRAM, YOUTUBE)
PLATFORM_NAMES = {TIKTOK: "TikTok", INSTAGRAM: "Instagram", YOUTUBE: "YouTube"}


@dataclass(frozen=True)
class PostRef:
    """A post as named by its link. `post_id` is the platform's id (TikTok video id, Instagram
    shortcode, YouTube video id); a TikTok short link has none until `adapter.resolve(ref)`
    follows it (`short_url` keeps the link to resolve)."""

    platform: str
    post_id: str | None
    handle: str | None = None
    kind: str = "post"  # video, reel, post, short
    short_url: str | None = None
    url: str = ""
    platform_media_id: str | None = None  # Instagram's numeric media id, once looked up

    @property
    def needs_resolution(self) -> bool:
        return self.post_id is None


@dataclass(frozen=True)
class PostInfo:
    platform: str
    post_id: str
    live: bool
    author_handle: str | None
    caption: str
    posted_at: datetime | None
    author_user_id: str | None = None  # TikTok open_id, Instagram user id, YouTube channel id
    permalink: str | None = None
    platform_media_id: str | None = None  # Instagram's numeric media id behind a shortcode


@dataclass(frozen=True)
class Metrics:
    """Counts as the platform gives them; a number the platform does not give is None, never 0."""

    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    avg_watch_time_ms: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Tokens:
    """What an OAuth exchange gives. `user_id` is the platform's id for the account (TikTok
    open_id, Instagram professional account id, YouTube channel id) when known."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    user_id: str | None = None


@dataclass(frozen=True)
class AccountInfo:
    platform: str
    user_id: str
    handle: str
    display_name: str
    followers: int | None = None
    extra: dict = field(default_factory=dict)


class PlatformAdapter(Protocol):
    """One per platform (`marketplace/platforms/registry.py` builds them from settings)."""

    platform: str

    def parse(self, url: str) -> PostRef: ...

    def resolve(self, ref: PostRef) -> PostRef: ...

    def fetch_post(self, ref: PostRef, tokens: Tokens | None) -> PostInfo: ...

    def fetch_metrics(self, ref: PostRef, tokens: Tokens | None) -> Metrics: ...

    def authorize_url(self, state: str, redirect_uri: str) -> str: ...

    def exchange_code(self, code: str, redirect_uri: str) -> Tokens: ...

    def refresh(self, tokens: Tokens) -> Tokens: ...

    def revoke(self, tokens: Tokens) -> None: ...

    def fetch_account(self, tokens: Tokens) -> AccountInfo: ...
