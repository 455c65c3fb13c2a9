"""Open-loop load test of the site under gunicorn on PostgreSQL (prints figures; not a test).

    .venv/bin/python bench/load.py [--rate 200] [--duration 30] [--pg URL]   (or: make bench)

1. Creates a scratch PostgreSQL database, migrates it, seeds the demo marketplace
   (`flask seed`) and builds the matching model (`flask matching rebuild`).
2. Serves the site with gunicorn (gunicorn.conf.py, 2 workers, DUET_ENV=production) and the
   reference apps of bench/reference.py (hello-world; 24 rows from PostgreSQL with Jinja)
   with the same settings, each on a free local port.
3. Logs in as several demo brands and creators (the real log-in form, CSRF included).
4. Throughput: each page alone (issue 10's table, plus the brand dashboard and a brand's
   deal list), closed loop (16 connections, --each seconds): req/s and its
   ratio to hello-world and to the minimal real page, and the CPU milliseconds each request
   cost the server processes, PostgreSQL and this client.
5. The mix: an open-loop schedule at --rate req/s over the pages of issue 10's table, in
   turn; each request is sent at its scheduled time whatever the server is doing, and its
   latency is measured from that time (a backlog shows up as latency, not as a slower
   client). Prints p50/p95/p99 per page, errors, the rate achieved and the load average.
6. SQL statements per page (Flask test client on the same database, warm worker).
Everything started is stopped and the scratch database dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OTHER_PASSWORD = "demo-user-pass"
TIMEOUT = aiohttp.ClientTimeout(total=15)


# ------------------------------------------------------------------ processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py", module],
        cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


async def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids(where) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if where(entry):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def cpu_split(masters: list[int]) -> tuple[float, float, float]:
    """CPU seconds used so far by the served apps (gunicorn masters and their workers), by
    PostgreSQL's processes on this machine, and by this client: where a page's cost lies."""
    served = set(masters) | set(_pids(lambda e: int(
        (e / "stat").read_text().rsplit(")", 1)[1].split()[1]) in masters))
    postgres = _pids(lambda e: (e / "comm").read_text().strip() == "postgres")
    me = os.times()
    return (sum(map(_cpu_seconds, served)), sum(map(_cpu_seconds, postgres)),
            me.user + me.system)


# ------------------------------------------------------------------ who and what
@dataclass
class Target:
    name: str
    url: str
    cookie: str = ""  # "session=..." of the person asking; empty = logged out


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1e3


def pick_people(db_url: str, n: int) -> dict:
    """Demo accounts with something to show: brands with an open campaign, creators,
    parties to deals, people with conversations."""
    engine = create_engine(db_url)
    with engine.connect() as c:
        brands = c.execute(text(
            "SELECT DISTINCT ON (u.id) u.email, c.id FROM users u "
            "JOIN brand_profiles b ON b.user_id = u.id JOIN campaigns c ON c.brand_id = b.id "
            "WHERE c.status = 'OPEN' ORDER BY u.id, c.id LIMIT :n"), {"n": n}).all()
        creators = c.execute(text(
            "SELECT u.email FROM users u JOIN creator_profiles p ON p.user_id = u.id "
            "JOIN deals d ON d.creator_id = p.id GROUP BY u.id, u.email ORDER BY u.id LIMIT :n"),
            {"n": n}).scalars().all()
        deals = c.execute(text(
            "SELECT d.id, u.email FROM deals d JOIN brand_profiles b ON b.id = d.brand_id "
            "JOIN users u ON u.id = b.user_id ORDER BY d.id LIMIT :n"), {"n": n}).all()
    engine.dispose()
    return {"brands": brands, "creators": creators, "deals": deals}


def password_for(email: str) -> str:
    demo = {"brand@demo.duet": "demo-brand-pass", "creator@demo.duet": "demo-creator-pass"}
    return demo.get(email, OTHER_PASSWORD)


async def login(base: str, email: str) -> str:
    """The session cookie after the real log-in form (cookies are Secure in production, so
    they are carried by hand over plain HTTP)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=TIMEOUT) as s:
        async with s.get(f"{base}/auth/login") as r:
            html = await r.text()
            cookie = r.cookies["session"].value
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        async with s.post(f"{base}/auth/login", allow_redirects=False,
                          headers={"Cookie": f"session={cookie}"},
                          data={"csrf_token": token, "email": email,
                                "password": password_for(email)}) as r:
            if r.status != 302 or "session" not in r.cookies:
                raise RuntimeError(f"log-in failed for {email}: {r.status}")
            return f"session={r.cookies['session'].value}"


