"""Hire again, and a finished deal no longer blocking a new one (defect 8: re-inviting the same
creator was refused with "you already have a deal with this creator for this campaign")."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState, OfferThread, PlatformAccount, ThreadStatus
from marketplace.models.deal import ACTIVE_DEAL_SQL, CLOSED_STATES
from marketplace.services.deals import offers
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import Conflict
from tests.support import factories
from tests.support.deals import make_deal, terms
from tests.support.library import delivered

ACTIVE = [s.value for s in DealState if s not in CLOSED_STATES]


def deal_count(campaign, creator) -> int:
    return db.session.scalar(select(func.count(Deal.id)).where(
        Deal.campaign_id == campaign.id, Deal.creator_id == creator.id))


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def selected(html: str, name: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', html, re.S)
    assert select_html, name
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                      select_html.group(0))
    assert match, name
    return match.group(1) or match.group(2)


# --- the rule ---------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["completed", "cancelled", "expired"])
def test_a_closed_deal_does_not_block_a_new_offer(app_ctx, brand, creator, state):
    campaign = factories.make_campaign(brand)
    make_deal(brand, creator, campaign=campaign, state=state)
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    deal = offers.accept(creator.user, thread)
    assert deal.state == DealState.AGREED and deal_count(campaign, creator) == 2


@pytest.mark.parametrize("state", ACTIVE)
def test_a_deal_in_progress_still_blocks_a_second_one(app_ctx, brand, creator, state):
    campaign = factories.make_campaign(brand)
    make_deal(brand, creator, campaign=campaign, state=state)
    with pytest.raises(Conflict, match="deal in progress"):
        offers.invite(brand.user, campaign, creator, terms(campaign))
    assert db.session.scalar(select(func.count(OfferThread.id))) == 1  # the deal's own


def test_the_database_keeps_one_active_deal_per_campaign_and_creator(app_ctx, brand, creator):
    campaign = factories.make_campaign(brand)
    make_deal(brand, creator, campaign=campaign, state="completed")
    make_deal(brand, creator, campaign=campaign, state="cancelled")
    make_deal(brand, creator, campaign=campaign, state="funded")
    with pytest.raises(IntegrityError):
        make_deal(brand, creator, campaign=campaign, state="agreed")
    db.session.rollback()
    assert deal_count(campaign, creator) == 3
    make_deal(brand, factories.make_creator(), campaign=campaign, state="agreed")  # others may


def test_the_index_condition_names_exactly_the_closed_states():
    names = set(re.findall(r"'(\w+)'", ACTIVE_DEAL_SQL))
    assert names == {s.name for s in CLOSED_STATES}


def test_terms_from_a_deal_keep_price_deliverables_rights_and_a_future_due_date(app_ctx, brand,
                                                                                 creator):
    old = delivered(brand, creator, usage="paid_60", platform="instagram", price_cents=51234)
    old.agreed_at = utcnow() - timedelta(days=60)
    old.content_due = (utcnow() - timedelta(days=46)).date()  # 14 days after agreeing
    db.session.commit()
    campaign = factories.make_campaign(brand)
    today = date.today()
    prefill = offers.OfferTerms.from_deal(old, campaign, today)
    assert (prefill.price_cents, prefill.currency, prefill.usage_rights) == (51234, "USD",
                                                                              "paid_60")
    assert prefill.deliverables == old.deliverables
    assert prefill.content_due == campaign.content_due
    campaign.content_due = today - timedelta(days=1)
    assert offers.OfferTerms.from_deal(old, campaign, today).content_due == today + timedelta(
        days=14)


# --- through the pages --------------------------------------------------------------------

def test_hire_again_after_completion_end_to_end(app_ctx, brand, creator, brand_client,
                                                creator_client):
    """Invite, accept, fund, submit, approve, pay out and complete; then "Hire again" from
    the deal page on the same campaign, and the creator accepts: a second deal."""
    campaign = factories.make_campaign(brand, title="Glow launch")
    r = brand_client.post(f"/deals/invite?creator={creator.handle}&campaign={campaign.id}",
                          data={"campaign": campaign.id, "price": "480.00",
                                "deliverables-0-platform": "instagram",
                                "deliverables-0-deliverable_type": "short_video",
                                "deliverables-0-quantity": "2",
                                "content_due": (date.today() + timedelta(days=20)).isoformat(),
                                "usage_rights": "paid_90", "revisions_included": "2",
                                "message": "Join our launch!"})
    assert r.status_code == 302
    thread_id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = creator_client.post(f"/deals/offers/{thread_id}/accept")
    first_id = int(r.headers["Location"].rsplit("/", 1)[1])
    first = db.session.get(Deal, first_id)
    deals.perform(first, "fund", None)  # the payment step (its own tests run with Stripe)
    r = creator_client.post(f"/deals/{first_id}/submit", data={
        "post_links": "https://www.instagram.com/p/abc", "caption": "Glow on #ad"})
    assert r.status_code == 302
    assert brand_client.post(f"/deals/{first_id}/do/approve").status_code == 302
    # Two Instagram videos to post: the creator links both live posts, the brand confirms.
    creator.accounts.append(PlatformAccount(platform="instagram", handle=f"@{creator.handle}",
                                            followers=12_000))
    db.session.commit()
    db.session.expire_all()
    first = db.session.get(Deal, first_id)
    for n, item in enumerate(first.deliverable_items):
        assert creator_client.post(f"/deals/{first_id}/posts/{item.id}/link", data={
            "url": f"https://www.instagram.com/reel/Glow{n}Reel{n}/"}).status_code == 302
    assert brand_client.post(f"/deals/{first_id}/posts/confirm").status_code == 302
    db.session.expire_all()
    first = db.session.get(Deal, first_id)
    assert first.state == DealState.POSTED  # no payout account: the money waits for it
    deals.perform(first, "release", None)
    deals.perform(first, "complete", None)
    assert first.state == DealState.COMPLETED

    page = brand_client.get(f"/deals/{first_id}").get_data(as_text=True)
    link = re.search(r'<a class="btn btn-primary btn-sm text-nowrap" href="([^"]+)"><i class="bi '
                     r'bi-arrow-repeat"></i> Hire again</a>', page)
    assert link, "no Hire again button on the completed deal"
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/deals/invite?creator={creator.handle}&again={first_id}"
    form = brand_client.get(url).get_data(as_text=True)
    assert "Hire " + creator.display_name + " again" in form
    assert field_value(form, "price") == "480.00"
    assert selected(form, "deliverables-0-platform") == "instagram"
    assert field_value(form, "deliverables-0-quantity") == "2"
    assert selected(form, "usage_rights") == "paid_90"
    assert field_value(form, "revisions_included") == "2"
    assert selected(form, "campaign") == str(campaign.id)

    r = brand_client.post(url, data={
        "campaign": campaign.id, "price": field_value(form, "price"),
        "deliverables-0-platform": "instagram", "deliverables-0-deliverable_type": "short_video",
        "deliverables-0-quantity": "2", "content_due": field_value(form, "content_due"),
        "usage_rights": "paid_90", "revisions_included": "2", "message": "Again?"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    second_thread = int(r.headers["Location"].rsplit("/", 1)[1])
    r = creator_client.post(f"/deals/offers/{second_thread}/accept")
    second = db.session.get(Deal, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert second.id != first_id and second.state == DealState.AGREED
    assert (second.campaign_id, second.creator_id, second.price_cents) == (
        campaign.id, creator.id, 48000)
    assert second.deliverables == first.deliverables and second.usage_rights == "paid_90"
    assert deal_count(campaign, creator) == 2


def test_hire_again_on_another_open_campaign(app_ctx, brand, creator, brand_client):
    old = delivered(brand, creator, usage="perpetual", price_cents=70000)
    newer = factories.make_campaign(brand, title="Winter drop")
    factories.make_campaign(brand, title="Paused one", status="paused")
    url = f"/deals/invite?creator={creator.handle}&again={old.id}"
    form = brand_client.get(url).get_data(as_text=True)
    assert "Winter drop" in form and "Paused one" not in form
    assert 'id="hire-again-source"' in form and f"deal #{old.id}" in form
    r = brand_client.post(url, data={
        "campaign": newer.id, "price": "700.00", "deliverables-0-platform": "tiktok",
        "deliverables-0-deliverable_type": "short_video", "deliverables-0-quantity": "1",
        "content_due": field_value(form, "content_due"), "usage_rights": "perpetual",
        "revisions_included": "1"})
    assert r.status_code == 302
    thread = db.session.scalar(select(OfferThread).where(OfferThread.campaign_id == newer.id))
    assert thread.status == ThreadStatus.OPEN and thread.latest.price_cents == 70000


def test_hire_again_while_a_deal_is_in_progress_explains(app_ctx, brand, creator,
                                                         brand_client):
    old = delivered(brand, creator)
    make_deal(brand, creator, campaign=old.campaign, state="funded")
    url = f"/deals/invite?creator={creator.handle}&again={old.id}"
    form = brand_client.get(url).get_data(as_text=True)
    r = brand_client.post(url, data={
        "campaign": old.campaign_id, "price": "400.00", "deliverables-0-platform": "tiktok",
        "deliverables-0-deliverable_type": "short_video", "deliverables-0-quantity": "1",
        "content_due": field_value(form, "content_due"), "usage_rights": "paid_30",
        "revisions_included": "1"})
    assert r.status_code == 400  # a refused form answers 400 with the reason beside it
    assert "deal in progress with this creator" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OfferThread.id)).where(
        OfferThread.status == ThreadStatus.OPEN)) == 0


@pytest.mark.parametrize("again", ["abc", "-1", "1e308", "99999999999999999999", "0",
                                   "%D9%A3", "9" * 5000])
def test_hostile_again_values_are_404(app_ctx, brand, creator, brand_client, again):
    delivered(brand, creator)
    r = brand_client.get(f"/deals/invite?creator={creator.handle}&again={again}")
    assert r.status_code == 404


def test_hire_again_from_someone_elses_deal_is_404(app_ctx, brand, creator, brand_client,
                                                   creator_client):
    theirs = delivered(factories.make_brand(), creator)
    mine_with_other = delivered(brand, factories.make_creator())
    for deal in (theirs, mine_with_other):
        r = brand_client.get(f"/deals/invite?creator={creator.handle}&again={deal.id}")
        assert r.status_code == 404
    mine = delivered(brand, creator)
    assert creator_client.get(
        f"/deals/invite?creator={creator.handle}&again={mine.id}").status_code == 403


def test_hire_again_button_only_for_the_brand_on_a_completed_deal(app_ctx, brand, creator,
                                                                  brand_client,
                                                                  creator_client):
    done = delivered(brand, creator)
    running = make_deal(brand, creator, state="funded")
    assert 'id="hire-again"' in brand_client.get(f"/deals/{done.id}").get_data(as_text=True)
    assert 'id="hire-again"' not in creator_client.get(f"/deals/{done.id}").get_data(
        as_text=True)
    assert 'id="hire-again"' not in brand_client.get(f"/deals/{running.id}").get_data(
        as_text=True)


def test_creator_profile_offers_hire_again_after_working_together(app_ctx, brand, creator,
                                                                  brand_client, login_as):
    profile_url = f"/creators/{creator.handle}"
    assert "Hire again" not in brand_client.get(profile_url).get_data(as_text=True)
    make_deal(brand, creator, state="cancelled")  # never delivered: not "worked with"
    assert "Hire again" not in brand_client.get(profile_url).get_data(as_text=True)
    older = delivered(brand, creator, approved_at=utcnow() - timedelta(days=40))
    latest = delivered(brand, creator, approved_at=utcnow() - timedelta(days=2))
    assert older.id != latest.id
    html = brand_client.get(profile_url).get_data(as_text=True)
    assert (f'href="/deals/invite?creator={creator.handle}&amp;again={latest.id}"><i '
            'class="bi bi-arrow-repeat"></i> Hire again') in html
    assert "Invite to a campaign" in html
    stranger = login_as(factories.make_brand().user)
    assert "Hire again" not in stranger.get(profile_url).get_data(as_text=True)
