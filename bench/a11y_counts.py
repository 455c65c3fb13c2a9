"""Per-page accessibility figures: axe-core's WCAG 2.1 A/AA violations on every main page for
each role (prints a table; not a test — `tests/e2e/test_accessibility.py` is the check).

    .venv/bin/python bench/a11y_counts.py [--json out.json] [--only brand]

Serves the demo marketplace (tests/e2e/a11y_site.py, with its own local Stripe) and opens each
page of `PAGES` in Chromium. For each page: how many rules fail and on how many elements,
split by impact (critical, serious, moderate, minor), and the failing rule ids.
Needs `npm ci` (axe-core) and Debian's chromium, like the browser tests.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.a11y_site import PAGES, ROLES, demo_site, logged_in_context, open_page  # noqa: E402
from tests.e2e.axe import axe_violations  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: E402

IMPACTS = ("critical", "serious", "moderate", "minor")
# (role, page name) of PAGES shot by --screens, at each width of WIDTHS.
SCREENS = [("visitor", "home"), ("brand", "campaign page"), ("brand", "deal submitted"),
           ("creator", "deal completed"), ("brand", "notifications"), ("creator", "packages")]
WIDTHS = {"desktop": 1280, "phone": 390}


def take_screens(browser, site, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for role, name in SCREENS:
        entry = next(p for p in PAGES if (p.role, p.name) == (role, name))
        for label, width in WIDTHS.items():
            context = logged_in_context(browser, site.url, role,
                                        viewport={"width": width, "height": 900})
            page, _ = open_page(context, entry.url(site.ids))
            slug = f"{role}-{name}".replace(" ", "-")
            page.screenshot(path=str(folder / f"{slug}-{label}.png"), full_page=True)
            context.close()


def measure(only: str | None, screens: Path | None = None) -> list[dict]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    rows = []
    with tempfile.TemporaryDirectory() as folder, demo_site(Path(folder)) as site, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS)
        for role in ROLES:
            if only and role != only:
                continue
            context = logged_in_context(browser, site.url, role)
            for entry in (p for p in PAGES if p.role == role):
                page, status = open_page(context, entry.url(site.ids))
                found = axe_violations(page)
                practice = axe_violations(page, {"type": "tag", "values": ["best-practice"]})
                page.close()
                elements = Counter()
                for v in found:
                    elements[v.impact] += len(v.nodes)
                rows.append({"page": entry.key, "status": status,
                             "rules": {v.rule: len(v.nodes) for v in found},
                             "impacts": {i: sum(1 for v in found if v.impact == i)
                                         for i in IMPACTS},
                             "elements": dict(elements),
                             "best_practice": {v.rule: len(v.nodes) for v in practice},
                             "nodes": [[v.rule, target, summary] for v in found + practice
                                       for target, summary in v.nodes]})
            context.close()
        if screens:
            take_screens(browser, site, screens)
        browser.close()
    return rows


def print_table(rows: list[dict]) -> None:
    width = max(len(r["page"]) for r in rows) + 2
    print(f"{'page':<{width}} http  crit  ser  mod  min  elements  rules")
    for r in rows:
        i, n = r["impacts"], sum(r["elements"].values())
        rules = ", ".join(f"{k}×{c}" for k, c in sorted(r["rules"].items()))
        practice = ", ".join(f"{k}×{c}" for k, c in sorted(r["best_practice"].items()))
        print(f"{r['page']:<{width}} {r['status']:>4} {i['critical']:>5} {i['serious']:>4} "
              f"{i['moderate']:>4} {i['minor']:>4} {n:>9}  {rules}"
              + (f"  [best practice: {practice}]" if practice else ""))
    blocking = [r for r in rows if r["impacts"]["critical"] or r["impacts"]["serious"]]
    totals = Counter()
    for r in rows:
        totals.update(r["elements"])
    print(f"\n{len(rows)} pages; {len(blocking)} with a serious or critical violation; "
          f"elements failing: " + ", ".join(f"{k} {totals[k]}" for k in IMPACTS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--only", choices=ROLES, help="one role's pages")
    parser.add_argument("--screens", type=Path,
                        help="also save screenshots of a few pages (desktop and phone) here")
    args = parser.parse_args()
    rows = measure(args.only, args.screens)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
