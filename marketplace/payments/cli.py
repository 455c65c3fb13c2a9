"""`flask payments reconcile` and `flask payments retry`."""

from __future__ import annotations

import click
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.models.payment import Payment, PaymentStatus
from marketplace.payments import bp
from marketplace.services import payments
from marketplace.services.errors import DomainError
from marketplace.services.payments import invoices


@bp.cli.command("reconcile")
def reconcile() -> None:
    """Compare the ledger with Stripe's objects and list every mismatch."""
    problems = payments.reconcile()
    for line in problems:
        click.echo(line)
    click.echo(f"{len(problems)} mismatch(es).")
    if problems:
        raise SystemExit(1)


@bp.cli.command("retry")
def retry() -> None:
    """Retry payouts of approved deals and refunds of cancelled deals that Stripe refused, and
    issue the invoices of funded deals that have none."""
    for payment in invoices.missing_invoices():
        click.echo(f"deal {payment.deal_id}: invoice {invoices.issue(payment).number}")
    rows = db.session.execute(select(Payment.deal_id, Deal.state).join(
        Deal, Deal.id == Payment.deal_id).where(
        Payment.status.in_([PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING]))).all()
    for deal_id, state in rows:
        deal = db.session.get(Deal, deal_id)
        try:
            if state in (DealState.APPROVED, DealState.POSTED):
                click.echo(f"deal {deal_id}: {payments.release(deal)}")
            elif state == DealState.CANCELLED:
                click.echo(f"deal {deal_id}: {payments.refund(deal)}")
        except DomainError as exc:
            click.echo(f"deal {deal_id}: {exc.message}")