async def mix_targets(base: str, people: dict) -> dict[str, list[Target]]:
    cookies: dict[str, str] = {}
    emails = {e for e, _ in people["brands"]} | set(people["creators"]) | {
        e for _, e in people["deals"]}
    for email in sorted(emails):
        cookies[email] = await login(base, email)
    return {
        "home (logged out)": [Target("home", f"{base}/")],
        "/creators/ (brand)": [Target("creators", f"{base}/creators/", cookies[e])
                               for e, _ in people["brands"]],
        "/campaigns/ (creator)": [Target("campaigns", f"{base}/campaigns/", cookies[e])
                                  for e in people["creators"]],
        "campaign + Top matches": [Target("campaign", f"{base}/campaigns/{cid}", cookies[e])
                                   for e, cid in people["brands"]],
        "creator dashboard": [Target("dashboard", f"{base}/dashboard", cookies[e])
                              for e in people["creators"]],
        "deal page": [Target("deal", f"{base}/deals/{did}", cookies[e])
                      for did, e in people["deals"]],
        "messages inbox": [Target("inbox", f"{base}/messages/", cookies[e])
                           for e in people["creators"]],
        # Measured alone only (the mix keeps the pages of issue 10's table).
        "brand dashboard": [Target("brand-dashboard", f"{base}/dashboard", cookies[e])
                            for e, _ in people["brands"]],
        "/deals/ (brand)": [Target("deals", f"{base}/deals/", cookies[e])
                            for _, e in people["deals"]],
    }


ALONE_ONLY = ("brand dashboard", "/deals/ (brand)")


# ------------------------------------------------------------------ load
async def fetch(session: aiohttp.ClientSession, t: Target) -> bool:
    headers = {"Cookie": t.cookie} if t.cookie else {}
    try:
        async with session.get(t.url, headers=headers, allow_redirects=False) as r:
            await r.read()
            return r.status == 200
    except (TimeoutError, aiohttp.ClientError):
        return False


async def closed_loop(targets: list[Target], seconds: float, connections: int = 16
                      ) -> tuple[float, int]:
    """Requests per second with `connections` clients each sending as soon as answered."""
    done = errors = 0
    end = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=connections, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT,
                                     cookie_jar=aiohttp.DummyCookieJar()) as s:
        async def client(i: int) -> None:
            nonlocal done, errors
            while time.monotonic() < end:
                ok = await fetch(s, targets[(done + i) % len(targets)])
                done += 1
                errors += not ok
        start = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(connections)))
        elapsed = time.monotonic() - start
    return done / elapsed, errors


async def open_loop(mix: dict[str, list[Target]], rate: float, seconds: float, seed: int = 1
                    ) -> tuple[dict[str, Stats], float, float]:
    """Send request i at start + i/rate, whatever came back; latency from that time."""
    rng = random.Random(seed)
    names = list(mix)
    stats = {name: Stats() for name in names}
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=1024, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT,
                                     cookie_jar=aiohttp.DummyCookieJar()) as s:
        answered = 0

        async def one(name: str, target: Target, scheduled: float) -> None:
            nonlocal answered
            ok = await fetch(s, target)
            stats[name].latencies.append(time.perf_counter() - scheduled)
            stats[name].errors += not ok
            answered += ok

        tasks = []
        start = time.perf_counter() + 0.2
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            name = names[i % len(names)]
            tasks.append(asyncio.create_task(one(name, rng.choice(mix[name]), scheduled)))
        sent = time.perf_counter() - start
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return stats, total / sent, answered / elapsed


