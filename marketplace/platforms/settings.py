"""The adapters' settings, read from the app's config mapping (see `marketplace/config.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformSettings:
    tiktok_client_key: str = ""
    tiktok_client_secret: str = ""
    tiktok_auth_base: str = "https://www.tiktok.com"
    tiktok_api_base: str = "https://open.tiktokapis.com"
    tiktok_shortlink_base: str = ""  # empty: follow vm.tiktok.com links themselves
    instagram_app_id: str = ""
    instagram_app_secret: str = ""
    facebook_dialog_base: str = "https://www.facebook.com/v23.0"
    instagram_graph_base: str = "https://graph.facebook.com/v23.0"
    google_client_id: str = ""
    google_client_secret: str = ""
    google_auth_base: str = "https://accounts.google.com"
    google_oauth_base: str = "https://oauth2.googleapis.com"
    youtube_api_base: str = "https://www.googleapis.com/youtube/v3"
    youtube_api_key: str = ""
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping) -> PlatformSettings:
        def text(key: str, default: str) -> str:
            return str(config.get(key) or default).rstrip("/")

        d = cls()
        return cls(
            tiktok_client_key=text("TIKTOK_CLIENT_KEY", ""),
            tiktok_client_secret=text("TIKTOK_CLIENT_SECRET", ""),
            tiktok_auth_base=text("TIKTOK_AUTH_BASE", d.tiktok_auth_base),
            tiktok_api_base=text("TIKTOK_API_BASE", d.tiktok_api_base),
            tiktok_shortlink_base=text("TIKTOK_SHORTLINK_BASE", ""),
            instagram_app_id=text("INSTAGRAM_APP_ID", ""),
            instagram_app_secret=text("INSTAGRAM_APP_SECRET", ""),
            facebook_dialog_base=text("FACEBOOK_DIALOG_BASE", d.facebook_dialog_base),
            instagram_graph_base=text("INSTAGRAM_GRAPH_BASE", d.instagram_graph_base),
            google_client_id=text("GOOGLE_CLIENT_ID", ""),
            google_client_secret=text("GOOGLE_CLIENT_SECRET", ""),
            google_auth_base=text("GOOGLE_AUTH_BASE", d.google_auth_base),
            google_oauth_base=text("GOOGLE_OAUTH_BASE", d.google_oauth_base),
            youtube_api_base=text("YOUTUBE_API_BASE", d.youtube_api_base),
            youtube_api_key=text("YOUTUBE_API_KEY", ""),
            timeout=float(config.get("PLATFORM_HTTP_TIMEOUT") or d.timeout),
            retries=int(config.get("PLATFORM_HTTP_RETRIES", d.retries)),
            backoff=float(config.get("PLATFORM_RETRY_BACKOFF", d.backoff)),
            max_retry_after=float(config.get("PLATFORM_MAX_RETRY_AFTER", d.max_retry_after)),
        )
