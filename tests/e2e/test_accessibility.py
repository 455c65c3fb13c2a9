"""WCAG 2.1 AA on every main page, for each role: axe-core in Chromium (issue 13).

The demo marketplace (deals in every state, paid through the local Stripe) is served once for
the module; every entry of `PAGES` (tests/e2e/a11y_site.py) is opened by its role and fails
on any serious or critical violation of the WCAG 2.0/2.1 A and AA rules, listing each rule,
element and axe's summary. A few best-practice rules that the issue names (one <h1> a page,
no empty table header, landmarks) and the skip link are held on every page too.
"""

from __future__ import annotations

import pytest

from tests.e2e.a11y_site import PAGES, AxePage, demo_site, logged_in_context, open_page
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import PageProblems

BEST_PRACTICE_RULES = ["page-has-heading-one", "empty-table-header", "landmark-one-main",
                       "landmark-unique", "skip-link"]
FIRST_TAB_STOP = """() => {
  const tabbable = 'a[href], button, input:not([type=hidden]), select, textarea, '
                   + '[tabindex]:not([tabindex="-1"])';
  const first = document.querySelector(tabbable);
  const target = document.querySelector('main#content');
  return {text: first ? first.textContent.trim() : null,
          href: first ? first.getAttribute('href') : null,
          target: target ? target.getAttribute('tabindex') : null};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("a11y")) as served:
        yield served


@pytest.fixture(scope="module")
def watcher():
    return PageProblems()


@pytest.fixture(scope="module")
def contexts(browser, site, watcher):
    """One logged-in browser context per role, made on first use, watched for CSP errors."""
    made = {}

    def for_role(role: str):
        if role not in made:
            made[role] = logged_in_context(browser, site.url, role)
            watcher.watch(made[role])
        return made[role]

    yield for_role
    for context in made.values():
        context.close()


@pytest.mark.parametrize("entry", PAGES, ids=[p.key for p in PAGES])
def test_page_meets_wcag_21_aa(entry: AxePage, site, contexts, watcher):
    since = len(watcher.problems)
    page, status = open_page(contexts(entry.role), entry.url(site.ids))
    try:
        assert status == entry.status, page.url
        blocking = [v for v in axe_violations(page) if v.blocking]
        assert not blocking, (f"{entry.key} ({page.url}) has serious or critical WCAG "
                              f"violations:\n{describe(blocking)}")
        practice = axe_violations(page, {"type": "rule", "values": BEST_PRACTICE_RULES})
        assert not practice, f"{entry.key} ({page.url}):\n{describe(practice)}"
        first = page.evaluate(FIRST_TAB_STOP)
        assert first == {"text": "Skip to content", "href": "#content", "target": "-1"}, first
        assert watcher.problems[since:] == [], watcher.problems[since:]
    finally:
        page.close()


def test_the_check_sees_violations(page):
    """The same check fails on a page given a low-contrast text and a plain span with an
    aria-label (so a clean run means the rules ran)."""
    page.goto("/")
    assert not [v for v in axe_violations(page) if v.blocking]
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.textContent = 'Pale yellow words'; p.style.color = '#ffc107';
        const s = document.createElement('span');
        s.setAttribute('aria-label', '4 out of 5');  // icons only, like the old stars
        s.innerHTML = '<i class="bi bi-star-fill" aria-hidden="true"></i>';
        document.querySelector('main').append(p, s);
    }""")
    rules = {v.rule for v in axe_violations(page) if v.blocking}
    assert {"color-contrast", "aria-prohibited-attr"} <= rules, rules
