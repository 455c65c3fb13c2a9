"""Build the adapter for a platform from the app's settings."""

from __future__ import annotations

from collections.abc import Mapping

from marketplace.platforms.instagram import InstagramAdapter
from marketplace.platforms.settings import PlatformSettings
from marketplace.platforms.tiktok import TikTokAdapter
from marketplace.platforms.values import INSTAGRAM, TIKTOK, YOUTUBE, PlatformAdapter
from marketplace.platforms.youtube import YouTubeAdapter

ADAPTERS = {TIKTOK: TikTokAdapter, INSTAGRAM: InstagramAdapter, YOUTUBE: YouTubeAdapter}


def adapter_for(platform: str, config: Mapping) -> PlatformAdapter:
    """The adapter for `platform` ('tiktok', 'instagram', 'youtube'); KeyError for others."""
    return ADAPTERS[platform](PlatformSettings.from_config(config))
