"""Time the busiest pages on the default demo data set (prints figures; not a test).

    .venv/bin/python bench/bench_pages.py [--runs 30] [--seed 42]

Seeds a temporary SQLite database, logs in as the demo brand with the Flask test client and
requests each page `--runs` times, printing the median and 95th-percentile time and how many
SQL statements one request runs (the number to watch for N+1 queries).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from marketplace import create_app
from marketplace.demo import seed  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import Role  # noqa: E402

PAGES = [
    "/dashboard",
    "/creators/",
    "/creators/?niche=fitness",
    "/creators/?niche=beauty&platform=tiktok&min_followers=10000",
    "/creators/?country=US&max_price=500&sort=followers",
    "/creators/?q=skincare&min_engagement=4",
    "/creators/?page=5",
    "/campaigns/",
    "/campaigns/?niche=skincare",
]


def build_app(folder: Path):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
        "INSTANCE_DIR": str(folder), "UPLOAD_DIR": str(folder / "uploads"),
        "MATCHING_DIR": str(folder / "matching"), "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute",
    })


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=seed.DEFAULT_SEED)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="duet-bench-") as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            seed.seed_all(args.seed)
            print(f"Seeded the default demo set in {time.perf_counter() - started:.1f} s")
            engine = db.engine
            db.session.remove()

        client = app.test_client()
        email, password = seed.DEMO_LOGINS[Role.BRAND]
        response = client.post("/auth/login", data={"email": email, "password": password})
        if response.status_code != 302:
            print("Could not log in as the demo brand", file=sys.stderr)
            return 1

        statements = 0

        def count(*_):
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        print(f"\n{'page':<62} {'median ms':>9} {'p95 ms':>8} {'SQL':>5}")
        for url in PAGES:
            client.get(url)  # warm-up: template compilation, caches
            timings = []
            for _ in range(args.runs):
                statements = 0
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            status = "" if response.status_code == 200 else f"  (HTTP {response.status_code})"
            print(f"{url:<62} {statistics.median(timings):>9.1f} "
                  f"{percentile(timings, 95):>8.1f} {statements:>5}{status}")
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
