"""Every date a person sees about a deal, computed from the deal's own fields, and the one way
such a date is written out (pages, notifications and e-mails alike).

Rules, in one place:
- funding: an agreed deal must be funded within DEAL_FUNDING_DAYS of `agreed_at`;
- content: `content_due` is a calendar date; the content is due by the END of that day, UTC
  (late from midnight UTC the day after — the rule the late-reminder job applies);
- review: the brand reviews until `auto_approve_at` (set at each submission, cleared by a
  revision request, approval or dispute); then the content is approved automatically;
- posting (deals with posted deliverables): the creator posts within POST_DAYS of approval
  and links each post; the brand has POST_CONFIRM_DAYS from the last link to object, then the
  posts count as confirmed live;
- payout: sent when the content is approved (content-only deals) or the posts are confirmed
  live; it reaches the creator's bank about PAYOUT_ARRIVAL_DAYS later;
- reviews: both sides can review for REVIEW_WINDOW_DAYS after `completed_at`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement

from marketplace.models import Deal, DealState
from marketplace.services.deals.parties import now_or, setting

S = DealState
# States in which the creator still owes content (and so can be late).
OWES_CONTENT = frozenset({S.FUNDED, S.REVISION_REQUESTED})
REMIND_CONTENT_BEFORE = timedelta(hours=48)
REMIND_REVIEW_BEFORE = timedelta(hours=24)
REMIND_REVIEW_WINDOW_BEFORE = timedelta(days=3)


# --------------------------------------------------------------------------- formatting

def format_when(value: date | datetime | None, *, with_time: bool = True) -> str:
    """THE way a date is shown to people: '02 Dec 2026' for a calendar date (or when
    `with_time` is False), '02 Dec 2026, 14:00 UTC' for a moment. Registered as the Jinja
    filter `when`."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.strftime("%d %b %Y, %H:%M UTC" if with_time else "%d %b %Y")
    return value.strftime("%d %b %Y")


def countdown(moment: date | datetime, now: datetime | None = None) -> str:
    """'in 2 days 3 hours' / 'in 5 hours' / 'overdue' — a countdown without JavaScript."""
    if not isinstance(moment, datetime):
        moment = end_of_day(moment)
    seconds = int((moment - now_or(now)).total_seconds())
    if seconds <= 0:
        return "overdue"
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    left = f"{days} day{'s' if days != 1 else ''}" if days else ""
    if hours or not days:
        left += f"{' ' if left else ''}{hours} hour{'s' if hours != 1 else ''}"
    return f"in {left}"


# --------------------------------------------------------------------------- the dates

def end_of_day(day: date) -> datetime:
    """The first moment after `day` ends, UTC (a deadline "on" a date means by its end)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def funding_deadline(deal: Deal) -> datetime:
    """An agreed deal that is not funded by then expires."""
    return deal.agreed_at + timedelta(days=setting("DEAL_FUNDING_DAYS"))


def unfunded_cutoff(now: datetime) -> datetime:
    """Deals agreed at or before this moment are past their funding deadline."""
    return now - timedelta(days=setting("DEAL_FUNDING_DAYS"))


def content_due_at(deal: Deal) -> datetime:
    """When the content becomes late: the end of `deal.content_due`, UTC."""
    return end_of_day(deal.content_due)


def is_content_late(deal: Deal, now: datetime | None = None) -> bool:
    """The creator still owes content and its due date has passed."""
    return deal.state in OWES_CONTENT and now_or(now) >= content_due_at(deal)


def content_late_clause(now: datetime) -> ColumnElement[bool]:
    """SQL twin of `is_content_late` (without the state test): content_due < today (UTC)."""
    return Deal.content_due < now.astimezone(UTC).date()


def content_due_soon_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: content due within REMIND_CONTENT_BEFORE of `now`, not yet late."""
    today = now.astimezone(UTC).date()
    horizon = (now + REMIND_CONTENT_BEFORE).astimezone(UTC).date()
    # content_due_at = end_of_day(content_due) <= now + 48 h  <=>  content_due < horizon date
    return (Deal.content_due >= today) & (Deal.content_due < horizon)


def review_closing_soon_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: the brand's review time ends within REMIND_REVIEW_BEFORE of `now`."""
    return (Deal.auto_approve_at > now) & (Deal.auto_approve_at <= now + REMIND_REVIEW_BEFORE)


def review_window_closing_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: the review window (completed_at + REVIEW_WINDOW_DAYS) ends within
    REMIND_REVIEW_WINDOW_BEFORE of `now`."""
    window = timedelta(days=setting("REVIEW_WINDOW_DAYS"))
    return ((Deal.completed_at > now - window)
            & (Deal.completed_at <= now + REMIND_REVIEW_WINDOW_BEFORE - window))


def auto_approve_after(submitted_at: datetime) -> datetime:
    """When a submission the brand does not act on is approved automatically."""
    return submitted_at + timedelta(days=setting("AUTO_APPROVE_DAYS"))


def review_by(deal: Deal) -> datetime | None:
    """The brand's review deadline: the auto-approval moment (None when nothing waits)."""
    return deal.auto_approve_at


