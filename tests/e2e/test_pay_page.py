"""The pay page in Chromium against the local Stripe (defect 4), the invoice PDF download, and
screenshots of the money pages at desktop (1280) and phone (390) widths."""

from __future__ import annotations

import io
import re
import time
import uuid
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from marketplace.extensions import db
from marketplace.models import BrandProfile, CreatorProfile
from marketplace.services import payments
from marketplace.services.payments import stripe_gateway as gateway
from tests.e2e.deal_helpers import (
    VISA,
    VISA_3DS,
    deal_state,
    fill_card,
    make_agreed_deal,
    make_cast,
    person,
    post_and_confirm,
    submit_work,
)
from tests.support.factories import make_campaign

MASTERCARD_SPACED = "5555 5555 5555 4444"
PHONE = {"width": 390, "height": 844}


def another_deal(app, cast, price_cents: int) -> int:
    """One more agreed deal between the same brand and creator (on a new campaign: one deal
    per creator and campaign)."""
    with app.app_context():
        brand = db.session.scalar(db.select(BrandProfile).where(
            BrandProfile.user_id == cast.brand_user_id))
        campaign = make_campaign(brand, title=f"{cast.campaign_title} · {uuid.uuid4().hex[:4]}",
                                 budget=(5000, 90000))
        campaign_id = campaign.id
    return make_agreed_deal(app, replace(cast, campaign_id=campaign_id), price_cents)


def open_pay_page(page: Page, deal_id: int) -> None:
    page.goto(f"/deals/{deal_id}/pay")
    expect(page.get_by_role("heading", name=f"Fund deal #{deal_id}")).to_be_visible()


def wait_until_funded(page: Page, deal_id: int) -> None:
    expect(page.locator(".alert", has_text="Payment received")).to_be_visible(timeout=15_000)
    expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))


def intent_card(app, deal_id: int) -> tuple[str, str]:
    """(payment method id, last 4) of the card the deal's PaymentIntent charged, read back
    from the local Stripe."""
    with app.app_context():
        payment = payments.payment_for(deal_id)
        intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
        method = gateway.client().v1.payment_methods.retrieve(intent.payment_method)
        return method.id, method.card.last4


