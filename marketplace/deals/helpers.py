"""Shared by the deals views: loaders that answer 404 to anyone not a party, money and terms
parsing, field errors from domain errors, and the countdown text."""


from __future__ import annotations

from flask import (
    abort,
)
from flask_login import current_user
from sqlalchemy import Executable, select
from sqlalchemy.orm.interfaces import ORMOption

from marketplace.deals.forms import (
    DELIVERABLE_ROWS,
    TermsForm,
)
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.models import (
    Application,
    Campaign,
    Deal,
    OfferThread,
    Side,
)
from marketplace.money import to_cents
from marketplace.services.deals import offers
from marketplace.services.deals.parties import side_of
from marketplace.services.deals.schedule import countdown, format_when
from marketplace.services.errors import DomainError


def refused(form, exc: DomainError) -> bool:
    """Put a field error beside its field; return False when the error names no field."""
    if exc.field and exc.field in form._fields:
        apply_domain_error(form, exc)
        return True
    return False


def parse_cents(form, name: str, *, required: bool = True) -> int | None:
    raw = (form[name].data or "").strip()
    if not raw:
        if required:
            form[name].errors = [*form[name].errors, "Enter an amount such as 250 or 250.00."]
            raise ValueError
        return None
    try:
        return to_cents(raw)
    except ValueError as exc:
        form[name].errors = [*form[name].errors, str(exc)]
        raise


def my_deal(deal_id: int, *options: ORMOption) -> Deal:
    """The deal if the current user is a party (or an admin of its dispute), else 404;
    `options` are its eager loads."""
    deal = (db.first_or_404(select(Deal).where(Deal.id == deal_id).options(*options))
            if options else db.get_or_404(Deal, deal_id))
    return _mine_or_404(deal)


def my_deal_by(statement: Executable, deal_id: int) -> Deal:
    """`my_deal` for a page that built its statement once, with the id bound as `:deal_id`."""
    deal = db.session.scalars(statement, {"deal_id": deal_id}).unique().first()
    if deal is None:
        abort(404)
    return _mine_or_404(deal)


def _mine_or_404(deal: Deal) -> Deal:
    side = side_of(current_user, deal.brand_id, deal.creator_id)
    if side in (Side.BRAND, Side.CREATOR):
        return deal
    if side == Side.ADMIN and deal.dispute is not None:
        return deal
    abort(404)


def my_thread(thread_id: int) -> OfferThread:
    thread = db.get_or_404(OfferThread, thread_id)
    if side_of(current_user, thread.brand_id, thread.creator_id) not in (Side.BRAND,
                                                                          Side.CREATOR):
        abort(404)
    return thread


def my_application(application_id: int) -> Application:
    """An application of the current creator (404 for anyone else's)."""
    creator = current_user.creator
    return db.first_or_404(select(Application).where(
        Application.id == application_id,
        Application.creator_id == (creator.id if creator else -1)))


def application_to_me(application_id: int) -> Application:
    """An application to one of the current brand's campaigns (404 otherwise)."""
    brand = current_user.brand
    return db.first_or_404(
        select(Application).join(Campaign, Application.campaign_id == Campaign.id)
        .where(Application.id == application_id,
               Campaign.brand_id == (brand.id if brand else -1)))


def my_campaign(campaign_id: int) -> Campaign:
    brand = current_user.brand
    return db.first_or_404(select(Campaign).where(
        Campaign.id == campaign_id, Campaign.brand_id == (brand.id if brand else -1)))


def terms_from_form(form: TermsForm, currency: str) -> offers.OfferTerms:
    """Build terms; raises ValueError after putting the error beside the field."""
    price = parse_cents(form, "price")
    rows = []
    for entry in form.deliverables.entries:
        row = entry.form
        if not (row.platform.data or row.deliverable_type.data or row.quantity.data):
            continue
        try:
            quantity = int((row.quantity.data or "1").strip())
        except ValueError:
            quantity = 0
        rows.append({"platform": row.platform.data, "deliverable_type":
                     row.deliverable_type.data, "quantity": quantity})
    return offers.OfferTerms(price_cents=price, currency=currency, deliverables=rows,
                             content_due=form.content_due.data,
                             usage_rights=form.usage_rights.data,
                             revisions_included=form.revisions_included.data,
                             message=form.message.data or "")


def fill_terms(form: TermsForm, terms: offers.OfferTerms) -> None:
    form.price.data = f"{terms.price_cents / 100:.2f}"
    form.content_due.data = terms.content_due
    form.usage_rights.data = terms.usage_rights
    form.revisions_included.data = terms.revisions_included
    while len(form.deliverables.entries) < max(DELIVERABLE_ROWS, len(terms.deliverables)):
        form.deliverables.append_entry()
    for entry, item in zip(form.deliverables.entries, terms.deliverables, strict=False):
        entry.form.platform.data = item["platform"]
        entry.form.deliverable_type.data = item["deliverable_type"]
        entry.form.quantity.data = str(item["quantity"])


def until(moment) -> str:
    """'on 12 Mar 2026, 14:00 UTC (in 2 days)' — a countdown without JavaScript."""
    when = format_when(moment)
    left = countdown(moment)
    return f"was due {when}" if left == "overdue" else f"on {when} ({left})"
