"""The brand's invoice: issued with the charge, numbered DUET-<year>-<6 digits> without gaps or
repeats (also under concurrent payments on PostgreSQL), with billing details, the card, fee and
tax lines, as a page and a real PDF, e-mailed as an attachment (a mail failure never fails the
payment), and shown to nobody but the brand (and admins)."""

from __future__ import annotations

import io
import re
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db, mail
from marketplace.models import DealState
from marketplace.models.invoice import Invoice
from marketplace.models.payment import Payment, PaymentStatus
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from marketplace.services.payments import invoices
from tests.payments.conftest import reset_stripe
from tests.support import factories
from tests.support.documents import download_pdf
from tests.support.payments import make_deal, refresh, saved_card, typed_card

YEAR = utcnow().year


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fund(client, deal, card: str) -> None:
    response = client.post(f"/deals/{deal.id}/pay",
                           data={"card_choice": "new", "payment_method": card})
    assert response.status_code == 302, response.data[:800]


def set_billing(client, **data) -> object:
    return client.post("/brands/me/billing", data={"billing_name": "", "billing_address": "",
                                                   "tax_id": "", **data})


def test_paying_issues_a_numbered_invoice_with_billing_details_and_card(
        app_ctx, brand, creator, brand_client):
    assert set_billing(brand_client, billing_name="Glow Lab GmbH",
                       billing_address="Torstraße 1\n10119 Berlin\nGermany",
                       tax_id="DE123456789").status_code == 302
    first, second = make_deal(brand, creator), make_deal(brand, creator, price_cents=30000)
    fund(brand_client, first, typed_card("5555555555554444"))
    fund(brand_client, second, saved_card(brand.user))
    one, two = payments.invoice_for(first.id), payments.invoice_for(second.id)
    assert (one.number, two.number) == (f"DUET-{YEAR}-000001", f"DUET-{YEAR}-000002")
    assert (one.billing_name, one.tax_id, one.card_label) == (
        "Glow Lab GmbH", "DE123456789", "Visa •••• 4444")
    assert (one.price_cents, one.brand_fee_cents, one.tax_cents, one.total_cents) == (
        50000, 2500, 0, 52500)
    page = brand_client.get(f"/deals/{first.id}/invoice").get_data(as_text=True)
    for text in (one.number, "Glow Lab GmbH", "Torstraße 1", "10119 Berlin", "DE123456789",
                 "Visa •••• 4444", "Duet service fee", "$25.00", "Tax (0 %)", "$525.00",
                 "Subtotal"):
        assert text in page, text


def test_the_invoice_pdf_is_a_real_pdf_with_the_invoice_on_it(app_ctx, brand, creator,
                                                              brand_client):
    set_billing(brand_client, billing_name="Glow Lab GmbH", tax_id="DE123456789")
    deal = make_deal(brand, creator)
    fund(brand_client, deal, typed_card())
    response = download_pdf(brand_client, f"/deals/{deal.id}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    number = payments.invoice_for(deal.id).number
    assert f'filename="{number}.pdf"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for expected in (number, "Glow Lab GmbH", "DE123456789", "Total paid", "$525.00",
                     "Visa •••• 4242"):
        assert expected in text, (expected, text)


def test_an_issued_invoice_keeps_its_billing_details(app_ctx, brand, creator, brand_client):
    set_billing(brand_client, billing_name="Old Name Ltd")
    old = make_deal(brand, creator)
    fund(brand_client, old, typed_card())
    set_billing(brand_client, billing_name="New Name Ltd", tax_id="GB999")
    new = make_deal(brand, creator)
    fund(brand_client, new, saved_card(brand.user))
    assert payments.invoice_for(old.id).billing_name == "Old Name Ltd"
    assert (payments.invoice_for(new.id).billing_name, payments.invoice_for(new.id).tax_id) == (
        "New Name Ltd", "GB999")


def test_without_billing_details_the_company_name_and_country_are_used(app_ctx, brand,
                                                                       creator, brand_client):
    deal = make_deal(brand, creator)
    fund(brand_client, deal, typed_card())
    invoice = payments.invoice_for(deal.id)
    assert (invoice.billing_name, invoice.billing_address) == (brand.company_name,
                                                               "United States")


