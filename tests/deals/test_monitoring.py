"""Monitoring posted deliverables against the local social server: verification through the
platform (author, disclosure), retries with backoff, the snapshot schedule, takedowns and the
dispute evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable, DealState, Notification
from marketplace.models.deliverable import MetricSnapshot
from marketplace.services.deals import deadlines, monitoring
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import InvalidTransition
from tests.deals.test_posts import posting_deal
from tests.platforms.conftest import TOKEN_KEY, connect

HANDLE = "mia.moves"
ONE_TIKTOK = [{"platform": "tiktok", "deliverable_type": "short_video", "quantity": 1}]


@pytest.fixture
def app(make_app, social_settings, social):
    return make_app(**social_settings, SOCIAL_TOKEN_KEYS=TOKEN_KEY, MAIL_SUPPRESS_SEND=True)


@pytest.fixture
def now():
    return utcnow().replace(microsecond=0)


@pytest.fixture
def connected(app, creator, creator_client, social, now):
    """The creator's TikTok account, connected by OAuth on the local consent page."""
    social.add_account("tiktok", HANDLE, followers=5000)
    assert connect(creator_client, "tiktok", HANDLE).status_code == 302
    social.freeze(now)
    return creator


def linked_deal(brand, creator, social, now, *, caption="Glow serum #ad", handle=HANDLE,
                quantity=1) -> tuple[Deal, list[dict]]:
    """An approved deal whose TikTok posts are published and linked by the creator."""
    deal = posting_deal(brand, creator, terms=[{**ONE_TIKTOK[0], "quantity": quantity}])
    made = []
    for n, item in enumerate(deal.deliverable_items):
        post = social.add_post("tiktok", handle, caption=caption, views_per_hour=100,
                               created_at=now - timedelta(hours=1), short_code=f"ZMpost{n:04d}")
        made.append(post)
        url = (f"https://www.tiktok.com/@{HANDLE}/video/{post['id']}" if handle == HANDLE
               else f"https://vm.tiktok.com/ZMpost{n:04d}/")
        deals.perform(deal, "add_post_link", creator.user, deliverable_id=item.id, url=url)
    return deal, made


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def notices(user, kind: str) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind)))


# --------------------------------------------------------------------------- verification

def test_live_post_by_the_creator_with_disclosure_is_verified_and_the_deal_posted(
        app_ctx, brand, connected, social, now):
    deal, made = linked_deal(brand, connected, social, now, quantity=2)
    assert deadlines.run_all(now)["posts_verified"] == 2
    deal = fresh(Deal, deal.id)
    assert deal.state == DealState.POSTED and deal.posted_at == now
    for item, post in zip(deal.deliverable_items, made, strict=True):
        assert (item.verified_via, item.verified_at, item.post_id) == ("platform", now, post["id"])
        assert item.next_snapshot_at == now + timedelta(hours=1) and item.check_problem is None
    assert [e.note for e in deal.events if e.action == "confirm_live"] == [
        "Every post was verified live on its platform."]
    assert deadlines.run_all(now)["posts_verified"] == 0  # nothing left to check


def test_a_post_by_another_account_is_refused_and_shown_as_a_problem(
        app_ctx, brand, connected, creator_client, social, now):
    social.add_account("youtube", HANDLE)
    connect(creator_client, "youtube", HANDLE)
    social.add_account("youtube", "copycat")
    theirs = social.add_post("youtube", "copycat", caption="Glow serum #ad")
    deal = posting_deal(brand, connected, terms=[{"platform": "youtube",
                                                  "deliverable_type": "short_video",
                                                  "quantity": 1}])
    deals.perform(deal, "add_post_link", connected.user,
                  deliverable_id=deal.deliverable_items[0].id,
                  url=f"https://youtube.com/shorts/{theirs['id']}")
    assert monitoring.check_posts_due(now) == 0
    item = fresh(Deal, deal.id).deliverable_items[0]
    assert item.verified_at is None and "by another account" in item.check_problem
    assert fresh(Deal, deal.id).state == DealState.APPROVED
    assert any("could not verify" in t for t in notices(connected.user, "post_problem"))
    assert notices(brand.user, "post_problem")
    # The brand can still confirm by hand.
    deals.perform(fresh(Deal, deal.id), "confirm_live", brand.user)
    assert fresh(Deal, deal.id).state == DealState.POSTED


