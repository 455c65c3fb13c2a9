"""Money jobs that follow a deal step: the payout after approval (or after the creator's
payout account became ready), the refund after a cancellation, a dispute decision. Each calls
the same service as before, with its payment claim, unique ledger rows and idempotency keys,
so running a job twice moves money once. A Stripe failure (a DomainError from the gateway)
is retried with backoff; after the last retry the job becomes a dead letter for admins."""

from __future__ import annotations

from celery import shared_task

from marketplace.extensions import db
from marketplace.models import Deal
from marketplace.services import payments
from marketplace.services.errors import DomainError


def _deal(deal_id: int) -> Deal | None:
    return db.session.get(Deal, deal_id)


@shared_task(bind=True, name="duet.release_payout", dead_letter=True)
def release_payout(self, deal_id: int) -> str:
    deal = _deal(deal_id)
    if deal is None:
        return "skipped"
    try:
        return payments.release(deal)
    except DomainError as exc:
        raise self.retry_later(exc) from exc


@shared_task(bind=True, name="duet.refund_deal", dead_letter=True)
def refund_deal(self, deal_id: int, reason: str = "") -> str:
    deal = _deal(deal_id)
    if deal is None:
        return "skipped"
    try:
        return payments.refund(deal, reason=reason)
    except DomainError as exc:
        raise self.retry_later(exc) from exc


@shared_task(bind=True, name="duet.settle_dispute", dead_letter=True)
def settle_dispute(self, deal_id: int) -> str:
    deal = _deal(deal_id)
    if deal is None or deal.dispute is None:
        return "skipped"
    try:
        return payments.settle_dispute(
            deal, creator_cents=deal.dispute.creator_amount_cents,
            brand_refund_cents=deal.dispute.brand_refund_cents)
    except DomainError as exc:
        raise self.retry_later(exc) from exc