@pytest.mark.parametrize("data, field_message", [
    ({"tax_id": "<script>alert(1)</script>"}, "A tax id has letters"),
    ({"tax_id": "x" * 41}, "40"),
    ({"billing_name": "n" * 121}, "120"),
    ({"billing_address": "line\n" * 9}, "8 lines"),
    ({"billing_address": "a" * 501}, "500"),
])
def test_hostile_billing_details_are_refused_and_change_nothing(app_ctx, brand, brand_client,
                                                                data, field_message):
    response = set_billing(brand_client, billing_name="Kept", **{k: v for k, v in data.items()
                                                                 if k != "billing_name"}
                           ) if "billing_name" not in data else set_billing(brand_client,
                                                                             **data)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    db.session.refresh(brand)
    assert (brand.billing_name, brand.billing_address, brand.tax_id) == ("", "", "")


def test_a_tax_rate_adds_a_charged_tax_line_that_a_full_refund_gives_back(
        make_app, stripe_server):
    app = make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                   STRIPE_JS_URL=f"{stripe_server}/js.stripe.com/v3/",
                   STRIPE_WEBHOOK_SECRET="whsec_duet_test", BRAND_FEE_BPS=500,
                   CREATOR_FEE_BPS=1000, TAX_RATE_BPS=2000, TAX_LABEL="VAT",
                   MAIL_SUPPRESS_SEND=True)
    with app.app_context():
        reset_stripe(stripe_server)
        brand, creator = factories.make_brand(), factories.make_creator()
        admin = factories.make_user("admin@example.com", role="admin")
        deal = make_deal(brand, creator)
        payments.fund(deal, brand.user, saved_card(brand.user))
        payment = payments.payment_for(deal.id)
        # 50,000 + 2,500 fee = 52,500; VAT 20 % of that = 10,500; charged 63,000
        assert (payment.tax_cents, payment.amount_cents) == (10500, 63000)
        invoice = payments.invoice_for(deal.id)
        assert (invoice.tax_rate_bps, invoice.tax_cents, invoice.total_cents) == (
            2000, 10500, 63000)
        assert payments.ledger_balance_ok(deal.id)
        client = app.test_client()
        client.post("/auth/login", data={"email": brand.user.email,
                                         "password": factories.PASSWORD})
        page = client.get(f"/deals/{deal.id}/invoice").get_data(as_text=True)
        assert "VAT (20 %)" in page and "$105.00" in page and "$630.00" in page
        deals.perform(db.session.get(type(deal), deal.id), "cancel", admin, note="Changed.")
        payment = payments.payment_for(deal.id)
        assert payment.status == "refunded" and payment.refunded_cents == 63000
        assert payments.ledger_balance_ok(deal.id) and payments.reconcile() == []
        db.session.remove()


def test_invoice_and_statement_are_shown_to_their_owner_only(app_ctx, brand, creator,
                                                             brand_client, creator_client,
                                                             admin_client, login_as, client):
    deal = make_deal(brand, creator)
    fund(brand_client, deal, typed_card())
    invoice_url, statement_url = f"/deals/{deal.id}/invoice", f"/deals/{deal.id}/statement"
    stranger_brand = login_as(factories.make_brand().user)
    stranger_creator = login_as(factories.make_creator().user)
    admin_page = admin_client.get(invoice_url).get_data(as_text=True)
    assert "Ledger (admins only)" in admin_page and "brand_fee" in admin_page
    assert "Ledger" not in brand_client.get(invoice_url).get_data(as_text=True)
    for url, owners, others in (
            (invoice_url, (brand_client, admin_client),
             (creator_client, stranger_brand, stranger_creator)),
            (statement_url, (creator_client,), (brand_client, stranger_brand,
                                                 stranger_creator))):
        pdf_url = url + ".pdf"
        for owner in owners:
            assert owner.get(url).status_code == 200
            # The PDF address: an old link opens the page; the button's POST gives the file.
            assert owner.get(pdf_url).headers["Location"].endswith(url)
            assert download_pdf(owner, pdf_url).data.startswith(b"%PDF")
        for other in others:
            for response in (other.get(url), other.get(pdf_url), other.post(pdf_url)):
                assert response.status_code == 404, (url, response.request.method)
        assert client.get(url).status_code == 302  # to log in
        assert client.post(pdf_url).status_code == 302
    unpaid = make_deal(brand, creator)
    for url in (f"/deals/{unpaid.id}/invoice", f"/deals/{unpaid.id}/statement",
                "/deals/999999/invoice", "/deals/999999/statement.pdf"):
        assert brand_client.get(url).status_code == 404
        assert creator_client.get(url).status_code == 404