def expected_approval(deal: Deal, now: datetime | None = None) -> datetime | None:
    """When the content is (or at the latest will be) approved: the approval itself, the
    auto-approval moment while under review, else the content submitted by its due date (or
    now, once that has passed) plus the review time."""
    if deal.approved_at is not None:
        return deal.approved_at
    if deal.state == S.SUBMITTED and deal.auto_approve_at is not None:
        return deal.auto_approve_at
    if deal.state in (S.AGREED, *OWES_CONTENT):
        return auto_approve_after(max(content_due_at(deal), now_or(now)))
    return None


def post_due(deal: Deal, now: datetime | None = None) -> datetime | None:
    """By when the creator should post (None when the deal has nothing to post)."""
    if not deal.posts_required:
        return None
    approved = expected_approval(deal, now)
    return approved + timedelta(days=setting("POST_DAYS")) if approved else None


def live_confirm_by(deal: Deal) -> datetime | None:
    """Once every post is linked, the brand has until then to object; after it the posts
    count as confirmed live."""
    if deal.posts_linked_at is None:
        return None
    return deal.posts_linked_at + timedelta(days=setting("POST_CONFIRM_DAYS"))


def is_post_late(deal: Deal, now: datetime | None = None) -> bool:
    due = post_due(deal, now)
    return (deal.state == S.APPROVED and deal.posts_linked_at is None and due is not None
            and now_or(now) >= due)


def expected_release(deal: Deal, now: datetime | None = None) -> datetime | None:
    """When the payout is (or should be) sent: at approval for content-only deals, once the
    posts are confirmed live otherwise. A payout still waiting after that (the creator's
    payout set-up, a retried transfer) is expected now, never on a day already past."""
    if deal.paid_out_at is not None:
        return deal.paid_out_at
    if not deal.posts_required:
        return expected_approval(deal, now)
    if deal.posted_at is not None:
        return max(deal.posted_at, now_or(now))
    confirm_by = live_confirm_by(deal)
    if confirm_by is not None:
        return confirm_by
    due = post_due(deal, now)
    if due is None:
        return None
    return max(due, now_or(now)) + timedelta(days=setting("POST_CONFIRM_DAYS"))


def arrival_after(sent_at: datetime) -> datetime:
    """When a payout sent at `sent_at` should reach the creator's bank (Stripe pays connected
    accounts out on a schedule: PAYOUT_ARRIVAL_DAYS)."""
    return sent_at + timedelta(days=setting("PAYOUT_ARRIVAL_DAYS"))


def payout_arrival(deal: Deal, now: datetime | None = None) -> datetime | None:
    """About when the creator's payout reaches their bank: `arrival_after` the moment it was
    sent (or the expected approval, when it is not sent yet)."""
    sent = expected_release(deal, now)
    return arrival_after(sent) if sent else None


def review_window_closes_at(deal: Deal) -> datetime | None:
    """When reviewing ends for a deal (None until it is completed)."""
    if deal.state != S.COMPLETED or deal.completed_at is None:
        return None
    return deal.completed_at + timedelta(days=setting("REVIEW_WINDOW_DAYS"))


def expected_review_window_close(deal: Deal, now: datetime | None = None) -> datetime | None:
    """The review window's end, or its expected end for a deal still under way."""
    closes = review_window_closes_at(deal)
    if closes is not None:
        return closes
    start = expected_release(deal, now)
    return start + timedelta(days=setting("REVIEW_WINDOW_DAYS")) if start else None


# --------------------------------------------------------------------------- the tracker

@dataclass(frozen=True)
class Step:
    """One step of the deal tracker. `expected_at` is a date or a moment; `due_word` says
    how to read it ("by"/"due" a deadline, "expected" an estimate); `exact` when it is a
    moment taken from the deal's fields (shown with its time), not an estimate."""

    key: str
    label: str
    done_at: datetime | None = None
    expected_at: date | datetime | None = None
    due_word: str = "expected"
    exact: bool = False
    late: bool = False
    current: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return "done"
        return "current" if self.current else "upcoming"


@dataclass(frozen=True)
class Halt:
    """Why the deal left the normal path: cancelled, expired or in dispute, and since when
    (`headline`: "Cancelled on 02 Dec 2026, 14:00 UTC")."""

    state: str
    label: str
    at: datetime | None
    text: str
    at_word: str = "on"

    @property
    def headline(self) -> str:
        return f"{self.label} {self.at_word} {format_when(self.at)}" if self.at else self.label


