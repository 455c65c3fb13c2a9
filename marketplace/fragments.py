"""Short-lived caching of the parts of a page that are costly to build and the same for
everyone who would get the same key.

The directories (/creators/, /campaigns/), and the creator dashboard's open campaigns in
the creator's niches, show the same results to every viewer of a role
for the same query string, and building them (the paginated query, its eager loads and two
dozen cards) is most of a request's cost. The rendered results are kept for
LIST_CACHE_SECONDS (30 s by default: the staleness a directory accepts — a new or edited
profile or campaign shows within that time) in the app's Flask-Caching backend (Redis in
production, one in-process cache per worker otherwise, NullCache in tests).

Ranked matches (a campaign's Top matches, a creator's Campaigns for you) are cached the
same way under a key that holds everything the ranking reads (`vary`: the matching
model's version and last applied change, the campaign or creator, who is excluded), so a
hit is what a fresh ranking would show.

A fragment holds no secret: forms inside it are rendered with `CSRF_PLACEHOLDER` (see
`render_fragment`), filled in with the viewer's own token when served, and a fragment in
which the viewer's real token appears is never stored. Keys separate roles, and query
strings or `vary`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from redis.exceptions import RedisError

from marketplace.extensions import cache

CSRF_PLACEHOLDER = "duet-csrf-token-placeholder"


@dataclass(frozen=True)
class Fragment:
    """Rendered HTML, and what the page needs besides it (e.g. the matches shown, for the
    impressions log), cached together."""

    html: str
    data: Any = None

    @property
    def markup(self) -> Markup:
        return Markup(self.html)


def render_fragment(template: str, **context: Any) -> str:
    """`template` rendered for caching: `csrf_token()` gives the placeholder that
    `cached` replaces with the viewer's token."""
    return render_template(template, csrf_token=lambda: CSRF_PLACEHOLDER, **context)


def fragment_key(name: str, vary: str | None = None) -> str:
    """The cache key of fragment `name` for this request: the viewer's role, and `vary`
    (what the fragment depends on) or else the path and every query argument (sorted,
    repeated ones kept), hashed to a bounded length."""
    role = current_user.role.value if current_user.is_authenticated else "anonymous"
    if vary is None:
        vary = f"{request.path}?{urlencode(sorted(request.args.items(multi=True)))}"
    digest = hashlib.sha256(vary.encode()).hexdigest()[:32]
    return f"fragment:{name}:{role}:{digest}"


def cached(name: str, build: Callable[[], Fragment], vary: str | None = None) -> Fragment:
    """The fragment `build()` makes for this role and query string (or `vary`), from the
    cache when a fresh copy is there; the CSRF placeholder filled with the viewer's token."""
    key = fragment_key(name, vary)
    try:
        found = cache.get(key)
    except RedisError as exc:  # a cache that is down costs speed, never the page
        current_app.logger.warning("fragment cache unavailable: %s", exc)
        found = None
        key = None
    if not isinstance(found, Fragment):
        found = build()
        if key is not None and not _holds_real_token(found.html):
            try:
                cache.set(key, found, timeout=current_app.config["LIST_CACHE_SECONDS"])
            except RedisError as exc:
                current_app.logger.warning("fragment cache unavailable: %s", exc)
    if CSRF_PLACEHOLDER in found.html:
        return Fragment(found.html.replace(CSRF_PLACEHOLDER, generate_csrf()), found.data)
    return found


def _holds_real_token(html: str) -> bool:
    """True when the viewer's token was rendered into `html` (it exists only once something
    on this request asked for it; the token's field name is Flask-WTF's setting)."""
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    return bool(token) and token in html


def cached_fragment(name: str, build: Callable[[], str], vary: str | None = None) -> Markup:
    """The HTML `build()` renders for this role and query string (or `vary`), from the
    cache when a fresh copy is there."""
    return cached(name, lambda: Fragment(build()), vary).markup
