"""The app pointed at the local social server, and a helper that plays the creator's part on a
platform's consent page (over HTTP, as the browser would)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests

from tests.support import factories

TOKEN_KEY = "kQZ3b6n5m2wO3x1rYwqS0X3d0m5l8a8rTn9f1cVZx0E="  # a Fernet key for the tests


@pytest.fixture
def app(make_app, social_settings, social):
    return make_app(**social_settings, SOCIAL_TOKEN_KEYS=TOKEN_KEY)


def consent(authorize_url: str, *, handle: str | None = None, decision: str = "allow",
            new_handle: str = "") -> str:
    """Open the local consent page, pick the account `handle`, answer; returns the URL the
    platform sends the browser back to (the app's callback with code and state)."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text[:300]
    form = {unescape(name): unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)}
    if handle:
        options = dict((h, v) for v, h in re.findall(
            r'name="user_id"\s+value="([^"]*)"[^>]*> <span><strong>@([^<]*)</strong>', page.text))
        form["user_id"] = options[handle]
    form.update(decision=decision, new_handle=new_handle)
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def connect(client, platform: str, handle: str, **consent_kwargs):
    """The whole dance: Connect button, consent page, callback. Returns the callback response."""
    start = client.post(f"/creators/me/connections/{platform}/connect")
    assert start.status_code == 302, start.data[:300]
    back = consent(start.headers["Location"], handle=handle, **consent_kwargs)
    return client.get(local_path(back))


@pytest.fixture
def other_creator(app_ctx):
    return factories.make_creator("othercreator")
