"""Money: the brand's charge held by the platform, the creator's payout, refunds, the ledger,
invoices, the creator's earnings and Stripe's webhooks. Owns every Stripe call (only
`stripe_gateway` imports `stripe`); moves deal states only through
`services.deals.state_machine`, never by writing `Deal.state`.

    funding.py        the brand pays (cards, PaymentIntents, 3-D Secure)
    invoices.py       invoice numbers and snapshots, the brand's billing details
    earnings.py       the creator's side: net amounts, payout states, statements, yearly sums
    payouts.py        the creator's payout account and the transfer after approval
    refunds.py        refunds, transfer reversals, dispute splits
    stripe_events.py  webhook events, each applied once
    ledger.py         fees, ledger rows, the money equation, the payment claim, reconciliation
    stripe_gateway.py the only module that talks to Stripe
"""

from marketplace.models.payment import SETTLED
from marketplace.services.payments.earnings import (
    SETUP_ENDPOINT,
    PayoutLine,
    PayoutSummary,
    PayoutTotals,
    YearSummary,
    creator_net,
    earning_years,
    payout_lines,
    payout_summary,
    statement,
    yearly_summary,
)
from marketplace.services.payments.funding import (
    FundResult,
    customer_id_for,
    finish_authentication,
    fund,
    record_charge,
    saved_cards,
)
from marketplace.services.payments.invoices import (
    BillingDetails,
    invoice_for,
    save_billing_details,
)
from marketplace.services.payments.ledger import (
    FeeBreakdown,
    creator_fee,
    fee_breakdown,
    held_cents,
    ledger_balance_ok,
    ledger_totals,
    payment_for,
    reconcile,
)
from marketplace.services.payments.payouts import (
    onboarding_url,
    payout_account,
    record_transfer,
    refresh_payout_account,
    release,
    send_pending_payouts,
)
from marketplace.services.payments.refunds import refund, settle_dispute
from marketplace.services.payments.stripe_events import handle_event

__all__ = ["SETTLED", "SETUP_ENDPOINT", "BillingDetails", "FeeBreakdown", "FundResult",
           "PayoutLine", "PayoutSummary", "PayoutTotals", "YearSummary", "creator_fee",
           "creator_net", "customer_id_for", "earning_years", "fee_breakdown",
           "finish_authentication", "fund", "handle_event", "held_cents", "invoice_for",
           "ledger_balance_ok", "ledger_totals", "onboarding_url", "payment_for",
           "payout_account", "payout_lines", "payout_summary", "reconcile", "record_charge",
           "record_transfer", "refresh_payout_account", "refund", "release",
           "save_billing_details", "saved_cards", "send_pending_payouts", "settle_dispute",
           "statement", "yearly_summary"]