def test_the_invoice_is_emailed_as_a_pdf_when_the_brand_pays(app, app_ctx, brand, creator,
                                                             brand_client):
    deal = make_deal(brand, creator)
    with mail.record_messages() as outbox:
        fund(brand_client, deal, typed_card())
    number = payments.invoice_for(deal.id).number
    sent = [m for m in outbox if number in m.subject]
    assert len(sent) == 1 and sent[0].recipients == [brand.user.email]
    (attachment,) = sent[0].attachments
    assert attachment.filename == f"{number}.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data.startswith(b"%PDF") and number in pdf_text(attachment.data)
    assert f"/deals/{deal.id}/invoice" in sent[0].body


def test_a_failing_mail_server_never_fails_the_payment(make_app, stripe_server):
    app = make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                   STRIPE_JS_URL=f"{stripe_server}/js.stripe.com/v3/",
                   STRIPE_WEBHOOK_SECRET="whsec_duet_test", MAIL_SUPPRESS_SEND=False,
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_ENABLED=True)
    with app.app_context():
        reset_stripe(stripe_server)
        brand = factories.make_brand()
        deal = make_deal(brand, factories.make_creator())
        assert payments.fund(deal, brand.user, saved_card(brand.user)).status == "funded"
        refresh(deal)
        assert deal.state == DealState.FUNDED and payments.invoice_for(deal.id) is not None
        db.session.remove()


def test_retry_issues_missing_invoices_without_gaps(app_ctx, brand, creator, runner):
    deals_ = [make_deal(brand, creator) for _ in range(3)]
    for deal in deals_:  # funded before invoices existed: no invoice rows
        db.session.add(Payment(deal_id=deal.id, payment_intent_id=f"pi_old_{deal.id}",
                               status=PaymentStatus.HELD, amount_cents=50000,
                               price_cents=50000, currency="USD", payout_cents=50000,
                               paid_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["payments", "retry"])
    assert result.exit_code == 0, result.output
    numbers = sorted(db.session.scalars(select(Invoice.number)))
    assert numbers == [f"DUET-{YEAR}-{n:06d}" for n in (1, 2, 3)]
    runner.invoke(args=["payments", "retry"])
    assert db.session.scalar(select(func.count(Invoice.id))) == 3


@pytest.mark.postgres
def test_concurrent_payments_get_distinct_consecutive_invoice_numbers(app, app_ctx, brand,
                                                                       creator):
    """Twelve invoices issued at the same instant (each in its own thread, session and
    PostgreSQL transaction), plus three threads racing to invoice one payment twice."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks")
    ids = []
    for i in range(12):
        deal = make_deal(brand, creator)
        payment = Payment(deal_id=deal.id, payment_intent_id=f"pi_race_{i}",
                          status=PaymentStatus.HELD, amount_cents=50000, price_cents=50000,
                          currency="USD", payout_cents=50000, paid_at=utcnow())
        db.session.add(payment)
        db.session.commit()
        ids.append(payment.id)
    jobs = ids + [ids[0], ids[0], ids[0]]  # the first payment is raced four times
    barrier = threading.Barrier(len(jobs))
    errors: list[str] = []

    def worker(payment_id: int) -> None:
        with app.app_context():
            try:
                payment = db.session.get(Payment, payment_id)
                db.session.commit()  # give the connection back while waiting
                barrier.wait(timeout=30)
                invoices.issue(payment)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(pid,)) for pid in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(db.session.scalars(select(Invoice.number)))
    assert numbers == [f"DUET-{YEAR}-{n:06d}" for n in range(1, 13)]  # no gap, no repeat
    assert len(set(db.session.scalars(select(Invoice.payment_id)))) == 12


def test_invoice_numbers_follow_the_configured_prefix(make_app, stripe_server):
    app = make_app(INVOICE_PREFIX="ACME", STRIPE_API_BASE=stripe_server)
    with app.app_context():
        assert invoices.invoice_number(2026, 123) == "ACME-2026-000123"
        assert re.fullmatch(r"ACME-\d{4}-\d{6}", invoices.invoice_number(YEAR, 1))
