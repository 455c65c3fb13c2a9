"""The whole deal in two browsers: invite, counter, accept, talk, fund, submit, revise, approve."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.deal_helpers import VISA, deal_id_from, deal_state, make_cast, pay_with_card, person

DONE_LABELS = re.compile(r"Approved|Paid out|Completed")


def message_box(page: Page):
    return page.get_by_role("textbox", name="Message", exact=True)


def flash(page: Page, text: str):
    return page.locator(".alert", has_text=text)


def test_brand_and_creator_close_a_deal(e2e_app, stripe_server, new_context, page_problems,
                                        shot):
    cast = make_cast(e2e_app)
    brand = person(new_context, cast.brand_email)
    creator = person(new_context, cast.creator_email)

    # The brand invites the creator from the creator's public page.
    brand.goto(f"/creators/{cast.creator_handle}")
    brand.get_by_role("link", name="Invite to a campaign").click()
    expect(brand.get_by_role("heading", name=re.compile("Invite Maya Chen"))).to_be_visible()
    brand.get_by_label("Price").fill("400")
    message_box(brand).fill("We love your morning routines — join our SPF launch?")
    shot(brand, "deal-01-invite")
    brand.get_by_role("button", name="Send invitation").click()
    expect(flash(brand, "Invitation sent to Maya Chen.")).to_be_visible()
    expect(brand).to_have_url(re.compile(r"/deals/offers/\d+$"))
    thread_url = brand.url

    # The creator counters with a higher price.
    creator.goto("/deals/")
    creator.get_by_role("link", name=re.compile(cast.campaign_title)).first.click()
    expect(creator).to_have_url(thread_url)
    expect(creator.get_by_text("Your turn:")).to_be_visible()
    counter = creator.locator("form[action$='/counter']")
    counter.get_by_label("Price").fill("450")
    message_box(counter).fill("Happy to — with one revision that is 450.")
    counter.get_by_role("button", name="Send counter-offer").click()
    expect(flash(creator, "Counter-offer sent.")).to_be_visible()
    shot(creator, "deal-02-counter")

    # The brand sees what changed and accepts.
    brand.reload()
    change = brand.locator("table").filter(has_text="Before").first
    expect(change.get_by_role("row", name=re.compile(r"Price"))).to_contain_text("$400.00")
    expect(change.get_by_role("row", name=re.compile(r"Price"))).to_contain_text("$450.00")
    shot(brand, "deal-03-diff")
    brand.get_by_role("button", name="Accept offer").click()
    expect(flash(brand, "Offer accepted")).to_be_visible()
    deal_id = deal_id_from(brand)
    expect(brand.get_by_text("Agreed, awaiting funding")).to_be_visible()

    # They talk: the creator's reply shows up on the brand's open page without a reload.
    brand.get_by_role("link", name="Message the creator").click()
    expect(brand).to_have_url(re.compile(r"/messages/\d+"))
    message_box(brand).fill("Welcome aboard! Funding the deal now.")
    brand.get_by_role("button", name="Send").click()
    creator.goto(f"/deals/{deal_id}")
    creator.get_by_role("link", name="Message the brand").click()
    expect(creator.get_by_text("Welcome aboard! Funding the deal now.")).to_be_visible()
    message_box(creator).fill("Thanks! Filming on Thursday.")
    creator.get_by_role("button", name="Send").click()
    expect(creator.get_by_text("Thanks! Filming on Thursday.")).to_be_visible()
    expect(brand.get_by_text("Thanks! Filming on Thursday.")).to_be_visible(timeout=10_000)
    shot(brand, "deal-04-messages")

    # The brand funds the deal with a card on the pay page.
    pay_with_card(brand, deal_id, VISA, page_problems, shot=shot, name="deal-05-pay")
    expect(brand.get_by_text("Funded, in production")).to_be_visible()
    shot(brand, "deal-06-funded")

    # The creator submits; the brand asks for a revision; the creator resubmits.
    creator.goto(f"/deals/{deal_id}")
    creator.get_by_label("Post links").fill("https://www.tiktok.com/@maya/video/123")
    creator.get_by_label("Caption").fill("My new morning step #glowlab")
    shot(creator, "deal-07-submit-form")
    creator.get_by_role("button", name="Submit").click()
    # No #ad: refused until the creator fixes it or says why they submit without it.
    disclosure = creator.locator("#brief-checklist-form li").filter(has_text="Disclosure")
    expect(disclosure).to_contain_text("Add “#ad” to the caption")
    disclosure.get_by_label("Submit without it").check()
    disclosure.get_by_placeholder(re.compile("Why?")).fill("Draft for review; #ad goes in "
                                                           "when I post.")
    creator.get_by_role("button", name="Submit").click()
    expect(flash(creator, "Submitted. The brand reviews it next.")).to_be_visible()

    brand.goto(f"/deals/{deal_id}")
    expect(brand.get_by_text("My new morning step #glowlab")).to_be_visible()
    shot(brand, "deal-08-review")
    brand.locator("#revision-note").fill("Please add the #ad disclosure at the start.")
    brand.get_by_role("button", name="Request revision").click()
    expect(brand.get_by_text("Revision requested").first).to_be_visible()

    creator.reload()
    expect(creator.get_by_text("Please add the #ad disclosure at the start.").first).to_be_visible()
    expect(creator.get_by_role("heading", name="Submit your revision")).to_be_visible()
    creator.get_by_label("Post links").fill("https://www.tiktok.com/@maya/video/124")
    creator.get_by_label("Caption").fill("#ad My new morning step with @glowlab #glowlab")
    creator.get_by_role("button", name="Submit").click()
    expect(flash(creator, "Submitted. The brand reviews it next.")).to_be_visible()
    shot(creator, "deal-09-resubmitted")

    # The brand approves: the money is released (the creator has no payouts set up yet).
    brand.reload()
    expect(brand.get_by_text("#ad My new morning step with @glowlab #glowlab")).to_be_visible()
    brand.get_by_role("button", name="Approve").click()
    expect(brand.locator(".badge").filter(has_text=DONE_LABELS).first).to_be_visible()
    shot(brand, "deal-10-approved-brand")
    assert deal_state(e2e_app, deal_id) in ("approved", "paid_out", "completed")

    creator.goto(f"/deals/{deal_id}")
    expect(creator.locator(".badge").filter(has_text=DONE_LABELS).first).to_be_visible()
    shot(creator, "deal-11-approved-creator")
    for page, name in ((brand, "brand"), (creator, "creator")):
        page.goto("/deals/")
        row = page.locator("tr").filter(has_text=cast.campaign_title)
        expect(row.filter(has_text=DONE_LABELS).first).to_be_visible()
        shot(page, f"deal-12-deals-{name}")
