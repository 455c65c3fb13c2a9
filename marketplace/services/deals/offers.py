"""Invitations and versioned offers. A thread holds numbered versions; the side that did not
write the latest version may counter, accept or decline it before it expires. Accepting
freezes the latest version into a Deal (exactly once: row lock + UNIQUE deals.thread_id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    DealEvent,
    DealState,
    DeclineReason,
    OfferThread,
    OfferVersion,
    Side,
    ThreadStatus,
    User,
)
from marketplace.models.application import UNDECIDED
from marketplace.models.deal import CLOSED_STATES
from marketplace.money import format_money
from marketplace.services.deals import posts
from marketplace.services.deals.parties import brand_of, now_or, party_side, setting
from marketplace.services.deals.schedule import format_when
from marketplace.services.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from marketplace.services.matching import outcome_log as match_log
from marketplace.signals import deal_event

MAX_PRICE_CENTS = 100_000_000
MAX_DELIVERABLES = 10
MAX_QUANTITY = 20
MAX_REVISIONS = 10
MESSAGE_MAX = 2000
NOTE_MAX = 500
OFFER_DECLINE_REASONS = (DeclineReason.BUDGET, DeclineReason.TIMING, DeclineReason.TERMS,
                         DeclineReason.NICHE_FIT, DeclineReason.AUDIENCE, DeclineReason.OTHER)


@dataclass
class OfferTerms:
    """What one version proposes (plain data from a form, a test or a prefill)."""

    price_cents: int
    currency: str
    deliverables: list[dict[str, Any]]
    content_due: date
    usage_rights: str
    revisions_included: int = 1
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_campaign(cls, campaign: Campaign) -> OfferTerms:
        """Prefill an invitation from the campaign's own terms (top of the budget)."""
        return cls(price_cents=campaign.budget_max_cents, currency=campaign.currency,
                   deliverables=[{"platform": d.platform, "deliverable_type": d.deliverable_type,
                                  "quantity": d.quantity} for d in campaign.deliverables],
                   content_due=campaign.content_due, usage_rights=campaign.usage_rights,
                   revisions_included=1)

    @classmethod
    def from_deal(cls, deal: Deal, campaign: Campaign, today: date) -> OfferTerms:
        """Prefill "hire again": the last deal's price, deliverables, usage rights and
        revisions, due on the chosen campaign's content date (or, when that has passed, after
        as many days as the last deal gave the creator)."""
        due = campaign.content_due
        if due < today:
            due = today + max(deal.content_due - deal.agreed_at.date(), timedelta(days=1))
        return cls(price_cents=deal.price_cents, currency=deal.currency,
                   deliverables=[dict(d) for d in deal.deliverables], content_due=due,
                   usage_rights=deal.usage_rights, revisions_included=deal.revisions_included)

    @classmethod
    def from_version(cls, version: OfferVersion) -> OfferTerms:
        return cls(price_cents=version.price_cents, currency=version.currency,
                   deliverables=[dict(d) for d in version.deliverables],
                   content_due=version.content_due, usage_rights=version.usage_rights,
                   revisions_included=version.revisions_included)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_terms(terms: OfferTerms, campaign: Campaign, today: date) -> list[dict[str, Any]]:
    """Check every term; return the normalised deliverables list. Field names match the forms."""
    if not _is_int(terms.price_cents):
        raise DomainError("Enter the price as an amount such as 250.00.", field="price")
    if terms.price_cents <= 0:
        raise DomainError("The price must be more than zero.", field="price")
    if terms.price_cents > MAX_PRICE_CENTS:
        raise DomainError("That price is too high.", field="price")
    if terms.currency != campaign.currency:
        raise DomainError(f"This campaign pays in {campaign.currency}.", field="price")
    deliverables = []
    for item in terms.deliverables or []:
        platform = item.get("platform")
        kind = item.get("deliverable_type")
        quantity = item.get("quantity")
        if platform not in taxonomy.PLATFORMS:
            raise DomainError("Choose a platform for every deliverable.", field="deliverables")
        if kind not in taxonomy.DELIVERABLE_TYPES:
            raise DomainError("Choose a content type for every deliverable.",
                              field="deliverables")
        if not _is_int(quantity) or not 1 <= quantity <= MAX_QUANTITY:
            raise DomainError(f"Quantities go from 1 to {MAX_QUANTITY}.", field="deliverables")
        deliverables.append({"platform": platform, "deliverable_type": kind,
                             "quantity": quantity})
    if not deliverables:
        raise DomainError("Add at least one deliverable.", field="deliverables")
    if len(deliverables) > MAX_DELIVERABLES:
        raise DomainError(f"At most {MAX_DELIVERABLES} deliverables.", field="deliverables")
    if not isinstance(terms.content_due, date):
        raise DomainError("Enter a due date.", field="content_due")
    if terms.content_due < today:
        raise DomainError("The content due date cannot be in the past.", field="content_due")
    if terms.content_due > today + timedelta(days=366):
        raise DomainError("Pick a due date within a year.", field="content_due")
    if terms.usage_rights not in taxonomy.USAGE_RIGHTS:
        raise DomainError("Choose usage rights.", field="usage_rights")
    if not _is_int(terms.revisions_included) or not (
            0 <= terms.revisions_included <= MAX_REVISIONS):
        raise DomainError(f"Revisions go from 0 to {MAX_REVISIONS}.", field="revisions_included")
    if len(terms.message or "") > MESSAGE_MAX:
        raise DomainError(f"Keep the message under {MESSAGE_MAX} characters.", field="message")
    return deliverables


