"""Read-only deal figures for the dashboards: what waits on the person looking (with its due
date), deals per step, this month's spend, a creator's earnings. Each function runs a fixed
number of queries whatever the number of deals (the dashboards' query budget tests hold it).

Dates come from the deal's schedule (services/deals/schedule.py) through `due_date`; money
is integer cents per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Integer, String, bindparam, cast, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from marketplace.database import UTCDateTime
from marketplace.extensions import db
from marketplace.models import BrandProfile, CreatorProfile, Deal, DealState, Side
from marketplace.models.deal import CLOSED_STATES
from marketplace.models.payment import LedgerEntry, LedgerKind, Payment, PaymentStatus, Transfer
from marketplace.services.deals import schedule
from marketplace.services.payments import fee_breakdown

S = DealState

# What a person must do next, by key: (label, button text).
ACTIONS: dict[str, tuple[str, str]] = {
    "fund": ("Fund the deal", "Fund"),
    "review": ("Review the submission", "Review"),
    "dispute": ("Answer the dispute", "Answer"),
    "cancel": ("Answer the cancellation proposal", "Answer"),
    "submit": ("Submit your content", "Submit"),
    "revise": ("Submit the revision", "Revise"),
}

# Upcoming dates on a creator's open deals: state -> what the date is.
UPCOMING: dict[DealState, str] = {
    S.AGREED: "Brand funds by", S.FUNDED: "Content due", S.REVISION_REQUESTED: "Revision due",
    S.SUBMITTED: "Approved automatically by",
}

STEP_ORDER = (S.AGREED, S.FUNDED, S.SUBMITTED, S.REVISION_REQUESTED, S.APPROVED, S.POSTED,
              S.PAID_OUT, S.COMPLETED, S.DISPUTED, S.CANCELLED, S.EXPIRED)


# The action each step waits for (its date is that step's next date).
STEP_ACTION: dict[DealState, str] = {S.AGREED: "fund", S.SUBMITTED: "review",
                                     S.FUNDED: "submit", S.REVISION_REQUESTED: "revise"}


def due_date(deal: Deal, action: str | None) -> datetime | date | None:
    """The due date shown for an action on a deal, from the schedule (None: no deadline).
    Content is due on a calendar date (by the end of that day, UTC)."""
    if action == "fund":
        return schedule.funding_deadline(deal)
    if action == "review":
        return schedule.review_by(deal)
    if action in ("submit", "revise"):
        return deal.content_due
    return None


@dataclass(frozen=True)
class ActionItem:
    deal: Deal
    action: str
    due: datetime | date | None

    @property
    def label(self) -> str:
        return ACTIONS[self.action][0]

    @property
    def button(self) -> str:
        return ACTIONS[self.action][1]

    @property
    def url_target(self) -> str:
        """Which page acts: the pay page for funding, else the deal page."""
        return "pay" if self.action == "fund" else "deal"


@dataclass(frozen=True)
class UpcomingDate:
    deal: Deal
    label: str
    due: datetime | date


def _sort_key(item) -> tuple:
    """Soonest deadline first (a calendar date counts until its end); none last."""
    due = item.due
    if due is None:
        return (1, datetime.max.replace(tzinfo=UTC), item.deal.id)
    return (0, due if isinstance(due, datetime) else schedule.end_of_day(due), item.deal.id)


def _open_deals(party_column, party_id: int) -> list[Deal]:
    """A party's deals still in progress, with what the lists show (one query). The party's
    own profile is not joined: the session holds it, so `deal.brand` or `deal.creator`
    finds it there without a statement."""
    side = "creator" if party_column is Deal.creator_id else "brand"
    return list(db.session.scalars(_open_deals_of(side), {"party_id": party_id}).unique())


@cache
def _open_deals_of(side: str):
    """The statement of `_open_deals` for one side, built once per process with the party's
    id bound (building it cost about as much as running it)."""
    party_column, other = ((Deal.creator_id, Deal.brand) if side == "creator"
                           else (Deal.brand_id, Deal.creator))
    return (select(Deal).where(party_column == bindparam("party_id", type_=Integer),
                               Deal.state.notin_(CLOSED_STATES))
            .options(joinedload(Deal.campaign), joinedload(other), joinedload(Deal.dispute))
            .order_by(Deal.id))


def _waits_on(deal: Deal, side: Side) -> str | None:
    """The action `side` owes on this deal, if any."""
    other = Side.CREATOR if side == Side.BRAND else Side.BRAND
    state = deal.state
    if side == Side.BRAND and state == S.AGREED:
        return "fund"
    if side == Side.BRAND and state == S.SUBMITTED:
        return "review"
    if side == Side.CREATOR and state == S.FUNDED:
        return "submit"
    if side == Side.CREATOR and state == S.REVISION_REQUESTED:
        return "revise"
    dispute = deal.dispute
    if (state == S.DISPUTED and dispute is not None and dispute.resolved_at is None
            and dispute.opened_by_side == other and not dispute.response):
        return "dispute"
    if deal.cancel_proposed_by == other:
        return "cancel"
    return None


def _actions(deals: list[Deal], side: Side) -> list[ActionItem]:
    items = []
    for deal in deals:
        action = _waits_on(deal, side)
        if action is not None:
            items.append(ActionItem(deal, action, due_date(deal, action)))
    return sorted(items, key=_sort_key)


@dataclass
class BrandOverview:
    actions: list[ActionItem]
    steps: dict[DealState, int]
    awaiting_review: list[Deal]
    spend: dict[str, int]

    @property
    def total_deals(self) -> int:
        return sum(self.steps.values())


def deals_per_step(brand: BrandProfile) -> dict[DealState, int]:
    found = dict(db.session.execute(_brand_statements()["steps"], {"brand_id": brand.id}).all())
    return {state: int(found.get(state, 0)) for state in STEP_ORDER}


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start.replace(year=start.year + 1, month=1) if start.month == 12
           else start.replace(month=start.month + 1))
    return start, end


def spend_this_month(brand: BrandProfile, now: datetime) -> dict[str, int]:
    """currency -> cents charged to the brand this calendar month (UTC), from the ledger's
    charge rows (what the card paid: price plus the brand fee)."""
    start, end = _month_bounds(now)
    rows = db.session.execute(_brand_statements()["spend"],
                              {"brand_id": brand.id, "start": start, "end": end}).all()
    return {currency: int(total or 0) for currency, total in rows}


@cache
def _brand_statements() -> dict:
    """The brand overview's statements, built once per process with their values bound."""
    brand_id = bindparam("brand_id", type_=Integer)
    return {
        "steps": select(Deal.state, func.count(Deal.id)).where(Deal.brand_id == brand_id)
        .group_by(Deal.state),
        "spend": select(LedgerEntry.currency, func.sum(LedgerEntry.amount_cents))
        .join(Deal, Deal.id == LedgerEntry.deal_id)
        .where(Deal.brand_id == brand_id, LedgerEntry.kind == LedgerKind.CHARGE,
               LedgerEntry.created_at >= bindparam("start", type_=UTCDateTime()),
               LedgerEntry.created_at < bindparam("end", type_=UTCDateTime()))
        .group_by(LedgerEntry.currency).order_by(LedgerEntry.currency),
    }


