"""Snapshot jobs for many live posts on one process, against the local platform server
(prints figures; not a test).

    .venv/bin/python bench/snapshots.py [--posts 10000] [--creators 50] [--reference 300]

Builds a temporary SQLite database with `--posts` live TikTok deliverables (20 per deal,
spread over `--creators` creators whose accounts are connected with tokens minted by the local
server), all due for their first snapshot, starts `devtools/social_server.py`, and times one
`monitoring.take_due_snapshots(now)` pass. As a reference measured in the same run, it first
times `--reference` bare platform reads (`read_post`: the same two API calls, no database
writes), so the figure says how much of the job is the platform and how much is ours.
Prints the throughput per second and whether the whole set fits within an hour.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from devtools.social_process import platform_settings, start_social_server  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.database import utcnow  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import DealDeliverable, SocialAccount  # noqa: E402
from marketplace.models.deliverable import MetricSnapshot, VerifiedVia  # noqa: E402
from marketplace.platforms import Tokens  # noqa: E402
from marketplace.services.deals import monitoring, posts  # noqa: E402
from marketplace.services.platforms import accounts  # noqa: E402
from marketplace.services.platforms.posts import read_post  # noqa: E402

TOKEN_KEY = "kQZ3b6n5m2wO3x1rYwqS0X3d0m5l8a8rTn9f1cVZx0E="
PER_DEAL = 20


def build_app(folder: Path, base: str):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
        "INSTANCE_DIR": str(folder), "UPLOAD_DIR": str(folder / "uploads"),
        "MATCHING_DIR": str(folder / "matching"), "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SUPPRESS_SEND": True, "SOCIAL_TOKEN_KEYS": TOKEN_KEY,
        **platform_settings(base), "PLATFORM_RETRY_BACKOFF": 0,
    })


def populate(base: str, n_posts: int, n_creators: int, now) -> list[tuple[int, object]]:
    """Creators with connected TikTok accounts, deals with live posts due for a snapshot.
    Returns (creator id, PostRef) pairs for the reference reads."""
    from tests.support import factories
    from tests.support.deals import make_deal

    http = requests.Session()
    brand = factories.make_brand()
    campaign = factories.make_campaign(brand)
    creators = []
    for c in range(n_creators):
        creator = factories.make_creator(f"bench{c}")
        handle = f"bench.creator{c}"
        http.post(f"{base}/_config/accounts", json={"platform": "tiktok", "handle": handle},
                  timeout=10).raise_for_status()
        body = http.post(f"{base}/_config/tokens", json={"platform": "tiktok",
                                                         "handle": handle}, timeout=10).json()
        row = SocialAccount(creator_id=creator.id, platform="tiktok",
                            platform_user_id=body["user_id"], handle=handle, connected_at=now)
        accounts._store_tokens(row, Tokens(access_token=body["access_token"],
                                           refresh_token=body["refresh_token"],
                                           expires_at=now + timedelta(days=1)))
        db.session.add(row)
        creators.append((creator, handle))
    db.session.commit()
    made = 0
    while made < n_posts:
        creator, handle = creators[(made // PER_DEAL) % n_creators]
        count = min(PER_DEAL, n_posts - made)
        deal = make_deal(brand, creator, state="completed", campaign=campaign,
                         deliverables=[{"platform": "tiktok", "deliverable_type": "short_video",
                                        "quantity": count}], posted_at=now - timedelta(hours=2))
        posts.make_rows(deal)
        for item in deal.deliverable_items:
            post = http.post(f"{base}/_config/posts", json={
                "platform": "tiktok", "handle": handle, "caption": "#ad",
                "created_at": (now - timedelta(hours=3)).isoformat()}, timeout=10).json()
            item.live_url = f"https://www.tiktok.com/@{handle}/video/{post['id']}"
            item.post_id, item.post_handle = post["id"], handle
            item.linked_at = item.verified_at = now - timedelta(hours=2)
            item.verified_via = VerifiedVia.PLATFORM
            item.next_snapshot_at = now - timedelta(hours=1)
        db.session.commit()
        made += count
    rows = db.session.execute(select(DealDeliverable.id, DealDeliverable.live_url,
                                     DealDeliverable.deal_id)).all()
    from marketplace.models import Deal
    from marketplace.services.platforms.links import parse_post_link
    creator_of = dict(db.session.execute(select(Deal.id, Deal.creator_id)).all())
    return [(creator_of[deal_id], parse_post_link(url, "tiktok")) for _, url, deal_id in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--creators", type=int, default=50)
    parser.add_argument("--reference", type=int, default=300)
    args = parser.parse_args(argv)
    base, stop = start_social_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = build_app(Path(tmp), base)
            with app.app_context():
                db.create_all()
                now = utcnow().replace(microsecond=0)
                started = time.perf_counter()
                refs = populate(base, args.posts, args.creators, now)
                print(f"set-up: {len(refs)} live posts, {args.creators} connected creators "
                      f"in {time.perf_counter() - started:.1f} s")

                sample = refs[:args.reference]
                started = time.perf_counter()
                for creator_id, ref in sample:
                    read_post(creator_id, ref)
                ref_each = (time.perf_counter() - started) / max(1, len(sample))
                print(f"reference: bare platform read (2 API calls) {ref_each * 1000:.2f} ms "
                      f"each, {1 / ref_each:.0f}/s")

                started = time.perf_counter()
                taken = monitoring.take_due_snapshots(now)
                elapsed = time.perf_counter() - started
                stored = db.session.scalar(select(func.count(MetricSnapshot.id)))
                rate = taken / elapsed if elapsed else float("inf")
                print(f"snapshot pass: {taken} snapshots ({stored} rows) in {elapsed:.1f} s = "
                      f"{rate:.0f}/s, {elapsed / max(1, taken) * 1000:.2f} ms each "
                      f"({elapsed / max(1, taken) / ref_each:.2f}x the bare read)")
                hour = args.posts / rate if rate else float("inf")
                print(f"{args.posts} snapshots need {hour / 60:.1f} min on one process: "
                      f"{'fits' if hour <= 3600 else 'does NOT fit'} within an hour "
                      f"({hour / 3600 * 100:.0f}% of it)")
                again = monitoring.take_due_snapshots(now)
                print(f"second pass at the same time: {again} snapshots (each slot once)")
    finally:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