def _add_version(thread: OfferThread, side: Side, user: User, terms: OfferTerms,
                 deliverables: list[dict[str, Any]], now: datetime) -> OfferVersion:
    number = thread.latest_number + 1
    version = OfferVersion(
        number=number, author_side=str(side), author_user_id=user.id,
        price_cents=terms.price_cents, currency=terms.currency, deliverables=deliverables,
        content_due=terms.content_due, usage_rights=terms.usage_rights,
        revisions_included=terms.revisions_included, message=(terms.message or "").strip(),
        created_at=now, expires_at=now + timedelta(hours=setting("OFFER_TTL_HOURS")),
    )
    thread.versions.append(version)
    thread.latest_number = number
    thread.latest_author_side = str(side)
    thread.expires_at = version.expires_at
    return version


def _open_thread_for(campaign_id: int, creator_id: int) -> OfferThread | None:
    return db.session.scalar(select(OfferThread).where(
        OfferThread.campaign_id == campaign_id, OfferThread.creator_id == creator_id,
        OfferThread.status == ThreadStatus.OPEN))


def active_deal_id(campaign_id: int, creator_id: int) -> int | None:
    """The deal still in progress for (campaign, creator), if any. Completed, cancelled and
    expired deals do not count: the brand may hire the same creator again (the partial unique
    index uq_deals_one_active holds the same rule in the database)."""
    return db.session.scalar(select(Deal.id).where(
        Deal.campaign_id == campaign_id, Deal.creator_id == creator_id,
        Deal.state.notin_(CLOSED_STATES)))


def _start_thread(user: User, campaign: Campaign, creator: CreatorProfile, terms: OfferTerms,
                  application: Application | None, now: datetime) -> OfferThread:
    brand = brand_of(user)
    if campaign.brand_id != brand.id:
        raise NotAllowed("Choose one of your own campaigns.")
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError("Only open campaigns can send offers; publish the campaign first.",
                          field="campaign")
    deliverables = validate_terms(terms, campaign, now.date())
    if _open_thread_for(campaign.id, creator.id):
        raise Conflict("You already have an open offer with this creator for this campaign.",
                       field="campaign")
    if active_deal_id(campaign.id, creator.id) is not None:
        raise Conflict("You already have a deal in progress with this creator for this "
                       "campaign; it has to be completed or cancelled before a new one.",
                       field="campaign")
    if application is None:
        application = db.session.scalar(select(Application).where(
            Application.campaign_id == campaign.id, Application.creator_id == creator.id,
            Application.status.in_(UNDECIDED)))
    thread = OfferThread(campaign_id=campaign.id, brand_id=brand.id, creator_id=creator.id,
                         application_id=application.id if application else None,
                         status=ThreadStatus.OPEN, created_at=now, latest_number=0)
    _add_version(thread, Side.BRAND, user, terms, deliverables, now)
    if application is not None:
        application.status = ApplicationStatus.OFFERED
        application.decided_at = now
    db.session.add(thread)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent invite opened the thread first
        db.session.rollback()
        raise Conflict("You already have an open offer with this creator for this campaign.",
                       field="campaign") from exc
    deal_event.send(thread, event="offer_sent", actor=user, note=thread.versions[0].message)
    return thread