# ------------------------------------------------------------------ SQL per page
def statements_per_page(env: dict, people: dict) -> dict[str, int]:
    """SQL statements one request runs, counted in-process on a warm app (same database)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from marketplace import create_app
    from marketplace.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "LOGIN_RATE_LIMIT": "10000 per minute"})
    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    # Each request below runs in its own app context, as under gunicorn (a shared one would
    # keep the logged-in user in `g` and the session from one request to the next).

    def client_for(email: str):
        c = app.test_client()
        c.post("/auth/login", data={"email": email, "password": password_for(email)})
        return c
    brand_email, campaign_id = people["brands"][0]
    deal_id, deal_email = people["deals"][0]
    creator_email = people["creators"][0]
    pages = [("home (logged out)", app.test_client(), "/"),
             ("/creators/ (brand)", client_for(brand_email), "/creators/"),
             ("/campaigns/ (creator)", client_for(creator_email), "/campaigns/"),
             ("campaign + Top matches", client_for(brand_email), f"/campaigns/{campaign_id}"),
             ("full matches page", client_for(brand_email),
              f"/campaigns/{campaign_id}/matches"),
             ("creator dashboard", client_for(creator_email), "/dashboard"),
             ("deal page", client_for(deal_email), f"/deals/{deal_id}"),
             ("messages inbox", client_for(creator_email), "/messages/"),
             ("brand dashboard", client_for(brand_email), "/dashboard"),
             ("/deals/ (brand)", client_for(deal_email), "/deals/")]
    for name, client, url in pages:
        for _ in range(2):  # warm: the model, the caches, the impressions memo
            client.get(url).close()
        seen: list[str] = []

        def listener(conn, cursor, statement, *args, seen=seen) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            client.get(url).close()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts[name] = len(seen)
    engine.dispose()
    return counts


# ------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=200, help="mix requests per second")
    ap.add_argument("--duration", type=float, default=30, help="seconds of the mix")
    ap.add_argument("--each", type=float, default=5, help="seconds per closed-loop page")
    ap.add_argument("--people", type=int, default=8, help="accounts per role")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--pg", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL; a scratch database is created on it and dropped")
    a = ap.parse_args()

    server = make_url(a.pg)
    name = f"duet_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = server.set(database=name).render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="duet-bench-"))
    env = {**os.environ, "DATABASE_URL": db_url, "DUET_ENV": "production",
           "SECRET_KEY": uuid.uuid4().hex, "DUET_INSTANCE": str(work),
           "MATCHING_DIR": str(work / "matching"), "UPLOAD_DIR": str(work / "uploads"),
           "LOGIN_RATE_LIMIT": "100000 per minute", "MAIL_ENABLED": "false",
           "MAIL_SUPPRESS_SEND": "true", "WEB_WORKERS": str(a.workers),
           "LOG_LEVEL": "warning", "FLASK_APP": "wsgi"}
    procs: list[subprocess.Popen] = []
    try:
        t = time.perf_counter()
        run([PY, "-m", "flask", "db", "upgrade"], env)
        run([PY, "-m", "flask", "seed"], env)
        run([PY, "-m", "flask", "matching", "rebuild"], env)
        print(f"setup (migrate, seed, fit): {time.perf_counter() - t:.0f} s", flush=True)
        site, ref = free_port(), free_port()
        procs += [serve("wsgi:app", site, env), serve("bench.reference:app", ref, env)]
        base, ref_base = f"http://127.0.0.1:{site}", f"http://127.0.0.1:{ref}"
        asyncio.run(wait_ready(f"{base}/"))
        asyncio.run(wait_ready(f"{ref_base}/hello"))
        people = pick_people(db_url, a.people)
        mix = asyncio.run(mix_targets(base, people))
        for targets in mix.values():  # warm every worker: model mapped, templates compiled
            asyncio.run(closed_loop(targets, 1.0, 4))

        print(f"\n== throughput alone (closed loop, 16 connections, {a.each:.0f} s each; "
              f"{a.workers} gunicorn workers, {os.cpu_count()} cores)")
        servers = [p.pid for p in procs]
        references = {"hello-world": Target("hello", f"{ref_base}/hello"),
                      "minimal real page (24 rows)": Target("rows", f"{ref_base}/rows")}
        alone: dict[str, float] = {}
        # The references are measured before and after the pages (the best of the two is
        # kept), so a burst of load from elsewhere on the machine does not flatter the site.
        for page, targets in [*((k, [t]) for k, t in references.items()), *mix.items(),
                              *((k, [t]) for k, t in references.items())]:
            load1 = os.getloadavg()[0]
            before = cpu_split(servers)
            rps, errors = asyncio.run(closed_loop(targets, a.each))
            after = cpu_split(servers)
            spent = [(b - a_) / (rps * a.each) * 1e3 for a_, b in zip(before, after, strict=True)]
            alone[page] = max(rps, alone.get(page, 0.0))
            print(f"  {page:28} {rps:8.0f} req/s  errors {errors}  load {load1:.1f}  CPU ms per "
                  f"request: server {spent[0]:.2f}, PostgreSQL {spent[1]:.2f}, "
                  f"client {spent[2]:.2f}", flush=True)
        hello, minimal = (alone.pop(k) for k in references)
        print(f"  ratios (reference: hello-world {hello:.0f} req/s, minimal page "
              f"{minimal:.0f} req/s)")
        for page, rps in alone.items():
            print(f"  {page:28} {rps / hello:7.1%} of hello-world  {rps / minimal:7.1%} of "
                  f"the minimal page")

        load_before = os.getloadavg()
        stats, sent, answered = asyncio.run(open_loop(
            {k: v for k, v in mix.items() if k not in ALONE_ONLY}, a.rate, a.duration))
        load_after = os.getloadavg()
        everything = Stats([x for s in stats.values() for x in s.latencies],
                           sum(s.errors for s in stats.values()))
        print(f"\n== open-loop mix at {a.rate:.0f} req/s for {a.duration:.0f} s "
              f"(sent at {sent:.0f} req/s, answered {answered:.0f} req/s); latency from each "
              f"request's scheduled time")
        print(f"  {'page':26} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for page, s in [*stats.items(), ("ALL", everything)]:
            print(f"  {page:26} {len(s.latencies):6} {s.pct(50):8.1f} {s.pct(95):8.1f} "
                  f"{s.pct(99):8.1f} {s.errors:7}")
        print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
              f"(1 min; {os.cpu_count()} cores)")
        target_ok = everything.pct(95) <= 50 and everything.errors == 0
        print(f"  target p95 <= 50 ms and 0 errors at {a.rate:.0f} req/s: "
              f"{'met' if target_ok else 'NOT met'}")
        low = [p for p, r in alone.items() if p != "home (logged out)" and r < 0.25 * minimal]
        print(f"  every list/dashboard page >= 25% of the minimal page: "
              f"{'met' if not low else 'NOT met: ' + ', '.join(low)}")
    finally:
        for p in procs:
            stop(p)
    try:
        counts = statements_per_page({k: v for k, v in env.items()
                                      if k not in ("DUET_ENV",)}, people)
        print("\n== SQL statements per request (warm worker)")
        for page, n in counts.items():
            print(f"  {page:26} {n:4}")
    finally:
        admin.dispose()
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
