"""Reviews after a completed deal: writing (parties, once, within the window), the reveal rules,
profile averages, and how a brand treats creators (from the deals' audit trail)."""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import BrandProfile, CreatorProfile, Deal, DealEvent, User
from marketplace.models.review import MAX_COMMENT, Review, ReviewSide
from marketplace.services.deals import schedule
from marketplace.services.errors import Conflict, DomainError, NotAllowed
from marketplace.signals import deal_event

# When reviewing ends for a deal (None until it is completed): one rule, in the schedule.
window_closes_at = schedule.review_window_closes_at


def side_of(deal: Deal, user: User) -> ReviewSide | None:
    if user.is_brand and user.brand is not None and user.brand.id == deal.brand_id:
        return ReviewSide.BRAND
    if user.is_creator and user.creator is not None and user.creator.id == deal.creator_id:
        return ReviewSide.CREATOR
    return None


def reviews_of_deal(deal: Deal) -> dict[ReviewSide, Review]:
    rows = db.session.scalars(select(Review).where(Review.deal_id == deal.id))
    return {ReviewSide(r.author_side): r for r in rows}


def check_can_write(deal: Deal, user: User, now: datetime | None = None) -> ReviewSide:
    """The author's side, or a DomainError saying why they cannot review (yet, or any more)."""
    now = now or utcnow()
    side = side_of(deal, user)
    if side is None:
        raise NotAllowed("Only the brand and the creator of this deal can review it.")
    closes = window_closes_at(deal)
    if closes is None:
        raise DomainError("You can review a deal once it is completed.")
    if now >= closes:
        raise DomainError("The review window for this deal has closed.")
    if side in reviews_of_deal(deal):
        raise Conflict("You have already reviewed this deal.")
    return side


def _validate(rating: object, comment: str | None) -> tuple[int, str]:
    try:
        value = int(rating)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise DomainError("Choose a rating from 1 to 5 stars.", field="rating") from exc
    if isinstance(rating, float) and not rating.is_integer() or not 1 <= value <= 5:
        raise DomainError("Choose a rating from 1 to 5 stars.", field="rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(f"Comments can be at most {MAX_COMMENT} characters "
                          f"(this one has {len(comment)}).", field="comment")
    return value, comment


def write_review(deal: Deal, user: User, rating: object, comment: str | None,
                 now: datetime | None = None) -> Review:
    """Record the user's review; when it is the second one, both are revealed at once."""
    now = now or utcnow()
    value, comment = _validate(rating, comment)
    side = check_can_write(deal, user, now)
    review = Review(deal_id=deal.id, author_side=side, author_user_id=user.id, rating=value,
                    comment=comment, created_at=now, window_closes_at=window_closes_at(deal))
    if side == ReviewSide.BRAND:
        review.subject_creator_id = deal.creator_id
    else:
        review.subject_brand_id = deal.brand_id
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same person submitting twice at once
        db.session.rollback()
        raise Conflict("You have already reviewed this deal.") from exc
    both = reviews_of_deal(deal)
    revealed = len(both) == 2
    if revealed:
        for r in both.values():
            r.revealed_at = now
    db.session.commit()
    if revealed:
        deal_event.send(deal, event="review_revealed", actor=None, note="")
    return review


def is_revealed(review: Review, now: datetime | None = None) -> bool:
    """Visible once both sides have written (revealed_at set) or the window has closed."""
    now = now or utcnow()
    return (review.revealed_at is not None and review.revealed_at <= now) or (
        now >= review.window_closes_at)


def _revealed_clause(now: datetime):
    return or_(Review.revealed_at <= now, Review.window_closes_at <= now)


def reveal_due_reviews(now: datetime | None = None) -> int:
    """Jobs hook: reveal reviews whose window has closed; returns how many were revealed."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Review).where(Review.revealed_at.is_(None),
                                                       Review.window_closes_at <= now)))
    for review in due:
        review.revealed_at = now
    db.session.commit()
    for deal_id in sorted({r.deal_id for r in due}):
        deal = db.session.get(Deal, deal_id)
        if deal is not None:
            deal_event.send(deal, event="review_revealed", actor=None, note="")
    return len(due)


def _subject_clause(subject: BrandProfile | CreatorProfile):
    if isinstance(subject, BrandProfile):
        return Review.subject_brand_id == subject.id
    if isinstance(subject, CreatorProfile):
        return Review.subject_creator_id == subject.id
    raise TypeError(f"cannot review {subject!r}")


def rating_summary(subject: BrandProfile | CreatorProfile,
                   now: datetime | None = None) -> tuple[float | None, int]:
    """(average stars, count) over the revealed reviews of a brand or creator profile."""
    now = now or utcnow()
    avg, count = db.session.execute(
        select(func.avg(Review.rating), func.count(Review.id))
        .where(_subject_clause(subject), _revealed_clause(now))).one()
    return (round(float(avg), 2) if count else None), int(count)


def revealed_reviews(subject: BrandProfile | CreatorProfile, limit: int = 20,
                     now: datetime | None = None) -> list[Review]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Review).where(_subject_clause(subject), _revealed_clause(now))
        .options(selectinload(Review.author).selectinload(User.brand),
                 selectinload(Review.author).selectinload(User.creator),
                 selectinload(Review.deal).selectinload(Deal.campaign))
        .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)))


SUBMIT_ACTIONS = frozenset({"submit"})
APPROVE_ACTIONS = frozenset({"approve", "auto_approve"})


def brand_conduct(brand: BrandProfile) -> dict:
    """How the brand treats creators: median hours from a submission to its approval, the share
    of approvals that happened automatically (the brand let the review time run out), and the
    number of disputes on its deals."""
    rows = db.session.execute(
        select(DealEvent.deal_id, DealEvent.action, DealEvent.created_at)
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(Deal.brand_id == brand.id,
               DealEvent.action.in_([*SUBMIT_ACTIONS, *APPROVE_ACTIONS, "dispute"]))
        .order_by(DealEvent.deal_id, DealEvent.created_at, DealEvent.id))
    hours: list[float] = []
    approvals = auto = disputes = 0
    pending: dict[int, datetime] = {}
    for deal_id, action, at in rows:
        if action in SUBMIT_ACTIONS:
            pending[deal_id] = at
        elif action in APPROVE_ACTIONS:
            approvals += 1
            auto += action == "auto_approve"
            if deal_id in pending:
                hours.append((at - pending.pop(deal_id)).total_seconds() / 3600)
        else:
            disputes += 1
    return {
        "median_hours_submission_to_approval": round(statistics.median(hours), 1) if hours
        else None,
        "auto_approved_share": round(auto / approvals, 3) if approvals else None,
        "disputes": disputes,
    }
