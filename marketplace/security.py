"""Response headers that every page carries."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_security(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", app.config.get("CSP", CSP))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response


def csp_with_form_targets(csp: str, urls: Iterable[str | None]) -> str:
    """`csp` with the origins of `urls` added to form-action: for a page whose forms are
    answered by a redirect to another site (Chromium checks form-action along redirects),
    e.g. the Connect buttons that lead to a platform's OAuth consent page."""
    origins = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if not origins:
        return csp
    return csp.replace("form-action 'self'",
                       "form-action 'self' " + " ".join(sorted(set(origins))), 1)