@dataclass(frozen=True)
class Tracker:
    steps: list[Step]
    halt: Halt | None = None


def _halt(deal: Deal) -> Halt | None:
    if deal.state == S.CANCELLED:
        return Halt("cancelled", "Cancelled", deal.cancelled_at,
                    "This deal was cancelled. Any payment made is refunded to the brand.")
    if deal.state == S.EXPIRED:
        return Halt("expired", "Expired", deal.expired_at,
                    f"This deal expired: it was not funded by "
                    f"{format_when(funding_deadline(deal))}.")
    if deal.state == S.DISPUTED:
        return Halt("disputed", "In dispute", deal.disputed_at,
                    "An admin is reviewing the dispute; the steps below wait for the decision "
                    "(automatic approval is paused).", at_word="since")
    return None


def tracker(deal: Deal, now: datetime | None = None, *,
            reviewed_at: datetime | None = None) -> Tracker:
    """Agreed → Funded → Content submitted → Approved → (Posted live) → Paid out → Reviewed,
    each with the
    date it happened or the date it is expected. `reviewed_at` is when the viewer reviewed
    (None if they did not, or are not a party)."""
    now = now_or(now)
    halt = _halt(deal)
    stopped = halt is not None
    revising = deal.state == S.REVISION_REQUESTED
    approval = expected_approval(deal, now)
    release = expected_release(deal, now)
    arrival = payout_arrival(deal, now)
    window = review_window_closes_at(deal)

    def upcoming(value):
        return None if stopped else value

    submitted_note = "Revision requested: a new version is due." if revising else ""
    window_closed = window is not None and now >= window
    review_note = ("The review window has closed."
                   if reviewed_at is None and window_closed else "")
    paid_note = (f"Arrives around {format_when(arrival, with_time=False)}."
                 if arrival and not stopped else "")
    steps = [
        Step("agreed", "Agreed", done_at=deal.agreed_at),
        Step("funded", "Funded", done_at=deal.funded_at,
             expected_at=upcoming(funding_deadline(deal)), due_word="by", exact=True,
             late=deal.state == S.AGREED and now >= funding_deadline(deal)),
        Step("submitted", "Content submitted",
             done_at=None if revising else deal.submitted_at,
             expected_at=upcoming(deal.content_due), due_word="due",
             late=is_content_late(deal, now), note=submitted_note),
        Step("approved", "Approved", done_at=deal.approved_at,
             expected_at=upcoming(approval),
             due_word="by" if deal.state == S.SUBMITTED else "expected",
             exact=deal.state == S.SUBMITTED,
             note=("Approved automatically if the brand does not act."
                   if deal.state == S.SUBMITTED and not stopped else "")),
        *([_posted_step(deal, now, stopped)] if deal.posts_required else []),
        Step("paid_out", "Paid out", done_at=deal.paid_out_at,
             expected_at=upcoming(release), note=paid_note),
        Step("reviewed", "Reviewed", done_at=reviewed_at,
             expected_at=upcoming(window or expected_review_window_close(deal, now)),
             due_word="by", exact=window is not None, note="" if stopped else review_note),
    ]
    if not stopped:
        for index, step in enumerate(steps):
            if step.done_at is None:
                if not (step.key == "reviewed" and window_closed):
                    steps[index] = replace(step, current=True)
                break
    return Tracker(steps, halt)


def _posted_step(deal: Deal, now: datetime, stopped: bool) -> Step:
    confirm_by = live_confirm_by(deal)
    if deal.posted_at is not None or stopped:
        return Step("posted", "Posted live", done_at=deal.posted_at,
                    expected_at=None if stopped else post_due(deal, now), due_word="due")
    if confirm_by is not None:
        return Step("posted", "Posted live", expected_at=confirm_by, due_word="confirmed by",
                    exact=True, note="Every post is linked; confirmed automatically if the "
                                     "brand does not object.")
    return Step("posted", "Posted live", expected_at=post_due(deal, now), due_word="due",
                exact=deal.approved_at is not None, late=is_post_late(deal, now),
                note="The creator posts and links each post.")


# --------------------------------------------------------------------------- results
RESULTS_AFTER = timedelta(days=7)
FIRST_READING_AFTER = timedelta(hours=1)


def results_due_at(deal: Deal) -> datetime | None:
    """When the brand is told the results are in: a week after the posts went live."""
    return deal.posted_at + RESULTS_AFTER if deal.posted_at is not None else None


def results_due_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: deals whose posts went live at least RESULTS_AFTER ago."""
    return Deal.posted_at <= now - RESULTS_AFTER


def first_reading_expected(live_since: datetime | None) -> datetime | None:
    """When a post's first numbers are expected: the monitor's first reading, an hour after
    the post is confirmed live (or linked)."""
    return live_since + FIRST_READING_AFTER if live_since is not None else None
