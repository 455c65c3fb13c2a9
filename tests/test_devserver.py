"""The local dev server starts side services, then the app, and stops the services after."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from marketplace import devserver


@pytest.fixture(autouse=True)
def restore_environment():
    """`devserver.main` points the app at its side services through os.environ (STRIPE_*,
    MAIL_*, PUBLIC_URL, the broker, the platforms): put the environment back, or every later
    test in this process would build its app against them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def local_instance(monkeypatch, tmp_path):
    """create_app() reads the environment: keep its files and database out of the repo."""
    monkeypatch.setenv("DUET_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.sqlite3'}")


def test_defaults_are_local():
    args = devserver.parse_args([])
    assert (args.host, args.port, args.debug) == ("127.0.0.1", 5000, False)
    assert devserver.parse_args(["--port", "5055"]).port == 5055


def test_main_runs_the_app_threaded_without_reloader(monkeypatch):
    calls = {}
    monkeypatch.setattr(devserver, "run_simple",
                        lambda host, port, app, **kw: calls.update(host=host, port=port, **kw))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        assert devserver.main(["--port", "5099"]) == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls["host"] == "127.0.0.1" and calls["port"] == 5099
    assert calls["threaded"] is True and calls["use_reloader"] is False


def test_side_services_are_started_and_stopped(monkeypatch):
    sleeper = devserver.SideService("sleeper",
                                    [sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(devserver, "side_services", lambda port: [sleeper])
    started = []
    real_start = devserver.start_side_services
    monkeypatch.setattr(devserver, "start_side_services",
                        lambda services: started.extend(real_start(services)) or started)
    monkeypatch.setattr(devserver, "run_simple", lambda *a, **kw: None)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        devserver.main([])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(started) == 1 and started[0].poll() is not None


def test_local_social_platforms_start_unless_real_ones_are_configured(monkeypatch):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(
        ("TIKTOK_", "INSTAGRAM_", "GOOGLE_", "YOUTUBE_", "FACEBOOK_"))}
    monkeypatch.setattr(devserver.os, "environ", env)
    names = [s.name for s in devserver.side_services(5099)]
    assert "local TikTok/Instagram/YouTube" in names
    assert env["TIKTOK_API_BASE"] == f"http://127.0.0.1:{devserver.SOCIAL_PORT}/tiktok"
    assert env["INSTAGRAM_GRAPH_BASE"].endswith("/graph/v23.0")

    real = {k: v for k, v in env.items() if not k.startswith(
        ("TIKTOK_", "INSTAGRAM_", "GOOGLE_", "YOUTUBE_", "FACEBOOK_"))}
    real["TIKTOK_CLIENT_KEY"] = "aw-real-key"
    monkeypatch.setattr(devserver.os, "environ", real)
    assert "local TikTok/Instagram/YouTube" not in [s.name for s in
                                                     devserver.side_services(5099)]
    assert "TIKTOK_API_BASE" not in real
