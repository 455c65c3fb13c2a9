"""Where a page's time goes, in-process (prints figures; not a test).

    .venv/bin/python bench/profile_pages.py [--runs 50] [--top 25] [--pg URL] [--page NAME]

Seeds the demo marketplace (into a temporary SQLite file, or a scratch database on the
PostgreSQL server `--pg` names), logs in with the Flask test client as the demo brand and
creator, and for each main page prints the CPU milliseconds per request (process time,
warm worker), the SQL statements, and a cProfile of `--runs` requests sorted by own time
(tottime) and by cumulative time; the reference is `bench/reference.py`'s minimal page
rendered the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.demo import deals as seed_deals  # noqa: E402
from marketplace.demo import seed  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import BrandProfile, Campaign, Deal, Role, User  # noqa: E402
from marketplace.services.matching.recommendations import build  # noqa: E402


def build_app(folder: Path, db_url: str | None):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": db_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "INSTANCE_DIR": str(folder), "UPLOAD_DIR": str(folder / "uploads"),
        "MATCHING_DIR": str(folder / "matching"), "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute", "CACHE_TYPE": "SimpleCache",
    })


def pages(app) -> list[tuple[str, Role | str, str]]:
    with app.app_context():
        brand_email = seed.DEMO_LOGINS[Role.BRAND][0]
        brand = db.session.scalar(select(BrandProfile).join(User).where(User.email == brand_email))
        campaign = db.session.scalar(select(Campaign).where(Campaign.brand_id == brand.id)
                                     .order_by(Campaign.id))
        deal = db.session.scalar(select(Deal).order_by(Deal.id))
        deal_email = deal and db.session.scalar(
            select(User.email).join(BrandProfile).where(BrandProfile.id == deal.brand_id))
    found = [("creators", Role.BRAND, "/creators/"),
             ("campaigns", Role.CREATOR, "/campaigns/"),
             ("dashboard", Role.CREATOR, "/dashboard"),
             ("inbox", Role.CREATOR, "/messages/")]
    if campaign is not None:
        found.append(("campaign", Role.BRAND, f"/campaigns/{campaign.id}"))
    if deal is not None:
        found.append(("deal", deal_email, f"/deals/{deal.id}"))
    return found


def print_statements(engine, client, url: str) -> None:
    """Each SQL statement of one request, with its wall time (driver round trip included)."""
    timings: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_):
        started.append(time.perf_counter())

    def after(_conn, _cursor, statement, *_):
        timings.append(((time.perf_counter() - started.pop()) * 1e3, statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    for ms, statement in timings:
        print(f"  {ms:6.2f} ms  {' '.join(statement.split())[:160]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--pg", default=None, help="PostgreSQL server URL (default: SQLite)")
    ap.add_argument("--page", action="append", help="only these pages (by name)")
    ap.add_argument("--no-profile", action="store_true", help="CPU ms and SQL only")
    ap.add_argument("--sql", action="store_true",
                    help="also print each statement of one request with its wall time")
    a = ap.parse_args(argv)

    scratch = db_url = None
    if a.pg:
        server = make_url(a.pg)
        scratch = f"duet_prof_{uuid.uuid4().hex[:8]}"
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'CREATE DATABASE "{scratch}"'))
        db_url = server.set(database=scratch).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory(prefix="duet-prof-") as tmp:
            app = build_app(Path(tmp), db_url)
            with app.app_context():
                db.create_all()
                # What `flask seed` makes (bench/load.py serves that): the marketplace,
                # the saved matching model and the demo deals (no local Stripe).
                seed.seed_all(seed.DEFAULT_SEED)
                if "matcher" in app.extensions:
                    build()
                seed_deals.seed_deals(random.Random(seed.DEFAULT_SEED), None)
                db.session.remove()
            clients = {}
            for role in (Role.BRAND, Role.CREATOR):
                client = app.test_client()
                email, password = seed.DEMO_LOGINS[role]
                assert client.post("/auth/login", data={"email": email, "password": password}
                                   ).status_code == 302
                clients[role] = client
            with app.app_context():
                engine = db.engine
            statements = 0

            def count(*_):
                nonlocal statements
                statements += 1

            for name, role, url in pages(app):
                if a.page and name not in a.page:
                    continue
                if role not in clients:  # another demo account (the shared password)
                    clients[role] = app.test_client()
                    demo = {e: p for e, p in seed.DEMO_LOGINS.values()}
                    clients[role].post("/auth/login", data={
                        "email": role, "password": demo.get(role, seed.OTHER_PASSWORD)})
                client = clients[role]
                for _ in range(3):
                    assert client.get(url).status_code == 200, url
                event.listen(engine, "before_cursor_execute", count)
                statements = 0
                client.get(url)
                n_sql = statements
                event.remove(engine, "before_cursor_execute", count)
                if a.sql:
                    print_statements(engine, client, url)
                t0 = time.process_time()
                for _ in range(a.runs):
                    client.get(url)
                cpu = (time.process_time() - t0) / a.runs * 1e3
                print(f"\n===== {name:10} {url:28} {cpu:6.2f} ms CPU/request  SQL {n_sql}",
                      flush=True)
                if a.no_profile:
                    continue
                # Process time: what the page costs this worker's CPU, not the waits on
                # the database (whose own CPU the load test sees).
                prof = cProfile.Profile(time.process_time)
                prof.enable()
                for _ in range(a.runs):
                    client.get(url)
                prof.disable()
                for key in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(prof, stream=out).sort_stats(key).print_stats(a.top)
                    body = out.getvalue()
                    print(body[body.find("ncalls"):], flush=True)
            with app.app_context():
                db.engine.dispose()
    finally:
        if scratch:
            with create_engine(make_url(a.pg), isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
