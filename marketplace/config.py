"""Settings read from the environment when the app is created (never at import time)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _dev_secret_key(instance: Path) -> str:
    """A random key generated once and kept under instance/, so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _int(env: dict, name: str, default: int) -> int:
    return int(env.get(name, default))


def load(env: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables (see README)."""
    env = dict(os.environ if env is None else env)
    flask_env = env.get("DUET_ENV", "development")
    production = flask_env == "production"
    instance = Path(env.get("DUET_INSTANCE", INSTANCE))
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set when DUET_ENV=production")
        secret = _dev_secret_key(instance)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'duet.sqlite3'}"
    redis_url = env.get("REDIS_URL") or None
    return {
        "ENV_NAME": flask_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(instance / "uploads")),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Printed PDFs (services/documents/pdfs.py); empty: `documents` inside INSTANCE_DIR.
        # Web and worker processes must share it (the worker writes, the web serves).
        "DOCUMENTS_DIR": env.get("DOCUMENTS_DIR", ""),
        # A PDF still queued after this long (its job lost) may be asked for again.
        "DOCUMENT_STALE_SECONDS": _int(env, "DOCUMENT_STALE_SECONDS", 300),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Directory results (marketplace/fragments.py): shared through Redis in production,
        # one in-process cache per worker otherwise; tests use NullCache unless they opt in.
        "CACHE_TYPE": env.get("CACHE_TYPE") or ("RedisCache" if redis_url else "SimpleCache"),
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "duet:",
        # How stale a directory page may be: a new or edited creator or campaign shows in
        # /creators/ and /campaigns/ within this many seconds.
        "LIST_CACHE_SECONDS": _int(env, "LIST_CACHE_SECONDS", 30),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "5 per minute"),
        "PORT": _int(env, "PORT", 5000),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "PER_PAGE": _int(env, "PER_PAGE", 24),
        # Impressions of the same list by the same viewer within this window count once.
        "IMPRESSION_WINDOW_MINUTES": _int(env, "IMPRESSION_WINDOW_MINUTES", 30),
        # With no saved model, pages rank with default weights over a matcher fitted in memory
        # up to this many creators (beyond it they show "matches are being prepared").
        "MATCHING_INLINE_MAX_CREATORS": _int(env, "MATCHING_INLINE_MAX_CREATORS", 5000),
        # How often a process asks for a newer matching model or index changes (seconds):
        # how long an edit may take to show in the rankings.
        "MATCHING_CHECK_SECONDS": float(env.get("MATCHING_CHECK_SECONDS", 1)),
        "MAIL_ENABLED": env.get("MAIL_ENABLED", "true").lower() in ("1", "true", "yes", "on"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 8025),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Duet <no-reply@duet.local>"),
        "MAIL_SUPPRESS_SEND": env.get("MAIL_SUPPRESS_SEND", "false").lower() in ("1", "true"),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR", str(instance / "outbox")),
        "REVIEW_WINDOW_DAYS": _int(env, "REVIEW_WINDOW_DAYS", 14),
        # Deal deadlines (services/deals/schedule.py and deadlines.py), documented in README.
        "OFFER_TTL_HOURS": _int(env, "OFFER_TTL_HOURS", 72),
        "AUTO_APPROVE_DAYS": _int(env, "AUTO_APPROVE_DAYS", 3),
        "DEAL_FUNDING_DAYS": _int(env, "DEAL_FUNDING_DAYS", 7),
        # Deal schedule (services/deals/schedule.py): days from the payout to the creator's bank.
        "PAYOUT_ARRIVAL_DAYS": _int(env, "PAYOUT_ARRIVAL_DAYS", 2),
        # Posting: days the creator has to post after approval, and days the brand has to
        # check the linked posts before they count as confirmed (silence is consent).
        "POST_DAYS": _int(env, "POST_DAYS", 3),
        "POST_CONFIRM_DAYS": _int(env, "POST_CONFIRM_DAYS", 2),
        # Monitoring (services/deals/monitoring.py): hours after a post is live at which its
        # numbers are read, and the first wait before retrying a failed platform check
        # (doubled per attempt, at most POST_CHECK_RETRY_MAX_MINUTES).
        "SNAPSHOT_OFFSETS_HOURS": tuple(int(h) for h in env.get(
            "SNAPSHOT_OFFSETS_HOURS", "1,24,72,168,336,720").split(",") if h.strip()),
        "POST_CHECK_RETRY_MINUTES": _int(env, "POST_CHECK_RETRY_MINUTES", 5),
        "POST_CHECK_RETRY_MAX_MINUTES": _int(env, "POST_CHECK_RETRY_MAX_MINUTES", 360),
        # Absolute address of the site for links in e-mail (needed when jobs run from cron).
        "PUBLIC_URL": env.get("PUBLIC_URL", ""),
        # Largest draft (video or image) a creator can upload with a submission.
        "DRAFT_MAX_MB": _int(env, "DRAFT_MAX_MB", 100),
        # Payments (services/stripe_gateway.py). STRIPE_API_BASE points at the local Stripe in
        # development and tests; unset in production.
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", "sk_test_local"),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY", "pk_test_local"),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", "whsec_local"),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "STRIPE_JS_URL": env.get("STRIPE_JS_URL") or (
            f"{env['STRIPE_API_BASE'].rstrip('/')}/js.stripe.com/v3/"
            if env.get("STRIPE_API_BASE") else "https://js.stripe.com/v3/"),
        "BRAND_FEE_BPS": _int(env, "BRAND_FEE_BPS", 0),
        "CREATOR_FEE_BPS": _int(env, "CREATOR_FEE_BPS", 1000),
        # Tax on price + brand fee, in basis points (2000 = 20 %); zero unless configured.
        "TAX_RATE_BPS": _int(env, "TAX_RATE_BPS", 0),
        "TAX_LABEL": env.get("TAX_LABEL", "Tax"),
        # Invoices (services/payments/invoices.py): DUET-2026-000123, seller on every invoice.
        "INVOICE_PREFIX": env.get("INVOICE_PREFIX", "DUET"),
        "INVOICE_SELLER": env.get("INVOICE_SELLER", "Duet Marketplace Inc.\n"
                                  "100 Example Street\nSan Francisco, CA 94105, USA"),
        "INVOICE_SELLER_TAX_ID": env.get("INVOICE_SELLER_TAX_ID", ""),
        # Platform adapters (marketplace/platforms/): app credentials and API base URLs. The
        # defaults are the real platforms; `make run` points them at devtools/social_server.py.
        "TIKTOK_CLIENT_KEY": env.get("TIKTOK_CLIENT_KEY", ""),
        "TIKTOK_CLIENT_SECRET": env.get("TIKTOK_CLIENT_SECRET", ""),
        "TIKTOK_AUTH_BASE": env.get("TIKTOK_AUTH_BASE", "https://www.tiktok.com"),
        "TIKTOK_API_BASE": env.get("TIKTOK_API_BASE", "https://open.tiktokapis.com"),
        "TIKTOK_SHORTLINK_BASE": env.get("TIKTOK_SHORTLINK_BASE", ""),
        "INSTAGRAM_APP_ID": env.get("INSTAGRAM_APP_ID", ""),
        "INSTAGRAM_APP_SECRET": env.get("INSTAGRAM_APP_SECRET", ""),
        "FACEBOOK_DIALOG_BASE": env.get("FACEBOOK_DIALOG_BASE", "https://www.facebook.com/v23.0"),
        "INSTAGRAM_GRAPH_BASE": env.get("INSTAGRAM_GRAPH_BASE",
                                        "https://graph.facebook.com/v23.0"),
        "GOOGLE_CLIENT_ID": env.get("GOOGLE_CLIENT_ID", ""),
        "GOOGLE_CLIENT_SECRET": env.get("GOOGLE_CLIENT_SECRET", ""),
        "GOOGLE_AUTH_BASE": env.get("GOOGLE_AUTH_BASE", "https://accounts.google.com"),
        "GOOGLE_OAUTH_BASE": env.get("GOOGLE_OAUTH_BASE", "https://oauth2.googleapis.com"),
        "YOUTUBE_API_BASE": env.get("YOUTUBE_API_BASE", "https://www.googleapis.com/youtube/v3"),
        "YOUTUBE_API_KEY": env.get("YOUTUBE_API_KEY", ""),
        "PLATFORM_HTTP_TIMEOUT": float(env.get("PLATFORM_HTTP_TIMEOUT", 10)),
        "PLATFORM_HTTP_RETRIES": _int(env, "PLATFORM_HTTP_RETRIES", 3),
        "PLATFORM_RETRY_BACKOFF": float(env.get("PLATFORM_RETRY_BACKOFF", 0.5)),
        "PLATFORM_MAX_RETRY_AFTER": float(env.get("PLATFORM_MAX_RETRY_AFTER", 30)),
        # Fernet keys for platform tokens at rest, comma-separated, newest first (rotation:
        # prepend a new key, run `flask platforms rotate-tokens`, then drop the old one).
        # Unset: a key derived from SECRET_KEY (development only; set it in production).
        "SOCIAL_TOKEN_KEYS": env.get("SOCIAL_TOKEN_KEYS", ""),
        # Job queue (marketplace/jobs/): Redis in production; by default kombu's filesystem
        # transport under instance/queue, which needs nothing installed (`make run`).
        "CELERY_BROKER_URL": env.get("CELERY_BROKER_URL") or "filesystem://",
        # Folder of the filesystem broker; empty: `queue` inside INSTANCE_DIR.
        "CELERY_QUEUE_DIR": env.get("CELERY_QUEUE_DIR", ""),
        "CELERY_QUEUE": env.get("CELERY_QUEUE", "duet"),
        # Prefix of every broker key (lets several sites or test sessions share one Redis).
        "CELERY_KEY_PREFIX": env.get("CELERY_KEY_PREFIX", ""),
        # Run tasks in the caller right after the commit (tests of the SQLite pass only).
        "CELERY_TASK_ALWAYS_EAGER": env.get("CELERY_TASK_ALWAYS_EAGER", "false").lower()
        in ("1", "true"),
        "JOB_MAX_RETRIES": _int(env, "JOB_MAX_RETRIES", 6),
        # Backoff between attempts: base * 2**attempt seconds, capped (30 s, 1 min, ... 16 min).
        "JOB_RETRY_BASE_SECONDS": float(env.get("JOB_RETRY_BASE_SECONDS", 30)),
        "JOB_RETRY_MAX_SECONDS": float(env.get("JOB_RETRY_MAX_SECONDS", 3600)),
        "SWEEP_SECONDS": float(env.get("SWEEP_SECONDS", 60)),
        "MATCHING_REBUILD_SECONDS": float(env.get("MATCHING_REBUILD_SECONDS", 3600)),
        # The one scheduler holds the `beat` lease; a second beat waits until it expires.
        "BEAT_LEASE_SECONDS": _int(env, "BEAT_LEASE_SECONDS", 60),
    }
