"""The posting step: deliverables become rows, the creator links each live post on their own
account, and the brand (or its silence) confirms them before the payout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealEvent, DealState, Notification
from marketplace.services.deals import deadlines, offers, posts, schedule
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError, InvalidTransition, NotAllowed
from tests.conftest import _logged_in
from tests.support import factories
from tests.support.deals import make_deal, terms

TIKTOK_ID = "7301234567890123456"


def posting_deal(brand, creator, *, terms=None, state="approved", **fields) -> Deal:
    """An approved deal whose terms have posted deliverables (rows made as offers.accept does)."""
    now = utcnow()
    deal = make_deal(brand, creator, state=state, funded_at=now - timedelta(days=5),
                     submitted_at=now - timedelta(days=1), approved_at=now,
                     deliverables=terms or [{"platform": "tiktok",
                                             "deliverable_type": "short_video", "quantity": 2},
                                            {"platform": "tiktok", "deliverable_type": "ugc",
                                             "quantity": 1}], **fields)
    posts.make_rows(deal)
    db.session.commit()
    return deal


def link(deal, creator, item, url):
    return deals.perform(deal, "add_post_link", creator.user, deliverable_id=item.id, url=url)


def tiktok(creator, video=TIKTOK_ID) -> str:
    return f"https://www.tiktok.com/@{creator.handle}/video/{video}"


def state(deal_id: int) -> DealState:
    db.session.expire_all()
    return db.session.get(Deal, deal_id).state


# --------------------------------------------------------------------------- the rows

def test_terms_become_one_row_per_piece_and_ugc_is_content_only(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    rows = deal.deliverable_items
    assert [(r.position, r.deliverable_type, r.is_posted) for r in rows] == [
        (0, "short_video", True), (1, "short_video", True), (2, "ugc", False)]
    assert deal.posts_required and [r.status for r in rows] == ["waiting", "waiting", "content"]


def test_content_only_deal_pays_at_approval_as_before(app_ctx, brand, creator):
    deal = posting_deal(brand, creator, terms=[{"platform": "tiktok", "deliverable_type": "ugc",
                                                "quantity": 3}])
    assert not deal.posts_required and posts.ready_for_payout(deal)
    assert schedule.expected_release(deal) == deal.approved_at
    with pytest.raises(InvalidTransition):
        link(deal, creator, deal.deliverable_items[0], tiktok(creator))


def test_accepting_an_offer_makes_the_rows(app_ctx, brand, creator):
    campaign = factories.make_campaign(brand)
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    deal = offers.accept(creator.user, thread)
    assert deal.posts_required and len(deal.deliverable_items) == 1
    assert deal.deliverable_items[0].platform == "tiktok"


# --------------------------------------------------------------------------- links

def test_a_link_that_is_not_a_post_is_refused_with_an_example(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    for junk in ("", "not a link", "https://www.tiktok.com/@maya", "x" * 3000, 12345, None):
        with pytest.raises(DomainError) as refused:
            link(deal, creator, deal.deliverable_items[0], junk)
        assert "tiktok.com/@" in refused.value.message and refused.value.field == "url"


def test_link_must_be_on_the_creators_own_account_and_platform(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    item = deal.deliverable_items[0]
    with pytest.raises(DomainError, match="not by your TikTok account"):
        link(deal, creator, item, f"https://www.tiktok.com/@someone_else/video/{TIKTOK_ID}")
    with pytest.raises(DomainError, match="this deliverable is on TikTok"):
        link(deal, creator, item, "https://www.youtube.com/shorts/dQw4w9WgXcQ")
    with pytest.raises(DomainError, match="Choose which deliverable"):
        link(deal, creator, deal.deliverable_items[2], tiktok(creator))  # the UGC row
    db.session.expire_all()
    assert all(i.live_url is None for i in deal.deliverable_items)


def test_creator_without_that_platforms_account_is_told_to_add_it(app_ctx, brand):
    creator = factories.make_creator(followers={"instagram": 20_000})
    deal = posting_deal(brand, creator)
    with pytest.raises(DomainError, match="Add your TikTok account"):
        link(deal, creator, deal.deliverable_items[0], tiktok(creator))


def test_only_the_creator_links_and_one_post_serves_one_deliverable(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    first, second = deal.deliverable_items[:2]
    with pytest.raises(NotAllowed):
        deals.perform(deal, "add_post_link", brand.user, deliverable_id=first.id,
                      url=tiktok(creator))
    link(deal, creator, first, tiktok(creator))
    with pytest.raises(DomainError, match="already linked"):
        link(deal, creator, second, tiktok(creator))


def test_linking_every_post_starts_the_brands_checking_time(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    first, second = deal.deliverable_items[:2]
    link(deal, creator, first, tiktok(creator))
    assert deal.posts_linked_at is None and deal.state == DealState.APPROVED
    with pytest.raises(InvalidTransition, match="no live link"):
        deals.perform(deal, "confirm_live", brand.user)
    link(deal, creator, second, tiktok(creator, "7301234567890123457"))
    assert deal.posts_linked_at is not None
    assert schedule.live_confirm_by(deal) == deal.posts_linked_at + timedelta(days=2)
    notice = db.session.scalar(select(Notification).where(
        Notification.user_id == brand.user_id, Notification.kind == "deal_posts"))
    assert notice is not None and schedule.format_when(schedule.live_confirm_by(deal)) in \
        notice.text
    actions = db.session.scalars(select(DealEvent.action).where(
        DealEvent.deal_id == deal.id)).all()
    assert actions.count("add_post_link") == 2


# --------------------------------------------------------------------------- confirmation

def test_payout_cannot_be_released_before_the_posts_are_confirmed(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    with pytest.raises(InvalidTransition, match="waits until the posts"):
        deals.perform(deal, "release", None)
    assert not posts.ready_for_payout(deal)


def test_brand_confirms_and_the_deal_is_posted(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    for n, item in enumerate(deal.deliverable_items[:2]):
        link(deal, creator, item, tiktok(creator, f"730123456789012345{n}"))
    with pytest.raises(NotAllowed):
        deals.perform(deal, "confirm_live", creator.user)
    deals.perform(deal, "confirm_live", brand.user)
    assert deal.state == DealState.POSTED and deal.posted_at is not None
    assert {(i.status, i.verified_via) for i in deal.deliverable_items[:2]} == {
        ("live", "brand")}
    assert posts.ready_for_payout(deal)


def test_silence_counts_as_confirmation_after_the_checking_time(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    for n, item in enumerate(deal.deliverable_items[:2]):
        link(deal, creator, item, tiktok(creator, f"730123456789012345{n}"))
    linked = deal.posts_linked_at
    assert deadlines.run_all(linked + timedelta(days=1))["posts_confirmed"] == 0
    assert state(deal.id) == DealState.APPROVED
    with pytest.raises(InvalidTransition, match="still has time"):
        deals.perform(deal, "confirm_live", None, via="silence", now=linked + timedelta(days=1))
    assert deadlines.run_all(linked + timedelta(days=2, minutes=1))["posts_confirmed"] == 1
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert deal.state == DealState.POSTED
    assert {i.verified_via for i in posts.posted_items(deal)} == {"silence"}
    assert deadlines.run_all(linked + timedelta(days=3))["posts_confirmed"] == 0


def test_system_confirmation_by_platform_needs_every_post_verified(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    first, second = deal.deliverable_items[:2]
    link(deal, creator, first, tiktok(creator, "7301234567890123450"))
    link(deal, creator, second, tiktok(creator, "7301234567890123451"))
    first.verified_at, first.verified_via = utcnow(), "platform"
    db.session.commit()
    with pytest.raises(InvalidTransition, match="verified by its platform"):
        deals.perform(deal, "confirm_live", None, via="platform")
    second.verified_at, second.verified_via = utcnow(), "platform"
    db.session.commit()
    deals.perform(deal, "confirm_live", None, via="platform")
    assert deal.state == DealState.POSTED


# --------------------------------------------------------------------------- dates and steps

def test_a_payout_still_waiting_after_the_posts_is_expected_now_not_in_the_past(
        app_ctx, app, brand, creator):
    deal = posting_deal(brand, creator)
    deal.posted_at = deal.approved_at + timedelta(days=1)
    assert schedule.expected_release(deal, deal.posted_at) == deal.posted_at
    nine_days_on = deal.posted_at + timedelta(days=9)  # e.g. payouts not set up yet
    assert schedule.expected_release(deal, nine_days_on) == nine_days_on
    deal.paid_out_at = deal.posted_at + timedelta(days=10)
    assert schedule.expected_release(deal, nine_days_on) == deal.paid_out_at


def test_every_posting_date_comes_from_the_deal(app_ctx, app, brand, creator):
    deal = posting_deal(brand, creator)
    approved = deal.approved_at
    assert schedule.post_due(deal) == approved + timedelta(days=3)
    assert schedule.expected_release(deal, approved) == approved + timedelta(days=5)
    steps = {s.key: s for s in schedule.tracker(deal, approved).steps}
    assert list(steps) == ["agreed", "funded", "submitted", "approved", "posted", "paid_out",
                           "reviewed"]
    assert steps["posted"].current and steps["posted"].expected_at == approved + timedelta(days=3)
    mine = deals.next_step_for(deal, creator.user, approved)
    assert mine.action == "add_post_link" and mine.due == approved + timedelta(days=3)
    assert "2 posts" in mine.text
    theirs = deals.next_step_for(deal, brand.user, approved)
    assert theirs.actor == creator.display_name and "due" in theirs.text


def test_late_posts_show_on_the_tracker(app_ctx, brand, creator):
    deal = posting_deal(brand, creator)
    later = deal.approved_at + timedelta(days=4)
    steps = {s.key: s for s in schedule.tracker(deal, later).steps}
    assert steps["posted"].late
    assert "were due" in deals.next_step_for(deal, creator.user, later).text


# --------------------------------------------------------------------------- pages

def test_creator_links_a_post_on_the_deal_page(app_ctx, brand, creator, creator_client):
    deal = posting_deal(brand, creator)
    page = creator_client.get(f"/deals/{deal.id}")
    assert page.status_code == 200 and b'id="posts"' in page.data
    assert b"Add the live links" in page.data
    item = deal.deliverable_items[0]
    response = creator_client.post(f"/deals/{deal.id}/posts/{item.id}/link",
                                   data={"url": "https://www.instagram.com/reel/C1a2B3c4D5e/"})
    assert response.status_code == 400 and b"this deliverable is on TikTok" in response.data
    response = creator_client.post(f"/deals/{deal.id}/posts/{item.id}/link",
                                   data={"url": tiktok(creator)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).deliverable_items[0].live_url == tiktok(creator)


def test_brand_confirms_on_the_deal_page(app_ctx, brand, creator, brand_client):
    deal = posting_deal(brand, creator)
    for n, item in enumerate(deal.deliverable_items[:2]):
        link(deal, creator, item, tiktok(creator, f"730123456789012345{n}"))
    page = brand_client.get(f"/deals/{deal.id}")
    assert b"release the payment" in page.data and b"Check the posts" in page.data
    assert brand_client.post(f"/deals/{deal.id}/posts/confirm").status_code == 302
    assert state(deal.id) in (DealState.POSTED, DealState.PAID_OUT, DealState.COMPLETED)


def test_strangers_and_junk_change_nothing(app_ctx, app, brand, creator, creator_client):
    deal = posting_deal(brand, creator)
    item = deal.deliverable_items[0]
    other = factories.make_creator()
    stranger = _logged_in(app, other.user)
    assert stranger.get(f"/deals/{deal.id}").status_code == 404
    assert stranger.post(f"/deals/{deal.id}/posts/{item.id}/link",
                         data={"url": tiktok(other)}).status_code == 404
    assert stranger.post(f"/deals/{deal.id}/posts/confirm").status_code == 404
    assert creator_client.post(f"/deals/{deal.id}/posts/999999/link",
                               data={"url": tiktok(creator)}).status_code == 400
    assert creator_client.post(f"/deals/{deal.id}/posts/{item.id}/link",
                               data={"url": "x" * 5000}).status_code == 400
    assert creator_client.post(f"/deals/{deal.id}/posts/{item.id}/link",
                               data={}).status_code == 400
    db.session.expire_all()
    assert all(i.live_url is None for i in db.session.get(Deal, deal.id).deliverable_items)


def test_a_story_is_marked_posted_without_a_link(app_ctx, brand, creator, brand_client,
                                                 creator_client):
    """A Story leaves no lasting post: the creator marks it posted (a link is optional), the
    brand's checking time starts, and the brand (or its silence) confirms as for the others."""
    deal = posting_deal(brand, creator, terms=[
        {"platform": "tiktok", "deliverable_type": "short_video", "quantity": 1},
        {"platform": "tiktok", "deliverable_type": "story", "quantity": 1}])
    video, story = deal.deliverable_items
    assert video.needs_link and not story.needs_link
    with pytest.raises(DomainError):  # a video still needs its link
        link(deal, creator, video, "")
    page = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Mark as posted" in page
    assert creator_client.post(f"/deals/{deal.id}/posts/{story.id}/link",
                               data={"url": ""}).status_code == 302
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert deal.deliverable_items[1].status == "linked" and deal.posts_linked_at is None
    link(deal, creator, deal.deliverable_items[0], tiktok(creator))
    assert deal.posts_linked_at is not None
    deals.perform(deal, "confirm_live", brand.user)
    assert deal.state == DealState.POSTED
