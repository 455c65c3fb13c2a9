"""Creators apply to open campaigns; the campaign's brand shortlists or declines (offers are
made in services/offers.py). Every step commits, logs the outcome and sends deal_event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignStatus,
    DeclineReason,
    Package,
    User,
)
from marketplace.models.application import UNDECIDED
from marketplace.services.deals.parties import brand_of, creator_of
from marketplace.services.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from marketplace.services.matching import outcome_log as match_log
from marketplace.signals import deal_event

PITCH_MIN, PITCH_MAX = 20, 2000
NOTE_MAX = 500
MAX_PRICE_CENTS = 100_000_000  # 1,000,000.00: a typo guard, not a business limit
BRAND_DECLINE_REASONS = (DeclineReason.BUDGET, DeclineReason.NICHE_FIT, DeclineReason.AUDIENCE,
                         DeclineReason.TIMING, DeclineReason.OTHER)


def _check_price(cents: int | None, field: str = "proposed_price") -> None:
    if cents is None:
        return
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise DomainError("Enter the price as an amount such as 250.00.", field=field)
    if cents <= 0:
        raise DomainError("The price must be more than zero.", field=field)
    if cents > MAX_PRICE_CENTS:
        raise DomainError("That price is too high.", field=field)


def apply(user: User, campaign: Campaign, *, pitch: str, package_ids: list[int] | None = None,
          proposed_price_cents: int | None = None, today: date | None = None) -> Application:
    """Apply to `campaign` with a pitch and rate-card packages and/or a custom price.

    Without a custom price the proposal is the sum of the chosen packages."""
    creator = creator_of(user)
    today = today or utcnow().date()
    if campaign.status != CampaignStatus.OPEN:
        raise InvalidTransition("This campaign is not accepting applications.")
    if today > campaign.application_deadline:
        raise InvalidTransition("The application deadline for this campaign has passed.")
    pitch = (pitch or "").strip()
    if len(pitch) < PITCH_MIN:
        raise DomainError(f"Write at least {PITCH_MIN} characters about your idea.", field="pitch")
    if len(pitch) > PITCH_MAX:
        raise DomainError(f"Keep your pitch under {PITCH_MAX} characters.", field="pitch")
    ids = list(dict.fromkeys(package_ids or []))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in ids):
        raise DomainError("Choose packages from your rate card.", field="package_ids")
    packages = list(db.session.scalars(
        select(Package).where(Package.id.in_(ids), Package.creator_id == creator.id)
    )) if ids else []
    if len(packages) != len(ids):
        raise DomainError("Choose packages from your own rate card.", field="package_ids")
    _check_price(proposed_price_cents)
    if not packages and proposed_price_cents is None:
        raise DomainError("Choose at least one package or propose a custom price.",
                          field="package_ids")
    if proposed_price_cents is None:
        if any(p.currency != campaign.currency for p in packages):
            raise DomainError(f"These packages are not priced in {campaign.currency}; "
                              "propose a custom price instead.", field="proposed_price")
        proposed_price_cents = sum(p.price_cents for p in packages)
        _check_price(proposed_price_cents)
    if db.session.scalar(select(Application.id).where(
            Application.campaign_id == campaign.id, Application.creator_id == creator.id)):
        raise Conflict("You already applied to this campaign.")
    application = Application(
        campaign_id=campaign.id, creator_id=creator.id, pitch=pitch,
        package_ids=[p.id for p in packages], proposed_price_cents=proposed_price_cents,
        currency=campaign.currency, status=ApplicationStatus.PENDING,
    )
    db.session.add(application)
    match_log.record(campaign.id, creator.id, "applied")
    try:
        db.session.commit()
    except IntegrityError as exc:  # a double-submitted form raced the check above
        db.session.rollback()
        raise Conflict("You already applied to this campaign.") from exc
    deal_event.send(application, event="application_submitted", actor=user, note="")
    return application


def withdraw(user: User, application: Application) -> Application:
    """The creator takes back an application the brand has not decided on."""
    creator = creator_of(user)
    if application.creator_id != creator.id:
        raise NotAllowed("This is not your application.")
    if application.status not in UNDECIDED:
        raise InvalidTransition(f"You can only withdraw a pending or shortlisted application; "
                                f"this one is {application.status}.")
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_at = utcnow()
    db.session.commit()
    deal_event.send(application, event="application_withdrawn", actor=user, note="")
    return application


def _own_campaign_application(user: User, application: Application) -> None:
    brand = brand_of(user)
    if application.campaign.brand_id != brand.id:
        raise NotAllowed("This application is for another brand's campaign.")


def shortlist(user: User, application: Application) -> Application:
    _own_campaign_application(user, application)
    if application.status != ApplicationStatus.PENDING:
        raise InvalidTransition(f"Only pending applications can be shortlisted; this one is "
                                f"{application.status}.")
    application.status = ApplicationStatus.SHORTLISTED
    db.session.commit()
    deal_event.send(application, event="application_shortlisted", actor=user, note="")
    return application


def decline(user: User | None, application: Application, reason: str | DeclineReason,
            note: str = "", *, now: datetime | None = None) -> Application:
    """Turn an application down with a reason the creator sees. `user=None` is the system
    (decision-date job), the only one allowed to use DECISION_DATE_PASSED."""
    if user is not None:
        _own_campaign_application(user, application)
    try:
        reason = DeclineReason(reason)
    except ValueError as exc:
        raise DomainError("Choose a reason.", field="reason") from exc
    if user is not None and reason not in BRAND_DECLINE_REASONS:
        raise DomainError("Choose a reason.", field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Keep the note under {NOTE_MAX} characters.", field="note")
    if application.status not in UNDECIDED:
        raise InvalidTransition(f"This application is already {application.status}.")
    application.status = ApplicationStatus.DECLINED
    application.decline_reason = reason
    application.decline_note = note
    application.decided_at = now or utcnow()
    match_log.record(application.campaign_id, application.creator_id, "declined")
    db.session.commit()
    deal_event.send(application, event="application_declined", actor=user, note=note)
    return application
