"""The creator's side of the money: what each deal pays them (net of the creator fee), where
that money is (held, waiting for payout set-up, on the way, paid), per-deal statements, the
yearly summary and the totals a dashboard shows.

States, in the order money moves:
  held            the brand paid; Duet holds it until the content is approved
  pending set-up  approved, but the creator's payout account is not ready yet
  on the way      transferred; Stripe pays it out to the bank by `expected_arrival_at`
  paid            transferred and the expected arrival date has passed
  refunded        went back to the brand (cancelled deal, dispute)
The creator can act only on "pending set-up": pages link it to SETUP_ENDPOINT."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import CreatorProfile, Deal
from marketplace.models.payment import Payment, PaymentStatus, PayoutAccount, Transfer
from marketplace.services.payments.ledger import creator_fee, payment_for

SETUP_ENDPOINT = "payments.payouts"  # the page where a creator sets up payouts

HELD = "held"
PENDING_SETUP = "pending set-up"
ON_THE_WAY = "on the way"
PAID = "paid"
REFUNDED = "refunded"
STATES = (HELD, PENDING_SETUP, ON_THE_WAY, PAID, REFUNDED)

_NOT_YET_PAID = (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION)


@dataclass(frozen=True)
class PayoutLine:
    """One deal's money from the creator's side (cents in `currency`)."""

    deal: Deal
    payment: Payment
    transfer: Transfer | None
    state: str
    gross_cents: int  # the creator's share before the fee (the price, or a dispute share)
    fee_cents: int
    net_cents: int  # what reaches the bank (expected while held)
    currency: str

    @property
    def sent_at(self) -> datetime | None:
        return self.transfer.created_at if self.transfer else None

    @property
    def expected_arrival_at(self) -> datetime | None:
        return self.transfer.expected_arrival_at if self.transfer else None

    @property
    def needs_setup(self) -> bool:
        return self.state == PENDING_SETUP


def _line(payment: Payment, transfer: Transfer | None, now: datetime) -> PayoutLine:
    if transfer is not None:
        net = transfer.amount_cents - transfer.reversed_cents
        fee = transfer.creator_fee_cents if net else 0
        if net <= 0:
            state = REFUNDED
        elif transfer.expected_arrival_at is not None and transfer.expected_arrival_at > now:
            state = ON_THE_WAY
        else:
            state = PAID
        return PayoutLine(payment.deal, payment, transfer, state, net + fee, fee, net,
                          payment.currency)
    if payment.status == PaymentStatus.REFUNDED or payment.payout_cents <= 0:
        return PayoutLine(payment.deal, payment, None, REFUNDED, 0, 0, 0, payment.currency)
    gross = payment.payout_cents
    fee = creator_fee(gross)
    state = PENDING_SETUP if payment.status == PaymentStatus.PAYOUT_PENDING else HELD
    return PayoutLine(payment.deal, payment, None, state, gross, fee, gross - fee,
                      payment.currency)


def creator_net(deal: Deal) -> int:
    """What the creator receives for `deal`, after the creator fee: the transfer once it went
    out, otherwise the expected amount (the price, or a dispute's creator share, minus the
    fee). For "You were paid" e-mails and pages that show one deal."""
    payment = payment_for(deal.id)
    if payment is None:
        return deal.price_cents - creator_fee(deal.price_cents)
    transfer = db.session.execute(select(Transfer).where(Transfer.deal_id == deal.id)).scalar()
    return _line(payment, transfer, utcnow()).net_cents


def statement(deal: Deal) -> PayoutLine | None:
    """The deal's payout statement line (None before the brand paid)."""
    payment = payment_for(deal.id)
    if payment is None or payment.status in _NOT_YET_PAID:
        return None
    transfer = db.session.execute(select(Transfer).where(Transfer.deal_id == deal.id)).scalar()
    return _line(payment, transfer, utcnow())


def payments_query(creator: CreatorProfile) -> Select:
    """The creator's paid deals' payments, newest first, deals' campaign and brand loaded
    (paginate it, then `lines_for` the page)."""
    return (select(Payment).join(Deal, Deal.id == Payment.deal_id)
            .where(Deal.creator_id == creator.id, Payment.status.notin_(_NOT_YET_PAID))
            .options(selectinload(Payment.deal).selectinload(Deal.campaign),
                     selectinload(Payment.deal).selectinload(Deal.brand))
            .order_by(Payment.paid_at.desc(), Payment.id.desc()))


