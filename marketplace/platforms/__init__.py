"""Platform adapters: TikTok, Instagram and YouTube behind one interface (`PlatformAdapter`).

Nothing here knows Flask or the database: plain settings in (`PlatformSettings`), plain values
out (`PostRef`, `PostInfo`, `Metrics`, `Tokens`, `AccountInfo`), and four kinds of error
(`errors.py`). Services store tokens and decide what to do; jobs call `fetch_post` and
`fetch_metrics`.
"""

from marketplace.platforms.errors import (
    AuthExpired,
    InvalidPostUrl,
    PlatformError,
    PlatformUnavailable,
    PostNotFound,
    RateLimited,
)
from marketplace.platforms.registry import adapter_for
from marketplace.platforms.settings import PlatformSettings
from marketplace.platforms.urls import parse_post_url, valid_link_message
from marketplace.platforms.values import (
    INSTAGRAM,
    PLATFORM_NAMES,
    PLATFORMS,
    TIKTOK,
    YOUTUBE,
    AccountInfo,
    Metrics,
    PlatformAdapter,
    PostInfo,
    PostRef,
    Tokens,
)

__all__ = [
    "INSTAGRAM", "PLATFORMS", "PLATFORM_NAMES", "TIKTOK", "YOUTUBE", "AccountInfo",
    "AuthExpired", "InvalidPostUrl", "Metrics", "PlatformAdapter", "PlatformError",
    "PlatformSettings", "PlatformUnavailable", "PostInfo", "PostNotFound", "PostRef",
    "RateLimited", "Tokens", "adapter_for", "parse_post_url", "valid_link_message",
]
