"""Local development server: `python -m marketplace.devserver --port 5000` (what `make run` calls).

`main()` first starts the side services the app talks to in development, a local Stripe
(localstripe plus our Connect add-on, `devtools/stripe_server.py`), an SMTP server that keeps
every mail in instance/outbox (`devtools/mail_server.py`) and a local TikTok / Instagram /
YouTube (`devtools/social_server.py`, seeded from devtools/social_seed.json), points the app
at them through the environment; then the job queue's worker and its one scheduler (Celery
worker and beat, on the default broker that needs nothing installed: kombu's filesystem
transport under instance/queue), and serves the app with werkzeug on 127.0.0.1. The side
services are child processes, stopped when the server stops. Settings already in the
environment win.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field

from werkzeug.serving import run_simple

from marketplace import create_app
from marketplace.demo.commands import run_seed

HOST = "127.0.0.1"


@dataclass(frozen=True)
class SideService:
    """A helper process started next to the app (e.g. a fake payment provider)."""

    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)


STRIPE_PORT = int(os.environ.get("DEV_STRIPE_PORT", "8420"))
MAIL_PORT = int(os.environ.get("DEV_MAIL_PORT", "8025"))
SOCIAL_PORT = int(os.environ.get("DEV_SOCIAL_PORT", "8430"))
SOCIAL_SEED = "devtools/social_seed.json"
# Any of these in the environment means real platform apps are configured: no local stand-in.
REAL_PLATFORM_SETTINGS = ("TIKTOK_CLIENT_KEY", "INSTAGRAM_APP_ID", "GOOGLE_CLIENT_ID",
                          "TIKTOK_API_BASE", "INSTAGRAM_GRAPH_BASE", "YOUTUBE_API_BASE")


def local_platform_settings(base: str) -> dict[str, str]:
    """The settings that point every platform adapter at the local social server at `base`
    (its prefixes are listed in devtools/social_server.py), with placeholder app credentials."""
    return {
        "TIKTOK_AUTH_BASE": f"{base}/tiktok-auth", "TIKTOK_API_BASE": f"{base}/tiktok",
        "TIKTOK_SHORTLINK_BASE": f"{base}/tiktok-short",
        "FACEBOOK_DIALOG_BASE": f"{base}/facebook/v23.0",
        "INSTAGRAM_GRAPH_BASE": f"{base}/graph/v23.0",
        "GOOGLE_AUTH_BASE": f"{base}/google-accounts",
        "GOOGLE_OAUTH_BASE": f"{base}/google-oauth", "YOUTUBE_API_BASE": f"{base}/youtube/v3",
        "TIKTOK_CLIENT_KEY": "local-tiktok-key", "TIKTOK_CLIENT_SECRET": "local-tiktok-secret",
        "INSTAGRAM_APP_ID": "local-instagram-app", "INSTAGRAM_APP_SECRET": "local-ig-secret",
        "GOOGLE_CLIENT_ID": "local-google-client", "GOOGLE_CLIENT_SECRET": "local-g-secret",
        "YOUTUBE_API_KEY": "local-youtube-key",
    }
WEBHOOK_SECRET = "whsec_local_dev"


def side_services(port: int) -> list[SideService]:
    """The helper processes to start (each with its own port); skipped when the environment
    already points the app at a real service."""
    services = []
    if not os.environ.get("STRIPE_API_BASE") and not os.environ.get("STRIPE_SECRET_KEY"):
        services.append(SideService("local Stripe", [
            sys.executable, "-m", "devtools.stripe_server", "--port", str(STRIPE_PORT),
            "--webhook-url", f"http://{HOST}:{port}/webhooks/stripe",
            "--webhook-secret", WEBHOOK_SECRET]))
        os.environ.update(STRIPE_API_BASE=f"http://{HOST}:{STRIPE_PORT}",
                          STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    if not any(os.environ.get(name) for name in REAL_PLATFORM_SETTINGS):
        services.append(SideService("local TikTok/Instagram/YouTube", [
            sys.executable, "-m", "devtools.social_server", "--port", str(SOCIAL_PORT),
            "--seed", SOCIAL_SEED]))
        os.environ.update(local_platform_settings(f"http://{HOST}:{SOCIAL_PORT}"))
    if not os.environ.get("MAIL_SERVER"):
        services.append(SideService("local SMTP", [
            sys.executable, "-m", "devtools.mail_server", "--port", str(MAIL_PORT)]))
        os.environ.update(MAIL_SERVER=HOST, MAIL_PORT=str(MAIL_PORT))
    # Links in mails sent by jobs without a request (the sweeper's reminders).
    os.environ.setdefault("PUBLIC_URL", f"http://{HOST}:{port}")
    return services + job_processes()


CELERY = [sys.executable, "-m", "celery", "-A", "marketplace.jobs.worker"]


def job_processes() -> list[SideService]:
    """The Celery worker (one process, solo pool: plenty for development) and beat."""
    return [
        SideService("job worker", [*CELERY, "worker", "-P", "solo", "--loglevel=WARNING",
                                   "--without-mingle", "--without-gossip"]),
        SideService("job scheduler", [*CELERY, "beat", "--loglevel=WARNING",
                                      "-S", "marketplace.jobs.beat:LeasedScheduler"]),
    ]


def start_side_services(services: Sequence[SideService]) -> list[subprocess.Popen]:
    processes = []
    for service in services:
        print(f" * starting {service.name}: {' '.join(service.command)}", flush=True)
        processes.append(subprocess.Popen(service.command, env={**os.environ, **service.env}))
    return processes


def stop_side_services(processes: Sequence[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_answering(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except urllib.error.HTTPError:
            return True  # it answered, if only with an error status
        except OSError:
            time.sleep(0.2)
    return False


def seed_when_empty(app) -> None:
    """Seed through the local Stripe once it answers, so demo deals are really paid."""
    base = os.environ.get("STRIPE_API_BASE", "")
    local = base.startswith(f"http://{HOST}") and wait_until_answering(f"{base}/v1/balance")
    with app.app_context():
        run_seed(if_empty=True, local_stripe=local)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run Duet locally with its side services.")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default=HOST, help="Interface to listen on (default: local).")
    parser.add_argument("--debug", action="store_true", help="Werkzeug debugger (never public).")
    parser.add_argument("--seed-if-empty", action="store_true",
                        help="Seed the demo marketplace (with paid deals) into an empty database.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # `kill` (SIGTERM) unwinds like Ctrl+C, so the side services are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = start_side_services(side_services(args.port))
    try:
        app = create_app()
        if args.seed_if_empty:
            seed_when_empty(app)
        print(f" * Duet on http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False,
                   use_debugger=args.debug)
    except KeyboardInterrupt:
        pass
    finally:
        stop_side_services(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
