"""Numbers the creator reports for a post Duet cannot read (no connected account, or a number
the platform does not give, such as a Story's): one creator snapshot per report, with the
screenshot they were read from, re-encoded and stored under UPLOAD_DIR/metrics/. Every such
figure is shown as "reported by the creator"; a number left empty stays missing, never 0.
A video's average watch time per view, which the apps show but only Instagram's API gives, can
be reported too (in milliseconds, as the platforms count it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO

from flask import current_app

from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable, DealState, User
from marketplace.models.deliverable import MetricSnapshot, SnapshotSource
from marketplace.services.accounts import uploads
from marketplace.services.errors import DomainError, NotAllowed

FIELDS = ("views", "likes", "comments", "shares", "saves")
MAX_COUNT = 10**12  # more views than people on Earth, many times over
MAX_WATCH_MS = 24 * 3600 * 1000  # an average watch time of more than a day is a typo
WATCH_TIME_TYPES = frozenset({"short_video", "long_video"})
SCREENSHOT_SIDE = 1600
FOLDER = "metrics"
REPORTABLE_STATES = frozenset({DealState.APPROVED, DealState.POSTED, DealState.PAID_OUT,
                               DealState.COMPLETED})


# Stories vanish after a day and have no lasting link: the creator reports them without one.
UNLINKED_TYPES = frozenset({"story"})


def can_report(deal: Deal, item: DealDeliverable) -> bool:
    return (deal.state in REPORTABLE_STATES and item.deal_id == deal.id and item.is_posted
            and (bool(item.live_url) or item.deliverable_type in UNLINKED_TYPES)
            and item.removed_at is None)


def asks_watch_time(item: DealDeliverable) -> bool:
    """Only a video has an average watch time."""
    return item.deliverable_type in WATCH_TIME_TYPES


def report(user: User, deal: Deal, item_id: int, numbers: dict[str, int | None],
           screenshot: IO[bytes] | None, now: datetime) -> MetricSnapshot:
    """Store one creator report. Refusals (not the creator, not a linked post, no number, a
    number out of range, no readable screenshot) raise and store nothing."""
    if user is None or deal.creator.user_id != user.id:
        raise NotAllowed("Only the creator reports the numbers of their post.")
    item = next((i for i in deal.deliverable_items if i.id == item_id), None)
    if item is None or not can_report(deal, item):
        raise DomainError("Numbers can be reported only for a linked post that is still up.")
    values = {}
    for name in FIELDS:
        value = numbers.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= MAX_COUNT):
            raise DomainError("Enter whole numbers from 0 to 1,000,000,000,000.", field=name)
        values[name] = value
    watch = numbers.get("avg_watch_time_ms")
    if watch is not None:
        if not asks_watch_time(item):
            raise DomainError("Only a video has a watch time.")  # no such field on the form
        if (not isinstance(watch, int) or isinstance(watch, bool)
                or not 0 <= watch <= MAX_WATCH_MS):
            raise DomainError("Enter the average watch time in seconds, up to a day.",
                              field="avg_watch_time")
    values["avg_watch_time_ms"] = watch
    if all(v is None for v in values.values()):
        raise DomainError("Enter at least one number.", field="views")
    if screenshot is None:
        raise DomainError("Add a screenshot of the numbers.", field="screenshot")
    image = uploads.clean_image(screenshot, field="screenshot", max_side=SCREENSHOT_SIDE)
    folder = Path(current_app.config["UPLOAD_DIR"]) / FOLDER
    name = uploads.write_image(image, folder)
    row = MetricSnapshot(deliverable_id=item.id, source=SnapshotSource.CREATOR, slot=None,
                         taken_at=now, evidence_file=f"{FOLDER}/{name}",
                         reported_by_user_id=user.id, **values)
    db.session.add(row)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.delete_image(name, folder)
        raise
    return row


def screenshot_path(snapshot: MetricSnapshot) -> Path | None:
    """The stored screenshot of a creator report (only names this service wrote)."""
    folder, _, name = (snapshot.evidence_file or "").partition("/")
    if folder != FOLDER or not uploads.is_stored_name(name):
        return None
    path = Path(current_app.config["UPLOAD_DIR"]) / FOLDER / name
    return path if path.is_file() else None