def test_a_tiktok_post_the_creators_account_cannot_see_is_a_problem(
        app_ctx, brand, connected, social, now):
    """TikTok answers only the token owner's videos: someone else's is "not found"."""
    social.add_account("tiktok", "copycat")
    deal, _ = linked_deal(brand, connected, social, now, handle="copycat")  # a short link
    assert monitoring.check_posts_due(now) == 0
    item = fresh(Deal, deal.id).deliverable_items[0]
    assert item.verified_at is None and "on their own account" in item.check_problem


def test_a_caption_without_the_disclosure_is_flagged_once_and_checked_again(
        app_ctx, app, brand, connected, social, now, creator_client):
    deal, _ = linked_deal(brand, connected, social, now, caption="Glow serum, love it")
    assert monitoring.check_posts_due(now) == 0
    item = fresh(DealDeliverable, deal.deliverable_items[0].id)
    assert "“#ad”" in item.check_problem and item.check_attempts == 1
    assert item.next_check_at == now + timedelta(minutes=5)
    monitoring.check_post(item.id, now + timedelta(minutes=6))  # still missing: told once
    assert len(notices(connected.user, "post_problem")) == 1
    page = creator_client.get(f"/deals/{deal.id}")
    assert "required disclosure" in page.get_data(as_text=True)


def test_rate_limited_checks_are_recorded_and_retried_with_backoff(
        app_ctx, brand, connected, social, now, creator_client):
    deal, _ = linked_deal(brand, connected, social, now)
    social.fail("tiktok", "rate_limit")
    counts = deadlines.run_all(now)  # the rest of the sweep runs on
    item = fresh(DealDeliverable, deal.deliverable_items[0].id)
    assert counts["posts_verified"] == 0 and item.check_attempts == 1 and item.check_error
    assert item.next_check_at == now + timedelta(minutes=5)
    served = social.requests_served()["tiktok"]
    assert creator_client.get(f"/deals/{deal.id}").status_code == 200  # pages never call it
    assert monitoring.check_posts_due(now + timedelta(minutes=4)) == 0  # not due yet
    assert social.requests_served()["tiktok"] == served  # the platform was not called
    assert monitoring.check_posts_due(now + timedelta(minutes=5)) == 0  # still 429
    item = fresh(DealDeliverable, item.id)
    assert item.check_attempts == 2
    assert item.next_check_at == now + timedelta(minutes=15)  # 5 min, then 10 more
    social.fail("tiktok", "off")
    assert monitoring.check_posts_due(now + timedelta(minutes=15)) == 1
    assert fresh(Deal, deal.id).state == DealState.POSTED


def test_not_connected_leaves_the_brand_to_confirm(app_ctx, brand, creator, social, now):
    deal = posting_deal(brand, creator, terms=ONE_TIKTOK)
    deals.perform(deal, "add_post_link", creator.user,
                  deliverable_id=deal.deliverable_items[0].id,
                  url=f"https://www.tiktok.com/@{creator.handle}/video/7301234567890123456")
    assert monitoring.check_posts_due(now) == 0
    item = fresh(DealDeliverable, deal.deliverable_items[0].id)
    assert item.verified_at is None and item.check_problem is None
    assert fresh(Deal, deal.id).state == DealState.APPROVED


# --------------------------------------------------------------------------- snapshots

def snapshots(item_id: int) -> list[MetricSnapshot]:
    return list(db.session.scalars(select(MetricSnapshot).where(
        MetricSnapshot.deliverable_id == item_id).order_by(MetricSnapshot.taken_at)))


def verified(brand, creator, social, now) -> DealDeliverable:
    deal, _ = linked_deal(brand, creator, social, now)
    assert monitoring.check_posts_due(now) == 1
    return fresh(Deal, deal.id).deliverable_items[0]


def test_each_slot_is_read_once_on_schedule_with_growing_numbers(
        app_ctx, brand, connected, social, now):
    item = verified(brand, connected, social, now)
    assert monitoring.take_due_snapshots(now + timedelta(minutes=59)) == 0
    for hours in (1, 24, 72, 168, 336, 720):
        at = now + timedelta(hours=hours)
        social.freeze(at)
        assert monitoring.take_due_snapshots(at) == 1
        assert monitoring.take_due_snapshots(at) == 0  # a second run takes nothing
    rows = snapshots(item.id)
    assert [r.slot for r in rows] == ["1h", "24h", "72h", "7d", "14d", "30d"]
    assert {r.source for r in rows} == {"platform"}
    views = [r.views for r in rows]
    assert views == sorted(views) and views[0] == 200  # 100/h, posted an hour before linking
    assert rows[0].saves is None  # TikTok gives no saves: missing, not zero
    assert fresh(DealDeliverable, item.id).next_snapshot_at is None  # done
    assert monitoring.take_due_snapshots(now + timedelta(days=60)) == 0


