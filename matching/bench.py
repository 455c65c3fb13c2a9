"""Latency / memory / fit-time benchmark on synthetic marketplaces.

    python -m matching.bench --creators 100000 1000000 [--workers 4]

For each size the parent process generates creators (vectorised numpy + one pass to
build the dataclasses), times ``Matcher.fit`` (TF-IDF+SVD fitted on a 50k-doc sample,
then applied to all), saves the model, and starts a fresh *serving* process that loads
it, so the reported RSS is what a web worker holding the model would use (not the
generator's garbage). BLAS threads are pinned with threadpoolctl (default 2 = cores).
Then one process holding its own copy of the model (``Matcher.load(mmap=False)``) and
``--workers`` processes mapping the same saved files (``mmap=True``, as web workers do) each
serve queries; their RSS, PSS and USS come from /proc/<pid>/smaps_rollup (PSS counts a
shared page once across the processes, so its sum is the machine's real memory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def _rss_mb() -> tuple[float, float]:
    vals = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                vals[k] = int(v.split()[0]) / 1024
    return vals.get("VmRSS", 0.0), vals.get("VmHWM", 0.0)


def _pct(xs, p) -> float:
    return float(np.percentile(np.asarray(xs) * 1e3, p))


def serve(path: str, n: int, threads: int, queries: int) -> dict:
    from threadpoolctl import threadpool_limits

    from .matcher import Matcher
    from .synthetic import make_campaigns, make_creators

    threadpool_limits(threads)
    t = time.perf_counter()
    m = Matcher.load(path)
    load_s = time.perf_counter() - t
    rss, _ = _rss_mb()
    camps = make_campaigns(queries + 100, seed=4242, id_offset=10_000_000)
    for c in camps[:20]:  # warm-up
        m.rank_creators(c, 10)
    lat, cpu = [], []
    for c in camps[:queries]:
        t, tc = time.perf_counter(), time.process_time()
        m.rank_creators(c, 10)
        lat.append(time.perf_counter() - t)
        cpu.append(time.process_time() - tc)
    rc = []
    extra, *_ = make_creators(1000, seed=99, id_offset=50_000_000)
    for cr in extra[:200]:
        t = time.perf_counter()
        m.rank_campaigns(cr, 10)
        rc.append(time.perf_counter() - t)
    add = []
    for cr in extra:
        t = time.perf_counter()
        m.add_creator(cr)
        add.append(time.perf_counter() - t)
    rem = []
    for cr in extra:
        t = time.perf_counter()
        m.remove_creator(cr.id)
        rem.append(time.perf_counter() - t)
    batch = camps[queries : queries + 100]
    t = time.perf_counter()
    m.rank_creators_batch(batch, 10)
    batch_s = time.perf_counter() - t
    ex = []
    for c in camps[:100]:
        ids = [x.id for x in m.rank_creators(c, 10)]
        t = time.perf_counter()
        m.explain(c, ids)
        ex.append(time.perf_counter() - t)
    rss2, hwm = _rss_mb()
    return {"n": n, "load_s": load_s, "rss_mb": rss, "rss_after_mb": rss2, "hwm_mb": hwm,
            "p50_ms": _pct(lat, 50), "p95_ms": _pct(lat, 95), "p99_ms": _pct(lat, 99),
            "cpu_p50_ms": _pct(cpu, 50), "cpu_p95_ms": _pct(cpu, 95),
            "rank_campaigns_p50_ms": _pct(rc, 50), "add_p50_ms": _pct(add, 50),
            "add_p95_ms": _pct(add, 95), "remove_p95_ms": _pct(rem, 95),
            "batch100_s": batch_s, "explain10_p50_ms": _pct(ex, 50),
            "explain10_p95_ms": _pct(ex, 95), "n_campaigns": m.n_campaigns}


def _smaps_rollup(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private pages) of a process in MB, from /proc/<pid>/smaps_rollup."""
    vals: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                vals[parts[0][:-1]] = int(parts[1]) / 1024
    return {"rss": vals.get("Rss", 0.0), "pss": vals.get("Pss", 0.0),
            "uss": vals.get("Private_Clean", 0.0) + vals.get("Private_Dirty", 0.0)}


def hold(path: str, mmap: bool, threads: int) -> None:
    """A serving worker: load the model (shared files or a private copy), answer queries so
    the pages a worker really touches are resident, report ready, stay up until stdin closes."""
    from threadpoolctl import threadpool_limits

    from .matcher import Matcher
    from .synthetic import make_campaigns, make_creators

    threadpool_limits(threads)
    m = Matcher.load(path, mmap=mmap)
    for c in make_campaigns(50, seed=7, id_offset=20_000_000):
        m.rank_creators(c, 10)
    extra, *_ = make_creators(20, seed=8, id_offset=60_000_000)
    for cr in extra:  # a few index changes replayed, as a live worker does
        m.add_creator(cr)
        m.rank_campaigns(cr, 10)
    print("ready", flush=True)
    sys.stdin.read()


