"""Time the campaign report (prints figures; not a test).

    .venv/bin/python bench/report.py [--deals 50] [--snapshots 30] [--runs 40]

Builds, in a temporary SQLite database, a campaign with `--deals` funded deals (one posted
TikTok video each) and `--snapshots` metric snapshots per post, logs in as its brand with
the Flask test client and requests the report page `--runs` times: median and p95 in ms and
the SQL statements per request (the number to watch for N+1 queries). It also times the
figures alone, the two charts alone, and, as a reference measured in the same run, the
campaign's own page; the target is a report p95 under 150 ms with its charts. The PDF is
timed in its two halves: asking for it (the POST: the print HTML rendered and the job
queued, what the brand waits for) and printing it (the job, in a worker).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, event, select  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.database import utcnow  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import Campaign  # noqa: E402
from marketplace.models.deliverable import DealDeliverable, MetricSnapshot  # noqa: E402
from marketplace.models.document import GeneratedDocument  # noqa: E402
from marketplace.printing import render_pdf  # noqa: E402
from marketplace.services.deals import result_charts, results  # noqa: E402
from tests.support import factories  # noqa: E402
from tests.support.deals import make_deal  # noqa: E402


def build_app(folder: Path):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
        "INSTANCE_DIR": str(folder), "UPLOAD_DIR": str(folder / "uploads"),
        "MATCHING_DIR": str(folder / "matching"), "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute", "MATCHING_ENABLED": False,
        "CELERY_BROKER_URL": "memory://",  # jobs queued, none run: the print is timed apart
    })


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def seed(deals: int, snapshots: int) -> tuple[int, str]:
    brand = factories.make_brand("benchbrand")
    campaign = factories.make_campaign(brand, budget=(100000, 5_000_000))
    start = utcnow() - timedelta(days=40)
    for n in range(deals):
        creator = factories.make_creator(f"bench{n}", display_name=f"Creator {n}")
        deal = make_deal(brand, creator, campaign=campaign, state="paid_out",
                         price_cents=20000 + 1000 * n, posts_required=True, posted_at=start)
        post = DealDeliverable(deal_id=deal.id, position=0, platform="tiktok",
                               deliverable_type="short_video", is_posted=True,
                               live_url=f"https://www.tiktok.com/@bench{n}/video/{n}",
                               linked_at=start, verified_at=start, verified_via="platform")
        db.session.add(post)
        db.session.flush()
        db.session.add_all(MetricSnapshot(
            deliverable_id=post.id, source="platform" if i % 10 else "creator",
            slot=f"s{i}" if i % 10 else None, taken_at=start + timedelta(hours=6 * i),
            views=(n + 1) * 100 * (i + 1), likes=(n + 1) * 9 * (i + 1),
            comments=None if n % 7 == 0 else i, shares=i) for i in range(snapshots))
    db.session.commit()
    return campaign.id, brand.user.email


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up: template compilation, imports
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=50)
    parser.add_argument("--snapshots", type=int, default=30)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="duet-bench-") as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            campaign_id, email = seed(args.deals, args.snapshots)
            print(f"Seeded {args.deals} deals x {args.snapshots} snapshots in "
                  f"{time.perf_counter() - t0:.1f} s")
            campaign = db.session.get(Campaign, campaign_id)
            report = results.campaign_report(campaign)
            figures = timed(lambda: results.campaign_report(campaign), args.runs)
            charts = timed(lambda: (result_charts.views_chart(report.posts),
                                    result_charts.creators_chart(report.creators, "USD")),
                           args.runs)
            engine = db.engine
            db.session.remove()

        client = app.test_client()
        response = client.post("/auth/login",
                               data={"email": email, "password": factories.PASSWORD})
        if response.status_code != 302:
            print("Could not log in as the brand", file=sys.stderr)
            return 1
        statements = 0

        def count(*_):
            nonlocal statements
            statements += 1

        def page(url):
            def get():
                nonlocal statements
                statements = 0
                assert client.get(url).status_code == 200, url
            return get

        event.listen(engine, "before_cursor_execute", count)
        rows = []
        for name, url in (("campaign page (reference)", f"/campaigns/{campaign_id}"),
                          ("campaign report page", f"/campaigns/{campaign_id}/report")):
            timings = timed(page(url), args.runs)
            rows.append((name, timings, statements))
        event.remove(engine, "before_cursor_execute", count)

        def ask_pdf() -> float:
            """One POST of the PDF button for a report never asked for before."""
            with app.app_context():
                db.session.execute(delete(GeneratedDocument))
                db.session.commit()
            t0 = time.perf_counter()
            response = client.post(f"/campaigns/{campaign_id}/report.pdf")
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 302, response.status_code
            return elapsed

        ask_pdf()  # warm-up
        asks = [ask_pdf() for _ in range(args.runs)]
        with app.app_context():
            html = db.session.scalar(select(GeneratedDocument.html))
        pdf = timed(lambda: render_pdf(html), 3)

        print(f"\n{'what':<34} {'median ms':>9} {'p95 ms':>8} {'SQL':>5}")
        print(f"{'report figures (service)':<34} {statistics.median(figures):>9.1f} "
              f"{percentile(figures, 95):>8.1f}     3")
        print(f"{'two charts (pygal SVG)':<34} {statistics.median(charts):>9.1f} "
              f"{percentile(charts, 95):>8.1f}     0")
        for name, timings, sql in rows:
            print(f"{name:<34} {statistics.median(timings):>9.1f} "
                  f"{percentile(timings, 95):>8.1f} {sql:>5}")
        print(f"{'report PDF asked (POST)':<34} {statistics.median(asks):>9.1f} "
              f"{percentile(asks, 95):>8.1f}")
        print(f"{'report PDF printed (job, 3 runs)':<34} {statistics.median(pdf):>9.1f} "
              f"{max(pdf):>8.1f}")
        reference, report_page = rows[0][1], rows[1][1]
        p95 = percentile(report_page, 95)
        print(f"\nreport p95 {p95:.1f} ms (target < 150 ms: {'met' if p95 < 150 else 'MISSED'});"
              f" {statistics.median(report_page) / statistics.median(reference):.1f}x the "
              f"campaign page's median")
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
