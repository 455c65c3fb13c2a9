"""Impressions (the matches a person was shown) are noted while a page renders and written
after the response has been sent, so a GET page never writes or commits its own session.

A page calls `note(pairs, surface)`; an after-request hook hands what was noted to the
response's close callback, which runs `outcome_log.record_impressions` on a session of its
own once the body is out (a job queue can later take that call over unchanged). Nothing is
noted for anonymous visitors, HEAD requests or bots, and the service counts a reload within
`IMPRESSION_WINDOW_MINUTES` once.

Each process also remembers, for that window, the lists it has logged (`_Recent`): a reload
of the same list by the same viewer then costs no database round trip at all, where asking
the database would only have found every pair already logged."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
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


class _Recent:
    """The lists this process logged, per (viewer, surface, pairs), until their window ends
    (monotonic time); the oldest are forgotten beyond `MAX` entries. One per app."""

    MAX = 10_000

    def __init__(self) -> None:
        self._until: OrderedDict[tuple, float] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, key: tuple) -> bool:
        with self._lock:
            until = self._until.get(key)
            if until is None or until <= time.monotonic():
                self._until.pop(key, None)
                return False
            return True

    def remember(self, key: tuple, seconds: float) -> None:
        with self._lock:
            self._until[key] = time.monotonic() + seconds
            self._until.move_to_end(key)
            while len(self._until) > self.MAX:
                self._until.popitem(last=False)


def _write_after_response(response: Response) -> Response:
    pending = g.pop("impressions", None)
    if not pending or response.status_code != 200:
        return response
    app = current_app._get_current_object()
    viewer_id = current_user.id
    window = timedelta(minutes=app.config["IMPRESSION_WINDOW_MINUTES"])
    recent: _Recent = app.extensions["recent_impressions"]
    keyed = [((viewer_id, surface, tuple(pairs)), pairs, surface, scores)
             for pairs, surface, scores in pending]
    keyed = [entry for entry in keyed if not recent.seen(entry[0])]
    if not keyed:
        return response

    def write() -> None:
        with app.app_context():
            try:
                for key, pairs, surface, scores in keyed:
                    outcome_log.record_impressions(pairs, surface, viewer_id, window, scores)
                    recent.remember(key, window.total_seconds())
            except Exception:  # noqa: BLE001 - a lost impression never breaks a page
                log.exception("could not record impressions")

    response.call_on_close(write)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("IMPRESSION_WINDOW_MINUTES", 30)
    app.extensions["recent_impressions"] = _Recent()
    app.after_request(_write_after_response)
