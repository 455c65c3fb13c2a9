"""Money follows the deal: funding e-mails the brand its invoice (PDF attached), approval pays
the creator, cancellation after funding refunds the brand, a dispute decision does either or
both. Handlers run after the deals service committed;
a Stripe failure leaves the payment as it was (retry with `flask payments retry`)."""

from __future__ import annotations

from flask import current_app

from marketplace.models import Deal
from marketplace.payments import documents
from marketplace.services import payments
from marketplace.services.errors import DomainError
from marketplace.signals import deal_event


@deal_event.connect
def _on_deal_event(sender, event: str = "", **extra) -> None:
    if not isinstance(sender, Deal):
        return
    if event == "deal_funded":
        invoice = payments.invoice_for(sender.id)
        if invoice is not None:
            documents.mail_invoice(invoice)  # never raises
        return
    try:
        if event in ("deal_approved", "deal_auto_approved", "deal_posted"):
            payments.release(sender)
        elif event == "deal_cancelled":
            payments.refund(sender, reason="The deal was cancelled.")
        elif event == "dispute_resolved" and sender.dispute is not None:
            payments.settle_dispute(sender, creator_cents=sender.dispute.creator_amount_cents,
                                    brand_refund_cents=sender.dispute.brand_refund_cents)
    except DomainError as exc:
        current_app.logger.warning("Payment step for deal %s (%s) failed: %s",
                                   sender.id, event, exc.message)