def brand_overview(brand: BrandProfile, now: datetime) -> BrandOverview:
    deals = _open_deals(Deal.brand_id, brand.id)
    return BrandOverview(
        actions=_actions(deals, Side.BRAND), steps=deals_per_step(brand),
        awaiting_review=sorted((d for d in deals if d.state == S.SUBMITTED),
                               key=lambda d: (d.submitted_at is None, d.submitted_at, d.id)),
        spend=spend_this_month(brand, now))


# --- creators --------------------------------------------------------------------------------

@dataclass
class Earnings:
    """A creator's money in one currency, net of the creator fee (integer cents)."""

    held: int = 0  # funded, waiting for approval
    pending_setup: int = 0  # approved, waiting for the creator's payout account
    paid: int = 0  # transferred to the creator's Stripe account

    @property
    def total(self) -> int:
        return self.held + self.pending_setup + self.paid


HELD_STATUSES = (PaymentStatus.HELD, PaymentStatus.RELEASING)


def creator_earnings(creator: CreatorProfile) -> dict[str, Earnings]:
    """currency -> Earnings, read from Payment and Transfer rows (one statement: held and
    waiting payments, then the transfers' sums, tagged by `kind`)."""
    out: dict[str, Earnings] = {}
    rows = db.session.execute(_earnings_statement(), {"creator_id": creator.id})
    for kind, status, currency, cents in rows:
        bucket = out.setdefault(currency, Earnings())
        if kind == "transfer":
            bucket.paid += int(cents or 0)
        elif status == PaymentStatus.PAYOUT_PENDING.name:
            bucket.pending_setup += fee_breakdown(cents, currency).creator_net
        else:
            bucket.held += fee_breakdown(cents, currency).creator_net
    return dict(sorted(out.items()))


@cache
def _earnings_statement():
    """The statement of `creator_earnings`, built once per process with the creator's id
    bound."""
    creator_id = bindparam("creator_id", type_=Integer)
    payments = (select(literal("payment").label("kind"), cast(Payment.status, String(32)),
                       Payment.currency, Payment.payout_cents)
                .join(Deal, Deal.id == Payment.deal_id)
                .where(Deal.creator_id == creator_id,
                       Payment.status.in_((*HELD_STATUSES, PaymentStatus.PAYOUT_PENDING))))
    transfers = (select(literal("transfer"), literal(None, String(32)), Transfer.currency,
                        func.sum(Transfer.amount_cents - Transfer.reversed_cents))
                 .join(Deal, Deal.id == Transfer.deal_id).where(Deal.creator_id == creator_id)
                 .group_by(Transfer.currency))
    return union_all(payments, transfers)


@dataclass
class CreatorOverview:
    actions: list[ActionItem]
    upcoming: list[UpcomingDate]
    earnings: dict[str, Earnings]
    payouts_ready: bool
    has_payout_account: bool
    open_deals: int


UPCOMING_LIMIT = 6


def creator_overview(creator: CreatorProfile) -> CreatorOverview:
    deals = _open_deals(Deal.creator_id, creator.id)
    upcoming = []
    for deal in deals:
        label = UPCOMING.get(deal.state)
        due = due_date(deal, STEP_ACTION.get(deal.state))
        if label is not None and due is not None:
            upcoming.append(UpcomingDate(deal, label, due))
    account = creator.payout_account  # eager-loaded by the dashboard (one query otherwise)
    return CreatorOverview(
        actions=_actions(deals, Side.CREATOR),
        upcoming=sorted(upcoming, key=_sort_key)[:UPCOMING_LIMIT],
        earnings=creator_earnings(creator), payouts_ready=bool(account and account.ready),
        has_payout_account=account is not None, open_deals=len(deals))
