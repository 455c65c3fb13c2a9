"""Which post a link points at: platform, post id and (when the address carries it) the
author's handle. Accepted forms: TikTok `https://www.tiktok.com/@handle/video/<id>`,
Instagram `/reel/<code>`, `/reels/<code>` and `/p/<code>`, YouTube `/shorts/<id>`,
`youtu.be/<id>` and `watch?v=<id>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from marketplace.services.errors import DomainError

PLACEHOLDERS = {
    "tiktok": "https://www.tiktok.com/@you/video/…",
    "instagram": "https://www.instagram.com/reel/…",
    "youtube": "https://www.youtube.com/shorts/…",
}
EXAMPLES = {
    "tiktok": "a TikTok link looks like https://www.tiktok.com/@yourhandle/video/7301234567890123456",
    "instagram": "an Instagram link looks like https://www.instagram.com/reel/C1a2B3c4D5e/",
    "youtube": "a YouTube link looks like https://www.youtube.com/shorts/dQw4w9WgXcQ",
}
_TIKTOK = re.compile(r"^/@([A-Za-z0-9_.]{1,30})/video/(\d{5,25})/?$")
_INSTAGRAM = re.compile(r"^/(?:reel|reels|p)/([A-Za-z0-9_-]{5,40})/?$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class PostRef:
    platform: str
    post_id: str
    handle: str | None
    url: str


def example(platform: str) -> str:
    return EXAMPLES.get(platform, "paste the address of the live post.")


def _invalid() -> DomainError:
    return DomainError("That is not a link to a post. " + "; ".join(EXAMPLES.values()) + ".",
                       field="url")


def parse(url: str) -> PostRef:
    """The post a link points at, or a DomainError that says what a valid link looks like."""
    if not url or len(url) > 500:
        raise _invalid()
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
    except ValueError:
        raise _invalid() from None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.scheme not in ("http", "https"):
        raise _invalid()
    if host == "tiktok.com" and (m := _TIKTOK.match(parts.path)):
        return PostRef("tiktok", m.group(2), m.group(1), f"https://www.tiktok.com{parts.path}")
    if host == "instagram.com" and (m := _INSTAGRAM.match(parts.path)):
        return PostRef("instagram", m.group(1), None,
                       f"https://www.instagram.com/reel/{m.group(1)}/")
    if host == "youtube.com":
        video = None
        if parts.path.startswith("/shorts/"):
            video = parts.path.removeprefix("/shorts/").strip("/")
        elif parts.path == "/watch":
            video = (parse_qs(parts.query).get("v") or [""])[0]
        if video and _YOUTUBE_ID.match(video):
            return PostRef("youtube", video, None, f"https://www.youtube.com/shorts/{video}")
    if host == "youtu.be":
        video = parts.path.strip("/")
        if _YOUTUBE_ID.match(video):
            return PostRef("youtube", video, None, f"https://www.youtube.com/shorts/{video}")
    raise _invalid()