def test_a_late_run_reads_the_latest_due_slot_only(app_ctx, brand, connected, social, now):
    item = verified(brand, connected, social, now)
    assert monitoring.take_due_snapshots(now + timedelta(hours=80)) == 1
    assert [r.slot for r in snapshots(item.id)] == ["72h"]
    assert fresh(DealDeliverable, item.id).next_snapshot_at == now + timedelta(hours=168)


# --------------------------------------------------------------------------- takedowns

def test_a_post_taken_down_early_is_caught_and_the_brand_can_dispute_with_evidence(
        app_ctx, brand, connected, admin, social, now):
    item = verified(brand, connected, social, now)
    social.freeze(now + timedelta(hours=1))
    monitoring.take_due_snapshots(now + timedelta(hours=1))
    social.delete_post(item.post_id)
    gone = now + timedelta(hours=24)
    assert deadlines.run_all(gone)["snapshots_taken"] == 0
    item = fresh(DealDeliverable, item.id)
    assert item.removed_at == gone and item.status == "removed" and item.next_snapshot_at is None
    for user in (brand.user, connected.user, admin):
        assert len(notices(user, "post_removed")) == 1
    deal = fresh(Deal, item.deal_id)
    deal.state = DealState.COMPLETED  # paid out meanwhile
    db.session.commit()
    assert deals.Action.DISPUTE in deals.allowed_actions(deal, brand.user)
    assert deals.Action.DISPUTE not in deals.allowed_actions(deal, connected.user)
    deals.perform(deal, "dispute", brand.user, note="The creator deleted the post after payout.")
    deal = fresh(Deal, deal.id)
    assert deal.state == DealState.DISPUTED
    statement = deal.dispute.statement
    assert "Evidence recorded by Duet" in statement and item.live_url in statement
    assert "views 200" in statement and "saves" not in statement


def test_a_completed_deal_without_takedown_cannot_be_disputed(app_ctx, brand, connected,
                                                               social, now):
    item = verified(brand, connected, social, now)
    deal = fresh(Deal, item.deal_id)
    deal.state = DealState.COMPLETED
    db.session.commit()
    assert deals.Action.DISPUTE not in deals.allowed_actions(deal, brand.user)
    with pytest.raises(InvalidTransition):
        deals.perform(deal, "dispute", brand.user, note="I just changed my mind about it.")


def test_a_post_gone_after_its_live_period_is_not_an_alarm(app_ctx, brand, connected, social,
                                                           now):
    item = verified(brand, connected, social, now)
    item.deal.campaign.live_days = 10
    db.session.commit()
    social.delete_post(item.post_id)
    assert not monitoring.record_removal(fresh(DealDeliverable, item.id), now + timedelta(days=11))
    assert notices(brand.user, "post_removed") == []


def test_two_workers_never_read_the_same_post(app, app_ctx, brand, connected, social, now,
                                              database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is only meaningful on PostgreSQL (set TEST_DATABASE_URL)")
    from tests.deals.test_deal_races import run_concurrently

    deal, _ = linked_deal(brand, connected, social, now, quantity=6)
    assert monitoring.check_posts_due(now) == 6
    ids = [i.id for i in fresh(Deal, deal.id).deliverable_items]
    at = now + timedelta(hours=1)
    social.freeze(at)
    before = social.requests_served()["tiktok"]
    results = run_concurrently(app, 4, lambda i: monitoring.take_due_snapshots(at, limit=2))
    assert sum(results) == 6, results
    assert db.session.scalar(select(func.count(MetricSnapshot.id)).where(
        MetricSnapshot.deliverable_id.in_(ids))) == 6
    # one post read and one metrics read per post: nobody read a post twice
    assert social.requests_served()["tiktok"] - before == 12


def test_an_unexpected_error_on_one_post_does_not_stop_the_sweep(
        app_ctx, brand, connected, social, now, monkeypatch):
    deal, _ = linked_deal(brand, connected, social, now, quantity=2)
    first = deal.deliverable_items[0].id
    real = monitoring.read_post

    def flaky(creator_id, ref, **kwargs):
        if ref.post_id == fresh(DealDeliverable, first).post_id:
            raise RuntimeError("boom")
        return real(creator_id, ref, **kwargs)

    monkeypatch.setattr(monitoring, "read_post", flaky)
    assert monitoring.check_posts_due(now) == 1  # the other post is verified
    stuck = fresh(DealDeliverable, first)
    assert stuck.verified_at is None and stuck.next_check_at == now + monitoring.LEASE
