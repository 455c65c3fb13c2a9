"""Money follows the deal: funding e-mails the brand its invoice (PDF attached), approval pays
the creator, cancellation after funding refunds the brand, a dispute decision does either or
both. Handlers run after the deals service committed. The Stripe calls run on the job queue
(`marketplace/jobs/payments.py`), retried with backoff and dead-lettered for admins when
Stripe keeps refusing; the invoice mail is queued like every mail."""

from __future__ import annotations

from marketplace.jobs.queue import enqueue
from marketplace.models import Deal
from marketplace.payments import documents
from marketplace.services import payments
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
    if event in ("deal_approved", "deal_auto_approved", "deal_posted"):
        enqueue("duet.release_payout", sender.id)
    elif event == "deal_cancelled":
        enqueue("duet.refund_deal", sender.id, "The deal was cancelled.")
    elif event == "dispute_resolved" and sender.dispute is not None:
        enqueue("duet.settle_dispute", sender.id)