def lines_for(payments: list[Payment]) -> list[PayoutLine]:
    """Payout lines for these payments (one query for their transfers)."""
    transfers = {t.deal_id: t for t in db.session.execute(
        select(Transfer).where(Transfer.deal_id.in_([p.deal_id for p in payments])))
        .scalars()} if payments else {}
    now = utcnow()
    return [_line(p, transfers.get(p.deal_id), now) for p in payments]


def payout_lines(creator: CreatorProfile, *, year: int | None = None) -> list[PayoutLine]:
    """Every paid deal of the creator, newest first (two queries plus eager loads). With
    `year`, only money transferred in that year (the yearly summary's rows)."""
    lines = lines_for(list(db.session.execute(payments_query(creator)).scalars()))
    if year is not None:
        lines = [line for line in lines if line.sent_at and line.sent_at.year == year]
        lines.sort(key=lambda line: line.sent_at)
    return lines


@dataclass
class PayoutTotals:
    """Net cents per state, in one currency."""

    currency: str
    held: int = 0
    pending_setup: int = 0
    on_the_way: int = 0
    paid: int = 0

    def add(self, line: PayoutLine) -> None:
        attribute = {HELD: "held", PENDING_SETUP: "pending_setup", ON_THE_WAY: "on_the_way",
                     PAID: "paid"}.get(line.state)
        if attribute:
            setattr(self, attribute, getattr(self, attribute) + line.net_cents)

    @property
    def upcoming(self) -> int:
        return self.held + self.pending_setup + self.on_the_way


@dataclass
class PayoutSummary:
    """`payout_summary(creator)`: totals by state (one PayoutTotals per currency, the
    largest first), and whether the creator must set up payouts (link SETUP_ENDPOINT)."""

    totals: list[PayoutTotals] = field(default_factory=list)
    account_ready: bool = False
    waiting_for_setup: int = 0  # deals approved but not paid because of the account

    @property
    def needs_setup(self) -> bool:
        return not self.account_ready

    def for_currency(self, currency: str) -> PayoutTotals:
        return next((t for t in self.totals if t.currency == currency), PayoutTotals(currency))


def payout_summary(creator: CreatorProfile,
                   lines: list[PayoutLine] | None = None) -> PayoutSummary:
    """Totals by state (held, pending set-up, on the way, paid) for the creator's dashboard
    and payouts page. Three queries; pass `lines` when the caller has them already."""
    lines = payout_lines(creator) if lines is None else lines
    by_currency: dict[str, PayoutTotals] = defaultdict(lambda: PayoutTotals(""))
    for line in lines:
        totals = by_currency[line.currency]
        totals.currency = line.currency
        totals.add(line)
    account = db.session.execute(
        select(PayoutAccount).where(PayoutAccount.creator_id == creator.id)).scalar()
    ordered = sorted(by_currency.values(),
                     key=lambda t: -(t.upcoming + t.paid))
    return PayoutSummary(ordered, bool(account and account.ready),
                         sum(1 for line in lines if line.state == PENDING_SETUP))


@dataclass(frozen=True)
class YearSummary:
    year: int
    lines: list[PayoutLine]
    totals: dict[str, tuple[int, int, int]]  # currency -> (gross, fee, net)


def yearly_summary(creator: CreatorProfile, year: int) -> YearSummary:
    """Money transferred to the creator in `year` (by transfer date), with totals."""
    lines = payout_lines(creator, year=year)
    totals: dict[str, tuple[int, int, int]] = {}
    for line in lines:
        gross, fee, net = totals.get(line.currency, (0, 0, 0))
        totals[line.currency] = (gross + line.gross_cents, fee + line.fee_cents,
                                 net + line.net_cents)
    return YearSummary(year, lines, totals)


def earning_years(creator: CreatorProfile) -> list[int]:
    """Years in which the creator was paid (newest first), plus the current year."""
    dates = db.session.execute(
        select(Transfer.created_at).join(Deal, Deal.id == Transfer.deal_id)
        .where(Deal.creator_id == creator.id)).scalars()
    return sorted({d.year for d in dates} | {utcnow().year}, reverse=True)
