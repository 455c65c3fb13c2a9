"""axe-core in the browser: run the WCAG 2.0/2.1 A and AA rules on the page Chromium shows.

axe-core comes from the npm registry (`package.json` at the repo root, `npm ci`; `make test`
installs it) and is read from `node_modules/`, never from a CDN. It is evaluated through the
DevTools protocol (`page.evaluate`), which the site's Content-Security-Policy does not
govern, so the test needs no CSP bypass and the page runs under its real policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

RUN_AXE = """async (runOnly) => {
  const results = await axe.run(document, {runOnly, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    nodes: tuple[tuple[str, str], ...]  # (CSS target, failure summary)

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run `npm ci --no-audit --no-fund` at the repo root "
            "(`make test` does it)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page, run_only: dict | None = None) -> list[Violation]:
    """Every violation axe finds on the page as it is now: by default of the WCAG 2.1 A/AA
    rules; `run_only` is axe's option, e.g. {"type": "rule", "values": BEST_PRACTICE_RULES}."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN_AXE, run_only or {"type": "tag", "values": WCAG_TAGS})
    return [Violation(v["id"], v["impact"] or "minor", v["help"],
                      tuple((n["target"], n["summary"]) for n in v["nodes"])) for v in found]


def describe(violations: list[Violation], limit: int = 6) -> str:
    """Rule id, impact, each failing target and axe's summary, for a failure message."""
    lines = []
    for v in violations:
        lines.append(f"- {v.rule} ({v.impact}, {len(v.nodes)} element(s)): {v.help}")
        for target, summary in v.nodes[:limit]:
            first = summary.splitlines()[1].strip() if "\n" in summary else summary
            lines.append(f"    {target}: {first}")
        if len(v.nodes) > limit:
            lines.append(f"    ... and {len(v.nodes) - limit} more")
    return "\n".join(lines)
