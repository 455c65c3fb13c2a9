"""Impressions (the matches a person was shown) are noted while a page renders and written
after the response has been sent, so a GET page never writes or commits its own session.

A page calls `note(pairs, surface)`; an after-request hook hands what was noted to the
response's close callback, which runs `outcome_log.record_impressions` on a session of its
own once the body is out (a job queue can later take that call over unchanged). Nothing is
noted for anonymous visitors, HEAD requests or bots, and the service counts a reload within
`IMPRESSION_WINDOW_MINUTES` once."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from marketplace.services.matching import outcome_log

BOT_MARKERS = ("bot", "crawler", "spider")
log = logging.getLogger(__name__)


def countable() -> bool:
    """A logged-in person's GET, not a crawler's."""
    if request.method != "GET" or not current_user.is_authenticated:
        return False
    agent = (request.user_agent.string or "").lower()
    return not any(marker in agent for marker in BOT_MARKERS)


def note(pairs: list[tuple[int, int]], surface: str, scores: list[float] | None = None) -> None:
    """Remember that this page shows `pairs` (campaign id, creator id) on `surface`, with the
    model's raw scores (kept in the log; people see a 0-100 fit)."""
    if pairs and countable():
        g.setdefault("impressions", []).append((list(pairs), surface, scores))


def _write_after_response(response: Response) -> Response:
    pending = g.pop("impressions", None)
    if not pending or response.status_code != 200:
        return response
    app = current_app._get_current_object()
    viewer_id = current_user.id
    window = timedelta(minutes=app.config["IMPRESSION_WINDOW_MINUTES"])

    def write() -> None:
        with app.app_context():
            try:
                for pairs, surface, scores in pending:
                    outcome_log.record_impressions(pairs, surface, viewer_id, window, scores)
            except Exception:  # noqa: BLE001 - a lost impression never breaks a page
                log.exception("could not record impressions")

    response.call_on_close(write)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("IMPRESSION_WINDOW_MINUTES", 30)
    app.after_request(_write_after_response)