def shared_memory(path: str, workers: int, threads: int) -> dict:
    """Memory of `workers` processes mapping one saved model against one process holding
    its own copy (each measured while all are up, after serving queries)."""
    def start(mmap: bool) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-m", "matching.bench", "--hold", path,
                              "--mmap" if mmap else "--copy", "--threads", str(threads)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("serving process failed")
        return p

    def stop(procs: list[subprocess.Popen]) -> None:
        for p in procs:
            p.stdin.close()
            p.wait()

    one = start(False)
    copy = _smaps_rollup(one.pid)
    stop([one])
    procs = [start(True) for _ in range(workers)]
    each = [_smaps_rollup(p.pid) for p in procs]
    stop(procs)
    total = {k: sum(e[k] for e in each) for k in ("rss", "pss", "uss")}
    return {"copy": copy, "each": each, "total": total, "workers": workers}


def _folder_mb(path: str) -> float:
    from .persist import arrays_dir

    folder = arrays_dir(path)
    extra = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) \
        if os.path.isdir(folder) else 0
    return (os.path.getsize(path) + extra) / 2**20


def run_size(n: int, threads: int, queries: int, workers: int = 4) -> None:
    from threadpoolctl import threadpool_limits

    from .matcher import Matcher
    from .synthetic import make_campaigns, make_creators

    threadpool_limits(threads)
    t = time.perf_counter()
    creators, *_ = make_creators(n, seed=n)
    campaigns = make_campaigns(1000, seed=n + 1)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    m = Matcher(random_state=0).fit(creators, campaigns)
    fit_s = time.perf_counter() - t
    del creators
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "matcher.joblib")
        t = time.perf_counter()
        m.save(path)
        save_s = time.perf_counter() - t
        size_mb = _folder_mb(path)
        del m
        out = subprocess.run(
            [sys.executable, "-m", "matching.bench", "--serve", path, "--n", str(n),
             "--threads", str(threads), "--queries", str(queries)],
            check=True, capture_output=True, text=True)
        mem = shared_memory(path, workers, threads) if workers else None
    r = json.loads(out.stdout.strip().splitlines()[-1])
    load1 = f"{os.getloadavg()[0]:.2f}"
    print(f"== {n:,} creators ({r['n_campaigns']} campaigns), BLAS threads={threads}, "
          f"{os.cpu_count()} cores, load average {load1}")
    print(f"  generate data          {gen_s:8.1f} s   (not part of fit)")
    print(f"  fit (full rebuild)     {fit_s:8.1f} s")
    print(f"  save                   {save_s:8.1f} s   file {size_mb:.0f} MB; "
          f"load {r['load_s']:.1f} s")
    print(f"  serving RSS            {r['rss_mb']:8.0f} MB  after loading "
          f"({r['rss_after_mb']:.0f} MB after queries, peak {r['hwm_mb']:.0f} MB)")
    print(f"  rank_creators k=10     p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  "
          f"p99 {r['p99_ms']:.2f} ms  ({queries} campaigns, filters + re-ranking)")
    print(f"    (process CPU time, all threads: p50 {r['cpu_p50_ms']:.2f} ms  "
          f"p95 {r['cpu_p95_ms']:.2f} ms; wall-clock is inflated when other jobs share cores)")
    print(f"  rank_campaigns k=10    p50 {r['rank_campaigns_p50_ms']:.2f} ms")
    print(f"  add_creator            p50 {r['add_p50_ms']:.3f} ms  p95 {r['add_p95_ms']:.3f} ms"
          f"   remove_creator p95 {r['remove_p95_ms']:.3f} ms")
    print(f"  100 campaigns, batch   {r['batch100_s'] * 1e3:8.0f} ms")
    print(f"  explain top-10         p50 {r['explain10_p50_ms']:.3f} ms  "
          f"p95 {r['explain10_p95_ms']:.3f} ms")
    if mem:
        c, t, w = mem["copy"], mem["total"], mem["workers"]
        print(f"  one process, own copy  RSS {c['rss']:7.0f} MB  PSS {c['pss']:7.0f} MB  "
              f"USS {c['uss']:7.0f} MB")
        each = ", ".join(f"{e['rss']:.0f}" for e in mem["each"])
        print(f"  {w} workers, shared     sum RSS {t['rss']:7.0f} MB  sum PSS {t['pss']:7.0f} MB"
              f"  sum USS {t['uss']:7.0f} MB  (each RSS {each})")
        ratio = t["pss"] / c["pss"]
        print(f"  {w} workers use {ratio:.2f}x the memory of one copy (sum of PSS: shared "
              f"pages counted once; target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description="Duet matching benchmark")
    ap.add_argument("--creators", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--workers", type=int, default=4,
                    help="serving processes sharing the model files (0: skip)")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--hold", help=argparse.SUPPRESS)
    ap.add_argument("--mmap", dest="mmap", action="store_true", default=True,
                    help=argparse.SUPPRESS)
    ap.add_argument("--copy", dest="mmap", action="store_false", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        print(json.dumps(serve(a.serve, a.n, a.threads, a.queries)))
        return
    if a.hold:
        hold(a.hold, a.mmap, a.threads)
        return
    for n in a.creators:
        run_size(n, a.threads, a.queries, a.workers)


if __name__ == "__main__":
    main()
