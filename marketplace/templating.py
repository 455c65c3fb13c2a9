"""Jinja filters and globals: money, dates (`when`), vocabularies, query-string helpers."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask import Flask, request, url_for
from flask.templating import Environment as FlaskEnvironment

from marketplace import taxonomy
from marketplace.formatting import compact_number
from marketplace.money import format_money
from marketplace.services.deals.schedule import countdown, format_when


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, with each template's globals copied into one dict when
    the template is loaded. Jinja keeps them as a ChainMap over the environment's globals,
    and every include, import and macro module on a page copies and probes that map key by
    key: a tenth of the deal page's rendering. The globals are all registered while the
    app is built, before any template loads, so the copy misses nothing."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class Duet(Flask):
    jinja_environment = Environment


def url_with(**changes) -> str:
    """The current URL with some query parameters replaced (for sorting and pagination)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["compact"] = compact_number
    app.jinja_env.filters["niche"] = lambda s: taxonomy.NICHES.get(s, s)
    app.jinja_env.filters["country"] = lambda s: taxonomy.COUNTRIES.get(s, s or "—")
    app.jinja_env.filters["platform"] = lambda s: taxonomy.PLATFORMS.get(s, s)
    app.jinja_env.filters["deliverable"] = lambda s: taxonomy.DELIVERABLE_TYPES.get(s, s)
    app.jinja_env.filters["usage"] = lambda s: taxonomy.USAGE_RIGHTS.get(s, s)
    app.jinja_env.filters["language"] = lambda s: taxonomy.LANGUAGES.get(s, s)
    app.jinja_env.filters["industry"] = lambda s: taxonomy.INDUSTRIES.get(s, s)
    app.jinja_env.filters["when"] = format_when  # every date shown to people
    app.jinja_env.globals["countdown"] = countdown
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["taxonomy"] = taxonomy
