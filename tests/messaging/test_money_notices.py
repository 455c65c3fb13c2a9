"""Money notices against the real local Stripe and a real SMTP server: the brand's payment
confirmation (amount, receipt link) and the creator's payout notice with the NET amount from
the Transfer row and the expected arrival date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import DealState
from marketplace.models.notification import Notification
from marketplace.models.payment import Transfer
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.schedule import format_when
from marketplace.services.messaging import notifications
from tests.payments.conftest import stripe_base, stripe_server  # noqa: F401  (fixtures)
from tests.support.messaging import eml_files, smtp  # noqa: F401  (fixture)
from tests.support.payments import make_deal, ready_payout_account, refresh, saved_card


@pytest.fixture
def app(make_app, stripe_server, smtp):  # noqa: F811
    return make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                    STRIPE_WEBHOOK_SECRET="whsec_duet_test", BRAND_FEE_BPS=500,
                    CREATOR_FEE_BPS=1000, PAYOUT_ARRIVAL_DAYS=2,
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False, MAIL_OUTBOX_DIR=str(smtp["outbox"]))


@pytest.fixture
def outbox(smtp):  # noqa: F811
    return smtp["outbox"]


def notes(user, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def mail_to(outbox, user, subject_part: str):
    [mail] = [m for m in eml_files(outbox)
              if user.email in str(m["To"]) and subject_part in str(m["Subject"])]
    plain = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(preferencelist=("html",)).get_content()
    return plain, html


@pytest.fixture
def funded(app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator, price_cents=50000)
    r = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": saved_card(brand.user)})
    assert r.status_code == 302
    refresh(deal)
    assert deal.state == DealState.FUNDED
    return deal


def test_brand_gets_a_payment_confirmation_with_amount_and_receipt(funded, brand, brand_client,
                                                                  outbox):
    [note] = notes(brand.user, "payment_received")
    assert note.text.startswith("Payment received: $525.00 for")  # price + 5% brand fee
    assert note.url == f"/deals/{funded.id}/invoice"
    plain, html = mail_to(outbox, brand.user, "Payment received")
    link = f"http://localhost/deals/{funded.id}/invoice"
    assert f"View your invoice: {link}\n" in plain and f'href="{link}"' in html
    assert "Amount paid: $525.00" in plain
    assert f"Content due: {format_when(funded.content_due)}" in plain
    # Opening the invoice page answers the notification.
    assert brand_client.get(f"/deals/{funded.id}/invoice").status_code == 200
    assert notifications.unread_count(brand.user) == 0


def test_payout_notice_gives_the_net_amount_and_arrival(funded, brand, creator, outbox):
    """Defect 5: the "You were paid" e-mail gave no amount."""
    ready_payout_account(creator)
    funded.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(funded, "approve", brand.user)
    refresh(funded)
    assert funded.state == DealState.COMPLETED
    transfer = db.session.scalar(select(Transfer).where(Transfer.deal_id == funded.id))
    assert (transfer.amount_cents, transfer.creator_fee_cents) == (45000, 5000)
    arrival = format_when(funded.paid_out_at + timedelta(days=2), with_time=False)
    [note] = notes(creator.user, "deal_paid")
    assert note.text.startswith("You were paid $450.00 for")  # net, never the $500.00 price
    assert note.text.endswith(f"Expected in your bank around {arrival}.")
    plain, html = mail_to(outbox, creator.user, "You were paid")
    assert "$500.00 deal price − $50.00 Duet fee = $450.00" in plain
    assert "Paid to you: $450.00" in plain and "$450.00" in html
    assert "http://localhost/payouts" in plain


def test_approval_without_payout_account_links_to_payout_setup(funded, brand, creator, outbox):
    funded.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(funded, "approve", brand.user)
    [note] = notes(creator.user, "deal_approved")
    assert note.text.endswith("Set up your payout account to receive $450.00.")
    assert note.url == "/payouts"
    plain, html = mail_to(outbox, creator.user, "approved")
    assert "Set up payouts: http://localhost/payouts\n" in plain
    assert 'href="http://localhost/payouts"' in html
