"""Short-lived caching of the parts of a page that are the same for everyone in a role.

The directories (/creators/, /campaigns/), and the creator dashboard's open campaigns in
the creator's niches, show the same results to every viewer of a role
for the same query string, and building them (the paginated query, its eager loads and two
dozen cards) is most of a request's cost. The rendered results are kept for
LIST_CACHE_SECONDS (30 s by default: the staleness a directory accepts — a new or edited
profile or campaign shows within that time) in the app's Flask-Caching backend (Redis in
production, one in-process cache per worker otherwise, NullCache in tests).

A fragment must not hold anything personal or secret: it is never stored if it contains
a CSRF token, and its key separates roles and full query strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

from flask import current_app, request
from flask_login import current_user
from markupsafe import Markup
from redis.exceptions import RedisError

from marketplace.extensions import cache

_NEVER_CACHED = ("csrf_token",)


def fragment_key(name: str, vary: str | None = None) -> str:
    """The cache key of fragment `name` for this request: the viewer's role, and `vary`
    (what the fragment depends on) or else the path and every query argument (sorted,
    repeated ones kept), hashed to a bounded length."""
    role = current_user.role.value if current_user.is_authenticated else "anonymous"
    if vary is None:
        vary = f"{request.path}?{urlencode(sorted(request.args.items(multi=True)))}"
    digest = hashlib.sha256(vary.encode()).hexdigest()[:32]
    return f"fragment:{name}:{role}:{digest}"


def cached_fragment(name: str, build: Callable[[], str], vary: str | None = None) -> Markup:
    """The HTML `build()` renders for this role and query string (or `vary`), from the
    cache when a fresh copy is there."""
    key = fragment_key(name, vary)
    try:
        html = cache.get(key)
    except RedisError as exc:  # a cache that is down costs speed, never the page
        current_app.logger.warning("fragment cache unavailable: %s", exc)
        return Markup(build())
    if html is None:
        html = build()
        if not any(marker in html for marker in _NEVER_CACHED):
            try:
                cache.set(key, html, timeout=current_app.config["LIST_CACHE_SECONDS"])
            except RedisError as exc:
                current_app.logger.warning("fragment cache unavailable: %s", exc)
    return Markup(html)
