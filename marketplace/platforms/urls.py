"""Post links to `PostRef`s: what a creator pastes after posting, checked before anything else.

Parsing is pure (no network). A TikTok short link (vm.tiktok.com, vt.tiktok.com,
tiktok.com/t/) gives a ref without a post id; the TikTok adapter's `resolve` follows it later,
outside any web request.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from marketplace.platforms.errors import InvalidPostUrl
from marketplace.platforms.values import INSTAGRAM, PLATFORM_NAMES, TIKTOK, YOUTUBE, PostRef

MAX_URL_LENGTH = 2048

EXAMPLES = {
    TIKTOK: "https://www.tiktok.com/@yourname/video/7301234567890123456 (or a vm.tiktok.com "
            "short link)",
    INSTAGRAM: "https://www.instagram.com/reel/C1a2B3c4D5e/ or https://www.instagram.com/p/"
               "C1a2B3c4D5e/",
    YOUTUBE: "https://youtube.com/shorts/dQw4w9WgXcQ, https://youtu.be/dQw4w9WgXcQ or "
             "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
}

_TIKTOK_HOSTS = {"tiktok.com", "www.tiktok.com", "m.tiktok.com"}
_TIKTOK_SHORT_HOSTS = {"vm.tiktok.com", "vt.tiktok.com"}
_INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com", "m.instagram.com"}
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_YOUTU_BE = {"youtu.be", "www.youtu.be"}

_HANDLE = r"[A-Za-z0-9._]{1,64}"
_TIKTOK_VIDEO = re.compile(rf"^/@(?P<handle>{_HANDLE})/(?P<kind>video|photo)/(?P<id>\d{{5,25}})/?$")
_TIKTOK_T = re.compile(r"^/t/(?P<code>[A-Za-z0-9]{4,20})/?$")
_SHORT_CODE = re.compile(r"^/(?P<code>[A-Za-z0-9]{4,20})/?$")
_INSTAGRAM_POST = re.compile(
    rf"^(?:/(?P<handle>{_HANDLE}))?/(?P<kind>reel|reels|p)/(?P<code>[A-Za-z0-9_-]{{5,64}})/?$")
_YOUTUBE_ID = r"[A-Za-z0-9_-]{11}"
_YOUTUBE_PATH = re.compile(rf"^/(?P<kind>shorts|live|embed)/(?P<id>{_YOUTUBE_ID})/?$")
_YOUTUBE_ID_ONLY = re.compile(rf"^{_YOUTUBE_ID}$")
_YOUTU_BE_PATH = re.compile(rf"^/(?P<id>{_YOUTUBE_ID})/?$")


def valid_link_message(platform: str | None = None) -> str:
    if platform in EXAMPLES:
        return (f"Paste the link of the {PLATFORM_NAMES[platform]} post itself, "
                f"e.g. {EXAMPLES[platform]}.")
    return ("Paste the link of the post itself, e.g. " + EXAMPLES[TIKTOK] + ", "
            + EXAMPLES[INSTAGRAM] + ", or " + EXAMPLES[YOUTUBE] + ".")


def platform_of_host(host: str) -> str | None:
    if host in _TIKTOK_HOSTS or host in _TIKTOK_SHORT_HOSTS:
        return TIKTOK
    if host in _INSTAGRAM_HOSTS:
        return INSTAGRAM
    if host in _YOUTUBE_HOSTS or host in _YOUTU_BE:
        return YOUTUBE
    return None


def parse_post_url(url: object, platform: str | None = None) -> PostRef:
    """The post a link names; raises `InvalidPostUrl` (with what a valid link looks like) for
    anything else, including a link of another platform than `platform` when it is given."""
    if not isinstance(url, str):
        raise InvalidPostUrl("That is not a link. " + valid_link_message(platform))
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH or any(ch.isspace() for ch in text):
        raise InvalidPostUrl("That is not a link. " + valid_link_message(platform))
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        raise InvalidPostUrl("That is not a link. " + valid_link_message(platform)) from None
    if parts.scheme.lower() not in ("http", "https") or port not in (None, 80, 443):
        raise InvalidPostUrl("That is not a post link. " + valid_link_message(platform))
    found = platform_of_host(host)
    if found is None:
        raise InvalidPostUrl("That is not a TikTok, Instagram or YouTube link. "
                             + valid_link_message(platform))
    if platform and found != platform:
        raise InvalidPostUrl(f"That is a {PLATFORM_NAMES[found]} link; this deliverable is on "
                             f"{PLATFORM_NAMES[platform]}. " + valid_link_message(platform))
    ref = {TIKTOK: _tiktok, INSTAGRAM: _instagram, YOUTUBE: _youtube}[found](host, parts, text)
    if ref is None:
        raise InvalidPostUrl(f"That {PLATFORM_NAMES[found]} link does not point at a post. "
                             + valid_link_message(found))
    return ref


def _tiktok(host: str, parts, text: str) -> PostRef | None:
    path = parts.path
    if host in _TIKTOK_SHORT_HOSTS:
        match = _SHORT_CODE.match(path)
        if match:
            return PostRef(TIKTOK, None, kind="video", url=text,
                           short_url=f"https://{host}/{match['code']}/")
        return None
    match = _TIKTOK_VIDEO.match(path)
    if match:
        return PostRef(TIKTOK, match["id"], handle=match["handle"].lower(), kind=match["kind"],
                       url=f"https://www.tiktok.com/@{match['handle']}/{match['kind']}/{match['id']}")
    match = _TIKTOK_T.match(path)
    if match:
        return PostRef(TIKTOK, None, kind="video", url=text,
                       short_url=f"https://www.tiktok.com/t/{match['code']}/")
    return None


def _instagram(host: str, parts, text: str) -> PostRef | None:
    match = _INSTAGRAM_POST.match(parts.path)
    if not match or match["handle"] in ("reel", "reels", "p", "stories", "explore"):
        return None
    kind = "post" if match["kind"] == "p" else "reel"
    path = "p" if kind == "post" else "reel"
    handle = match["handle"].lower() if match["handle"] else None
    return PostRef(INSTAGRAM, match["code"], handle=handle, kind=kind,
                   url=f"https://www.instagram.com/{path}/{match['code']}/")


def _youtube(host: str, parts, text: str) -> PostRef | None:
    video_id = kind = None
    if host in _YOUTU_BE:
        match = _YOUTU_BE_PATH.match(parts.path)
        if match:
            video_id, kind = match["id"], "video"
    elif parts.path.rstrip("/") == "/watch":
        values = parse_qs(parts.query).get("v", [])
        if len(values) == 1 and _YOUTUBE_ID_ONLY.match(values[0]):
            video_id, kind = values[0], "video"
    else:
        match = _YOUTUBE_PATH.match(parts.path)
        if match:
            video_id = match["id"]
            kind = "short" if match["kind"] == "shorts" else "video"
    if video_id is None:
        return None
    url = (f"https://www.youtube.com/shorts/{video_id}" if kind == "short"
           else f"https://www.youtube.com/watch?v={video_id}")
    return PostRef(YOUTUBE, video_id, kind=kind, url=url)