def both_widths(page: Page, shot, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    shot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_new_card_typed_with_spaces_is_charged_while_a_saved_card_exists(
        e2e_app, stripe_server, new_context, page_problems, shot):
    cast = make_cast(e2e_app)
    first = make_agreed_deal(e2e_app, cast, price_cents=20000)
    second = another_deal(e2e_app, cast, 45000)
    brand = person(new_context, cast.brand_email)

    open_pay_page(brand, first)  # pays once with VISA: the card is saved
    fill_card(brand, VISA)
    brand.locator("#pay-button").click()
    wait_until_funded(brand, first)
    saved_id, _ = intent_card(e2e_app, first)

    open_pay_page(brand, second)
    saved = brand.get_by_label("Visa •••• 4242")
    expect(saved).to_be_checked()  # one click for the saved card...
    expect(brand.locator("#charged-card")).to_have_text("Visa •••• 4242")
    expect(brand.locator("input[name=card_choice]")).to_have_count(2)  # saved once + new
    both_widths(brand, shot, "pay-page")
    # ...but typing a card (with spaces, as people write it) chooses the new card, visibly.
    number = brand.locator("#card-element").get_by_placeholder("number")
    number.press_sequentially(MASTERCARD_SPACED, delay=5)
    expect(brand.get_by_label("A new card")).to_be_checked()
    expect(saved).not_to_be_checked()
    expect(brand.locator("#charged-card")).to_have_text("the new card below")
    for name, value in (("exp_month", "12"), ("exp_year", "34"), ("cvc", "123"),
                        ("postal_code", "10001")):
        brand.locator("#card-element").get_by_placeholder(name).fill(value)
    shot(brand, "pay-page-new-card-chosen")
    brand.locator("#pay-button").click()
    wait_until_funded(brand, second)

    charged_id, last4 = intent_card(e2e_app, second)
    assert last4 == "4444" and charged_id != saved_id  # the new card, not the saved one
    open_pay_page(brand, another_deal(e2e_app, cast, 10000))
    expect(brand.locator("input[name=card_choice]")).to_have_count(3)  # 4242, 4444, new
    expect(brand.get_by_label("Visa •••• 4444")).to_have_count(1)


def test_three_d_secure_takes_one_prompt_and_an_abandoned_one_blocks_nothing(
        e2e_app, stripe_server, new_context, page_problems, shot):
    cast = make_cast(e2e_app)
    abandoned = make_agreed_deal(e2e_app, cast, price_cents=30000)
    brand = person(new_context, cast.brand_email)
    prompt = brand.get_by_role("button", name="Complete authentication")

    open_pay_page(brand, abandoned)
    fill_card(brand, VISA_3DS)
    brand.locator("#pay-button").click()
    expect(prompt).to_be_visible(timeout=15_000)
    shot(brand, "pay-page-3ds-prompt")
    open_pay_page(brand, abandoned)  # the brand walks away from the prompt, comes back later
    fill_card(brand, VISA)
    started = time.monotonic()
    brand.locator("#pay-button").click()
    wait_until_funded(brand, abandoned)
    assert time.monotonic() - started < 8
    assert deal_state(e2e_app, abandoned) == "funded"

    fresh = another_deal(e2e_app, cast, 25000)
    open_pay_page(brand, fresh)
    brand.get_by_label("A new card").check()
    fill_card(brand, VISA_3DS)
    brand.locator("#pay-button").click()
    expect(prompt).to_be_visible(timeout=15_000)
    prompt.click()  # the only prompt
    wait_until_funded(brand, fresh)
    expect(prompt).to_have_count(0)
    assert deal_state(e2e_app, fresh) == "funded"


def test_brand_downloads_the_invoice_pdf(e2e_app, stripe_server, new_context, page_problems,
                                         shot):
    cast = make_cast(e2e_app)
    deal_id = make_agreed_deal(e2e_app, cast, price_cents=45000)
    brand = person(new_context, cast.brand_email)
    brand.goto("/brands/me/billing")
    brand.get_by_label("Legal name on invoices").fill("Glow Lab GmbH")
    brand.get_by_label("Billing address").fill("Torstraße 1\n10119 Berlin\nGermany")
    brand.get_by_label("Tax / VAT id").fill("DE123456789")
    brand.get_by_role("button", name="Save billing details").click()
    expect(brand.locator(".alert-success")).to_contain_text("Billing details saved")
    both_widths(brand, shot, "billing-details")

    open_pay_page(brand, deal_id)
    fill_card(brand, VISA)
    brand.locator("#pay-button").click()
    wait_until_funded(brand, deal_id)

    brand.goto("/payments")
    row = brand.locator("tr").filter(has_text=cast.campaign_title)
    number = row.get_by_role("link", name=re.compile(r"^DUET-\d{4}-\d{6}$"))
    invoice_number = number.inner_text()
    both_widths(brand, shot, "payments-brand")
    number.click()
    expect(brand.locator("#invoice-number")).to_have_text(invoice_number)
    expect(brand.locator("#bill-to")).to_contain_text("DE123456789")
    expect(brand.locator("#paid-with")).to_have_text("Visa •••• 4242")
    both_widths(brand, shot, "invoice")
    # The PDF is printed by the job queue: the button leads to its page, ready here (jobs
    # run in-process in the browser tests), which offers the file.
    brand.locator("#invoice-pdf").click()
    expect(brand.get_by_role("heading", name="Your PDF is ready")).to_be_visible()
    both_widths(brand, shot, "invoice-pdf-ready")
    with brand.expect_download() as info:
        brand.locator("#document-download").click()
    download = info.value
    assert download.suggested_filename == f"{invoice_number}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for expected in (invoice_number, "Glow Lab GmbH", "DE123456789", "Total paid", "$450.00"):
        assert expected in text, (expected, text)

    # Printed already and unchanged: the list's PDF button gives the file at once.
    brand.goto("/payments")
    with brand.expect_download() as again:
        brand.get_by_role("button", name=f"Download invoice {invoice_number} as PDF").click()
    assert again.value.suggested_filename == f"{invoice_number}.pdf"
    assert Path(again.value.path()).read_bytes() == data


def test_creator_follows_the_money_on_payouts_and_earnings(e2e_app, stripe_server,
                                                           new_context, page_problems, shot):
    cast = make_cast(e2e_app)
    held = make_agreed_deal(e2e_app, cast, price_cents=30000)
    approved = another_deal(e2e_app, cast, 45000)
    brand = person(new_context, cast.brand_email)
    for deal_id in (held, approved):
        open_pay_page(brand, deal_id)
        if brand.get_by_label("Visa •••• 4242").count():
            brand.get_by_label("Visa •••• 4242").check()
        else:
            fill_card(brand, VISA)
        brand.locator("#pay-button").click()
        wait_until_funded(brand, deal_id)
    submit_work(e2e_app, cast, approved)
    brand.goto(f"/deals/{approved}")
    brand.get_by_role("button", name="Approve").click()
    expect(brand.locator(".alert-success").first).to_be_visible()
    post_and_confirm(e2e_app, cast, approved)  # the money now waits only for payouts

    creator = person(new_context, cast.creator_email)
    creator.goto("/dashboard")
    creator.locator("nav").get_by_role("link", name="Earnings").first.click()
    expect(creator.get_by_role("heading", name="Earnings")).to_be_visible()
    prompt = creator.locator("#setup-prompt")
    expect(prompt).to_contain_text("1 approved deal is waiting")
    expect(creator.locator("tr").filter(has_text=f"#{approved}")).to_contain_text("$405.00")
    expect(creator.locator("tr").filter(has_text=f"#{held}")).to_contain_text("$270.00")
    both_widths(creator, shot, "earnings")
    prompt.get_by_role("link", name="Set up payouts").click()
    expect(creator).to_have_url(re.compile(r"/payouts$"))
    expect(creator.locator("#total-pending_setup")).to_have_text("$405.00")
    expect(creator.locator("#total-held")).to_have_text("$270.00")
    both_widths(creator, shot, "payouts-waiting")
    creator.get_by_role("button", name="Set up payouts").click()
    creator.get_by_role("button", name="Complete onboarding").click()
    expect(creator.locator(".alert-success")).to_contain_text("1 waiting payout(s) sent")
    expect(creator.locator("#upcoming-payouts")).to_contain_text("on the way")
    expect(creator.locator("#total-on_the_way")).to_have_text("$405.00")
    both_widths(creator, shot, "payouts-on-the-way")
    with e2e_app.app_context():
        profile = db.session.scalar(db.select(CreatorProfile).where(
            CreatorProfile.handle == cast.creator_handle))
        assert payments.payout_summary(profile).totals[0].on_the_way == 40500
    creator.goto(f"/deals/{approved}/statement")
    expect(creator.locator("#statement-state")).to_have_text("on the way")
    both_widths(creator, shot, "statement")