def invite(user: User, campaign: Campaign, creator: CreatorProfile, terms: OfferTerms, *,
           now: datetime | None = None) -> OfferThread:
    """A brand invites a creator to one of its open campaigns with a first offer."""
    now = now_or(now)
    match_log.record(campaign.id, creator.id, "invited")
    try:
        return _start_thread(user, campaign, creator, terms, None, now)
    except Exception:
        db.session.rollback()  # drops the staged log row too
        raise


def make_offer(user: User, application: Application, terms: OfferTerms, *,
               now: datetime | None = None) -> OfferThread:
    """The brand answers an application with an offer (the application becomes "offered")."""
    now = now_or(now)
    if application.status not in UNDECIDED:
        raise InvalidTransition(f"This application is already {application.status}.")
    return _start_thread(user, application.campaign, application.creator, terms, application,
                         now)


def _lock(thread: OfferThread) -> OfferThread:
    """Re-read the thread row under FOR UPDATE (PostgreSQL; a no-op on SQLite)."""
    return db.session.execute(
        select(OfferThread).where(OfferThread.id == thread.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _refuse(exc: Exception) -> None:
    db.session.rollback()  # releases the row lock; nothing was changed
    raise exc


def _check_turn(thread: OfferThread, user: User, now: datetime, verb: str) -> Side:
    """Refuse unless it is `user`'s turn on an open, unexpired thread. `verb`: accept|counter."""
    side = party_side(user, thread.brand_id, thread.creator_id)
    if thread.status == ThreadStatus.ACCEPTED:
        _refuse(Conflict("This offer was already accepted."))
    if thread.status != ThreadStatus.OPEN:
        _refuse(InvalidTransition(f"This offer is {thread.status}; it can no longer be "
                                  f"{verb}ed."))
    if thread.latest_author_side == side:
        _refuse(NotAllowed(f"You sent the latest version; only the other side can {verb} it."))
    if thread.expires_at is not None and now >= thread.expires_at:
        _refuse(InvalidTransition("This offer has expired; send a new offer instead."))
    return side


def counter(user: User, thread: OfferThread, terms: OfferTerms, *,
            now: datetime | None = None) -> OfferVersion:
    """The side whose turn it is proposes different terms: a new version."""
    now = now_or(now)
    thread = _lock(thread)
    side = _check_turn(thread, user, now, "counter")
    try:
        deliverables = validate_terms(terms, thread.campaign, now.date())
    except DomainError as exc:
        _refuse(exc)
    version = _add_version(thread, side, user, terms, deliverables, now)
    try:
        db.session.commit()
    except IntegrityError as exc:  # two counters at once: same version number
        db.session.rollback()
        raise Conflict("The other side just changed this offer; reload the page.") from exc
    deal_event.send(thread, event="offer_countered", actor=user, note=version.message)
    return version


def accept(user: User, thread: OfferThread, *, now: datetime | None = None) -> Deal:
    """Accept the latest version: its terms are frozen into a new Deal in state agreed."""
    now = now_or(now)
    thread = _lock(thread)
    side = _check_turn(thread, user, now, "accept")
    version = db.session.scalar(select(OfferVersion).where(
        OfferVersion.thread_id == thread.id, OfferVersion.number == thread.latest_number))
    deal = Deal(thread_id=thread.id, campaign_id=thread.campaign_id, brand_id=thread.brand_id,
                creator_id=thread.creator_id, state=DealState.AGREED,
                price_cents=version.price_cents, currency=version.currency,
                deliverables=[dict(d) for d in version.deliverables],
                content_due=version.content_due, usage_rights=version.usage_rights,
                revisions_included=version.revisions_included, revisions_used=0,
                agreed_at=now)
    deal.events.append(DealEvent(actor_user_id=user.id, actor_side=str(side), action="agree",
                                 from_state="", to_state=DealState.AGREED, created_at=now,
                                 note=f"Accepted offer version {version.number}."))
    posts.make_rows(deal)
    db.session.add(deal)
    thread.status = ThreadStatus.ACCEPTED
    thread.closed_at = now
    match_log.record(thread.campaign_id, thread.creator_id, "accepted")
    try:
        db.session.commit()
    except IntegrityError as exc:  # the other accept won the race
        db.session.rollback()
        raise Conflict("This offer was already accepted.") from exc
    deal_event.send(thread, event="offer_accepted", actor=user, note="", deal=deal)
    return deal


def decline(user: User, thread: OfferThread, reason: str | DeclineReason, note: str = "", *,
            now: datetime | None = None) -> OfferThread:
    """Either party ends an open negotiation, with a reason the other side sees."""
    now = now_or(now)
    try:
        reason = DeclineReason(reason)
    except ValueError as exc:
        raise DomainError("Choose a reason.", field="reason") from exc
    if reason not in OFFER_DECLINE_REASONS:
        raise DomainError("Choose a reason.", field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Keep the note under {NOTE_MAX} characters.", field="note")
    thread = _lock(thread)
    side = party_side(user, thread.brand_id, thread.creator_id)
    if thread.status != ThreadStatus.OPEN:
        _refuse(InvalidTransition(f"This offer is already {thread.status}."))
    thread.status = ThreadStatus.DECLINED
    thread.decline_reason = reason
    thread.decline_note = note
    thread.declined_by_side = str(side)
    thread.closed_at = now
    match_log.record(thread.campaign_id, thread.creator_id, "declined")
    db.session.commit()
    deal_event.send(thread, event="offer_declined", actor=user, note=note)
    return thread


def withdraw(user: User, thread: OfferThread, *, now: datetime | None = None) -> OfferThread:
    """The brand takes back an open offer (e.g. the campaign is full)."""
    now = now_or(now)
    thread = _lock(thread)
    if party_side(user, thread.brand_id, thread.creator_id) != Side.BRAND:
        _refuse(NotAllowed("Only the brand can withdraw an offer; you can decline it."))
    if thread.status != ThreadStatus.OPEN:
        _refuse(InvalidTransition(f"This offer is already {thread.status}."))
    thread.status = ThreadStatus.WITHDRAWN
    thread.closed_at = now
    db.session.commit()
    deal_event.send(thread, event="offer_declined", actor=user,
                    note="The brand withdrew the offer.")
    return thread


def expire(thread: OfferThread, *, now: datetime | None = None) -> bool:
    """System: close an open thread whose latest version ran out. False if nothing to do."""
    now = now_or(now)
    thread = _lock(thread)
    if thread.status != ThreadStatus.OPEN or thread.expires_at is None or now < thread.expires_at:
        db.session.rollback()
        return False
    thread.status = ThreadStatus.EXPIRED
    thread.closed_at = now
    db.session.commit()
    deal_event.send(thread, event="offer_expired", actor=None, note="")
    return True


def _deliverables_display(items: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{d['quantity']} × {taxonomy.PLATFORMS.get(d['platform'], d['platform'])} "
        f"{taxonomy.DELIVERABLE_TYPES.get(d['deliverable_type'], d['deliverable_type'])}"
        for d in items
    )


def term_rows(version: OfferVersion) -> list[tuple[str, str]]:
    """(label, display) for every negotiated term, in page order."""
    return [
        ("Price", format_money(version.price_cents, version.currency)),
        ("Deliverables", _deliverables_display(version.deliverables)),
        ("Content due", format_when(version.content_due)),
        ("Usage rights", taxonomy.USAGE_RIGHTS.get(version.usage_rights, version.usage_rights)),
        ("Revisions included", str(version.revisions_included)),
    ]


def diff_versions(prev: OfferVersion | None, cur: OfferVersion) -> list[tuple[str, str, str]]:
    """What changed from `prev` to `cur`: (field label, old display, new display)."""
    if prev is None:
        return []
    return [(label, old, new)
            for (label, old), (_, new) in zip(term_rows(prev), term_rows(cur), strict=True)
            if old != new]
