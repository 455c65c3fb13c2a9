"""The results charts, drawn on the server as SVG with pygal, so one picture serves the page
(an <img> with a data: URI: no script, nothing the CSP blocks), the PDF and the e-mail.

Each chart comes with its title and a one-sentence text alternative; the pages add the
numbers as a table beside it for anyone who cannot see the picture."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import timedelta

import pygal
from pygal.style import Style

from marketplace.money import format_money
from marketplace.services.deals.results import REPORTED_LABEL, CreatorResult, PostResult

MAX_LINES = 8  # more lines than this are unreadable: the busiest posts are drawn
MAX_BARS = 15  # likewise for creators: those with most views
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#212529",
    foreground_strong="#212529", foreground_subtle="#6c757d",
    font_family="DejaVu Sans, Helvetica, Arial, sans-serif",
    colors=("#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545",
            "#0dcaf0"),
    title_font_size=16, label_font_size=12, major_label_font_size=12, legend_font_size=12,
    value_font_size=11)
CONFIG = {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 800,
          "height": 400, "legend_at_bottom": True, "legend_at_bottom_columns": 2,
          "truncate_legend": -1, "truncate_label": -1,
          "show_x_guides": False, "margin": 16, "margin_bottom": 28,
          "explicit_size": True}


# pygal always writes its tooltip configuration as a <script>; an image never runs it, and the
# picture is the same without it, so it is cut out. Its comments (one dated) go too.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _svg(chart) -> str:
    """The chart's SVG, the same text for the same numbers: pygal's random id (a uuid per
    chart) is fixed, which is safe since each chart is a picture of its own (an <img>), and
    the dated comment is cut. So an unchanged report prints to the same HTML, and its PDF is
    reused rather than printed again (`marketplace/services/documents/pdfs.py`)."""
    chart.uuid = "duet"
    return _COMMENT.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str  # what the chart shows, in one sentence
    svg: str
    items: tuple = ()  # what is drawn (posts or creators): the table beside it lists these

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def mail_data_uri(self) -> str:
        """The data URI in lines of 76 (SMTP refuses lines over 998 characters; URL parsing
        drops the line breaks again)."""
        uri = self.data_uri
        return "\n".join(uri[i:i + 76] for i in range(0, len(uri), 76))


def _compact(n: float) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(n) >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{n:.0f}"


def series_name(post: PostResult) -> str:
    short = post.short_label or post.label
    name = f"{post.creator_name} · {short}" if post.creator_name else short
    if any(reported for _, _, reported in post.views_over_time):
        name += f" ({REPORTED_LABEL})"
    return name


def views_chart(posts: list[PostResult]) -> Chart | None:
    """Views over time, one line per post (the MAX_LINES with most views); None when no post
    has a view count yet."""
    drawn = [p for p in posts if p.views_over_time]
    if not drawn:
        return None
    drawn.sort(key=lambda p: -(p.views_over_time[-1][1]))
    shown = drawn[:MAX_LINES]
    title = "Views over time"
    if len(drawn) > len(shown):
        title += f" (the {len(shown)} posts with most views of {len(drawn)})"
    moments = [when for post in shown for when, _, _ in post.views_over_time]
    # Ticks fall every few hours on a short span: then the hour tells them apart.
    day_format = "%d %b" if max(moments) - min(moments) > timedelta(days=3) else "%d %b %H:%M"
    chart = pygal.DateTimeLine(
        title=title, x_value_formatter=lambda d: d.strftime(day_format),
        value_formatter=_compact, x_label_rotation=0, show_dots=False, **CONFIG)
    for post in shown:
        points = post.views_over_time
        # Dots only where a line alone would hide the reading: too few points to draw a line,
        # or a reading typed in by the creator.
        dotted = len(points) < 3 or any(reported for _, _, reported in points)
        chart.add(series_name(post), [(when, views) for when, views, _ in points],
                  show_dots=dotted, dots_size=4)
    leader = shown[0]
    alt = (f"Line chart of views over time for {len(shown)} "
           f"post{'s' if len(shown) != 1 else ''}; the most viewed, {series_name(leader)}, "
           f"has {leader.views_over_time[-1][1]:,} views.")
    return Chart(title, alt, _svg(chart), tuple(shown))


def creators_chart(creators: list[CreatorResult], currency: str) -> Chart | None:
    """Views (bars, left axis) and cost per 1,000 views (bars, right axis) per creator; None
    when no creator has views yet."""
    measured = sorted((c for c in creators if c.figures.views is not None),
                      key=lambda c: -c.figures.views)
    if not measured:
        return None
    title = "Views and cost per 1,000 views, per creator"
    if len(measured) > MAX_BARS:
        title += f" (the {MAX_BARS} with most views of {len(measured)})"
        measured = measured[:MAX_BARS]
    top_cpm = max((c.figures.cpm_cents for c in measured if c.figures.cpm_cents), default=100)
    chart = pygal.Bar(title=title, x_labels=[c.name for c in measured],
                      value_formatter=_compact, x_label_rotation=0 if len(measured) < 6
                      else 30, range=(0, measured[0].figures.views * 1.05 or 1),
                      secondary_range=(0, top_cpm / 100 * 1.1), **CONFIG)
    chart.add("Views", [c.figures.views for c in measured])
    chart.add(f"Cost per 1,000 views ({currency})",
              [None if c.figures.cpm_cents is None else
               {"value": c.figures.cpm_cents / 100,
                "formatter": lambda v: format_money(round(v * 100), currency)}
               for c in measured], secondary=True)
    best = min((c for c in measured if c.figures.cpm_cents is not None),
               key=lambda c: c.figures.cpm_cents, default=None)
    alt = f"Bar chart comparing views of {len(measured)} creators"
    alt += (f"; the lowest cost per 1,000 views is {best.name}'s, "
            f"{format_money(best.figures.cpm_cents, currency)}." if best else ".")
    return Chart(title, alt, _svg(chart), tuple(measured))
