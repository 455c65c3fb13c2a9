"""Keyboard only: the skip link is the first Tab stop, the log-in and campaign forms are
tabbed through in the order they are read, and every stop shows a focus ring of at least
3:1 against what surrounds it (WCAG 2.4.1, 2.4.3, 2.4.7, 1.4.11; issue 13)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.deal_helpers import log_in, unique
from tests.support.factories import make_brand

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = null;  // the first opaque background around the element (the ring sits outside)
  for (let node = el.parentElement; node && !behind; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && colour !== 'transparent' && !/, 0\\)$/.test(colour)) behind = colour;
  }
  const box = el.getBoundingClientRect();
  const label = (el.labels && el.labels.length ? el.labels[0].innerText
                 : el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
  return {tag: el.tagName.toLowerCase(), id: el.id, label,
          in_form: !!el.closest('form'),
          outline_style: style.outlineStyle, outline_width: parseFloat(style.outlineWidth),
          outline_colour: style.outlineColor, background: behind || 'rgb(255, 255, 255)',
          x: box.left + window.scrollX, y: box.top + window.scrollY,
          width: box.width, height: box.height};
}"""


@dataclass(frozen=True)
class Stop:
    tag: str
    id: str
    label: str
    in_form: bool
    outline_style: str
    outline_width: float
    outline_colour: str
    background: str
    x: float
    y: float
    width: float
    height: float


def _rgb(colour: str) -> tuple[float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", colour)]
    red, green, blue = parts[:3]
    alpha = parts[3] if len(parts) > 3 else 1.0  # composite over white
    return tuple(c * alpha + 255 * (1 - alpha) for c in (red, green, blue))


def _luminance(colour: str) -> float:
    channels = [c / 255 for c in _rgb(colour)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab(page: Page) -> Stop:
    page.keyboard.press("Tab")
    return Stop(**page.evaluate(FOCUSED))


def assert_visible_focus(stop: Stop) -> None:
    assert stop.outline_style not in ("none", "hidden") and stop.outline_width >= 2, stop
    ratio = contrast(stop.outline_colour, stop.background)
    assert ratio >= 3, f"focus ring {stop.outline_colour} on {stop.background}: {ratio:.2f}:1"


def assert_reading_order(stops: list[Stop]) -> None:
    """Each stop is right of the previous one on the same line, or on a later line."""
    for before, after in zip(stops, stops[1:], strict=False):
        same_line = abs((after.y + after.height / 2) - (before.y + before.height / 2)) \
            < min(before.height, after.height) / 2
        if same_line:
            assert after.x > before.x, f"{after.label!r} comes after {before.label!r} but is left"
        else:
            assert after.y > before.y, f"{after.label!r} comes after {before.label!r} but is above"


def skip_to_content(page: Page, shot=None) -> None:
    """The first Tab stop is the visible "Skip to content" link; Enter moves focus to main."""
    stop = tab(page)
    if shot:
        shot(page, "keyboard-skip-link")
    assert (stop.tag, stop.label) == ("a", "Skip to content"), stop
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()
    assert stop.width > 20 and stop.height > 10, stop  # shown, not a 1px clip
    assert_visible_focus(stop)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


def test_log_in_form_by_keyboard(page: Page, shot):
    page.goto("/auth/login")
    skip_to_content(page, shot)
    stops = [tab(page) for _ in range(5)]
    assert [s.label for s in stops] == ["Email", "Password", "Remember me", "Log in",
                                        "Create an account"], stops
    for stop in stops:
        assert_visible_focus(stop)
    assert_reading_order(stops)
    page.keyboard.press("Shift+Tab")  # back on the button
    shot(page, "keyboard-log-in-button")


def test_campaign_form_by_keyboard(page: Page, e2e_app):
    with e2e_app.app_context():
        email = make_brand(unique("keys_")).user.email
    log_in(page, email)
    page.goto("/campaigns/new")
    skip_to_content(page)
    first = tab(page)
    assert first.label == "My campaigns"  # the breadcrumb, then the form
    assert_visible_focus(first)
    stops = []
    while True:
        stop = tab(page)
        if not stop.in_form:
            break
        assert_visible_focus(stop)
        if not (stop.id and stops and stops[-1].id == stop.id):  # a date field's parts
            stops.append(stop)
        assert len(stops) < 200, "Tab never leaves the form"
    assert stops[0].label.startswith("Title"), stops[0]
    assert stops[1].label.startswith("Brief"), stops[1]
    assert [s.label for s in stops[-2:]] == ["Cancel", "Save campaign"], stops[-2:]
    assert_reading_order(stops)
    # Every visible field of the form was a Tab stop (nothing skipped).
    fields = page.locator("form.campaign-form").locator(
        "input:visible:not([type=hidden]), select:visible, textarea:visible, summary")
    ids = {s.id for s in stops if s.id}
    visible_ids = {i for i in fields.evaluate_all("els => els.map(e => e.id)") if i}
    assert visible_ids <= ids, visible_ids - ids
