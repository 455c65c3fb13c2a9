"""Browser tests: the real app (CSRF on) served on a random local port, driven by Chromium.

Every page a test opens is watched for Content-Security-Policy violations and uncaught
JavaScript errors; any of them fails the test. `shot(page, name)` saves a full-page
screenshot under test-results/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from marketplace import create_app
from marketplace.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).is_file():
        message = f"Chromium not found at {path} (set CHROMIUM_PATH or run `make chromium`)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Overrides the root conftest's: people log in here, so passwords get production's hash."""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": _chromium_path(),
            "args": CHROMIUM_ARGS}


def make_e2e_app(folder: Path):
    """The app as people use it (CSRF on), on a fresh SQLite file inside `folder`."""
    app = create_app({
        "SECRET_KEY": "e2e-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "INSTANCE_DIR": str(folder),
        "UPLOAD_DIR": str(folder / "uploads"),
        "MATCHING_DIR": str(folder / "matching"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "MAIL_SUPPRESS_SEND": True,
        # Jobs (mails, payouts) run in-process right after their commit: the browser then
        # sees their outcome on the next page, and nothing is left on a broker.
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
    })
    with app.app_context():
        db.create_all()
    return app


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve `app` with werkzeug in a daemon thread on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def e2e_app(tmp_path_factory):
    return make_e2e_app(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def live_server(e2e_app):
    """Base URL of the app served for the whole session (empty database at the start)."""
    with serve(e2e_app) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright gives every context this base URL, so tests can goto("/path")."""
    return live_server


class PageProblems:
    """Collects CSP violations and uncaught errors from every page of watched contexts."""

    def __init__(self):
        self.problems: list[str] = []

    def watch(self, context) -> None:
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"JS error: {error.error}"))

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")
        elif message.type == "error" and "Failed to load resource" not in text:
            self.problems.append(f"console error: {text}")


@pytest.fixture
def page_problems():
    watcher = PageProblems()
    yield watcher
    if watcher.problems:
        pytest.fail("Problems in the browser:\n" + "\n".join(watcher.problems), pytrace=False)


@pytest.fixture
def new_context(new_context, page_problems):
    """pytest-playwright's context factory, with every context watched for CSP problems."""

    def make(**kwargs):
        context = new_context(**kwargs)
        page_problems.watch(context)
        return context

    return make


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig) -> Path:
    folder = pytestconfig.rootpath / "test-results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shot(screenshot_dir):
    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


E2E_WEBHOOK_SECRET = "whsec_e2e"


@pytest.fixture(scope="session")
def stripe_server(e2e_app, live_server):
    """The local Stripe (localstripe + add-on) for the session, wired both ways to the live app:
    the app calls it and loads its fake Stripe.js, and it signs webhooks to the app."""
    from devtools.stripe_process import start_stripe_server

    base, stop = start_stripe_server(webhook_url=f"{live_server}/webhooks/stripe",
                                     webhook_secret=E2E_WEBHOOK_SECRET)
    before = {key: e2e_app.config.get(key) for key in
              ("STRIPE_API_BASE", "STRIPE_JS_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    e2e_app.config.update(STRIPE_API_BASE=base, STRIPE_JS_URL=f"{base}/js.stripe.com/v3/",
                          STRIPE_SECRET_KEY="sk_test_e2e", STRIPE_WEBHOOK_SECRET=E2E_WEBHOOK_SECRET)
    e2e_app.extensions.pop("duet_stripe", None)  # the gateway caches its client per app
    yield base
    e2e_app.config.update(before)
    e2e_app.extensions.pop("duet_stripe", None)
    stop()


@pytest.fixture(scope="session")
def social_platforms(e2e_app):
    """The local social platforms for the session, with the live app pointed at them."""
    from devtools.social_process import platform_settings, start_social_server
    from tests.support.social import SocialServer

    base, stop = start_social_server()
    settings = platform_settings(base)
    before = {key: e2e_app.config.get(key) for key in settings}
    e2e_app.config.update(settings)
    yield SocialServer(base)
    e2e_app.config.update(before)
    stop()
