"""Demo data: reproducible, varied, internally consistent, and `flask seed` behaves."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace import create_app
from marketplace.database import utcnow
from marketplace.demo import deals as demo_deals
from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.models import (
    BrandProfile,
    Campaign,
    CampaignStatus,
    CreatorNiche,
    CreatorProfile,
    Deal,
    DealDeliverable,
    DealState,
    Notification,
    OfferThread,
    Payment,
    PlatformAccount,
    ThreadStatus,
    User,
)
from marketplace.models.deliverable import MetricSnapshot
from marketplace.services import payments
from marketplace.services.accounts.profiles import HANDLE_RE, completeness
from marketplace.services.deals import files as deal_files
from marketplace.services.deals import library
from marketplace.taxonomy import AGE_BANDS, NICHES, PLATFORMS
from tests.payments.conftest import stripe_base, stripe_server  # noqa: F401  (fixtures)
from tests.support.factories import make_user

SMALL = {"creators": 90, "brands": 8, "campaigns": 20}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> dict[str, list]:
    """What two runs with one seed must agree on (ids aside)."""
    creators = db.session.scalars(
        select(CreatorProfile).order_by(CreatorProfile.id)
        .options(selectinload(CreatorProfile.packages), selectinload(CreatorProfile.niche_links),
                 selectinload(CreatorProfile.accounts))).all()
    campaigns = db.session.scalars(
        select(Campaign).order_by(Campaign.id).options(selectinload(Campaign.niche_links))).all()
    return {
        "creators": [(c.handle, c.display_name, c.country, c.bio, list(c.niches),
                      [(a.platform, a.followers, a.engagement_rate) for a in c.accounts],
                      [(p.title, p.price_cents) for p in c.packages]) for c in creators],
        "brands": list(db.session.scalars(select(BrandProfile.handle).order_by(BrandProfile.id))),
        "campaigns": [(c.title, c.status, c.budget_min_cents, c.budget_max_cents,
                       list(c.niches), c.brief) for c in campaigns],
    }


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory):
    """An app on a SQLite file of its own, re-created empty for every seeding."""
    folder = tmp_path_factory.mktemp("scratch")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_DIR": str(folder),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'scratch.sqlite3'}",
                      "UPLOAD_DIR": str(folder / "uploads"), "MATCHING_ENABLED": False})
    yield app
    with app.app_context():
        db.engine.dispose()


def seeded_snapshot(app, seed_value: int, *, images: bool = False) -> dict[str, list]:
    """Seed a fresh, empty database and read it back."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed.seed_all(seed_value, images=images, **SMALL)
        data = snapshot()
        db.session.remove()
    return data


def test_same_seed_gives_same_data_and_another_seed_differs(scratch_app):
    first = seeded_snapshot(scratch_app, 7)
    again = seeded_snapshot(scratch_app, 7)
    other = seeded_snapshot(scratch_app, 8)
    assert first == again
    assert len(first["creators"]) == SMALL["creators"]
    assert [c[0] for c in first["creators"]] != [c[0] for c in other["creators"]]
    assert [c[6] for c in first["creators"]] != [c[6] for c in other["creators"]]


def test_images_do_not_change_the_data(scratch_app):
    plain = seeded_snapshot(scratch_app, 3)
    assert seeded_snapshot(scratch_app, 3, images=True) == plain
    with scratch_app.app_context():
        avatars = db.session.scalars(select(CreatorProfile.avatar)).all()
        logos = db.session.scalars(select(BrandProfile.logo)).all()
        upload_dir = Path(scratch_app.config["UPLOAD_DIR"])
        db.session.remove()
    assert sum(a is not None for a in avatars) > len(avatars) // 2
    assert all(logos)
    assert all((upload_dir / name).is_file() for name in [*avatars, *logos] if name)


def test_every_niche_platform_and_many_countries_covered(app_ctx):
    seed.seed_all(11, images=False, **SMALL)
    per_niche = dict(db.session.execute(
        select(CreatorNiche.niche, func.count()).group_by(CreatorNiche.niche)).all())
    assert set(per_niche) == set(NICHES)
    assert min(per_niche.values()) >= 3
    platforms = set(db.session.scalars(select(PlatformAccount.platform).distinct()))
    assert platforms == set(PLATFORMS)
    countries = set(db.session.scalars(select(CreatorProfile.country).distinct()))
    assert len(countries) >= 10


def test_creator_data_is_believable_and_consistent(app_ctx):
    seed.seed_all(5, images=False, **SMALL)
    creators = db.session.scalars(select(CreatorProfile).options(
        selectinload(CreatorProfile.accounts), selectinload(CreatorProfile.packages),
        selectinload(CreatorProfile.samples), selectinload(CreatorProfile.audience_countries),
        selectinload(CreatorProfile.niche_links))).all()
    followers, engagement = [], []
    for c in creators:
        assert HANDLE_RE.fullmatch(c.handle), c.handle
        assert 1 <= len(c.accounts) <= 3 and 2 <= len(c.samples) <= 6
        assert 1 <= len(c.packages) <= 4
        assert c.bio and c.languages and c.display_name
        assert sum(a.share for a in c.audience_countries) <= 100
        assert set(c.audience_ages) == set(AGE_BANDS) and sum(c.audience_ages.values()) == 100
        assert sum(c.audience_gender.values()) == 100
        assert c.total_followers == sum(a.followers for a in c.accounts)
        assert c.top_engagement == max(a.engagement_rate for a in c.accounts)
        assert c.min_price_cents == min(p.price_cents for p in c.packages)
        for a in c.accounts:
            assert 2_000 <= a.followers <= 5_000_000 and 1 <= a.engagement_rate <= 12
            followers.append(math.log10(a.followers))
            engagement.append(a.engagement_rate)
        assert all(p.price_cents > 0 and p.currency == "USD" for p in c.packages)
    # Bigger accounts engage less.
    assert statistics.correlation(followers, engagement) < -0.5
    # Niche words reach the bio, so text matching has something to find.
    fitness = [c for c in creators if c.niches[0] == "fitness"]
    assert fitness and all(any(w in c.bio.lower() for w in ("workout", "strength", "gym", "hiit",
                                                            "powerlifting", "training"))
                           for c in fitness)


def test_campaigns_are_consistent_and_in_the_future(app_ctx):
    seed.seed_all(5, images=False, **SMALL)
    campaigns = db.session.scalars(select(Campaign).options(
        selectinload(Campaign.deliverables), selectinload(Campaign.niche_links))).all()
    assert len(campaigns) == SMALL["campaigns"]
    statuses = [c.status for c in campaigns]
    assert statuses.count(CampaignStatus.OPEN) > len(campaigns) / 2
    assert set(statuses) == set(CampaignStatus)
    for c in campaigns:
        assert 0 < c.budget_min_cents <= c.budget_max_cents
        assert c.application_deadline > date.today() and c.content_due > c.application_deadline
        assert c.deliverables and c.niches and c.brief and c.title
        assert (c.published_at is None) == (c.status == CampaignStatus.DRAFT)
    # Budgets sit in the same range as what creators charge.
    prices = sorted(db.session.scalars(select(CreatorProfile.min_price_cents)))
    budgets = sorted(c.budget_max_cents for c in campaigns)
    assert prices[len(prices) // 4] <= budgets[len(budgets) // 2] <= prices[-1]


def test_demo_accounts(app_ctx):
    seed.seed_all(1, images=True, **SMALL)
    creator = db.session.scalar(select(CreatorProfile).join(User)
                                .where(User.email == "creator@demo.duet"))
    assert completeness(creator).percent == 100
    assert {"skincare", "beauty"} <= set(creator.niches)
    brand = db.session.scalar(select(BrandProfile).join(User)
                              .where(User.email == "brand@demo.duet"))
    assert {c.status for c in brand.campaigns} == set(CampaignStatus)
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.duet"))
    assert admin.is_admin


@pytest.mark.parametrize("role", ["brand", "creator", "admin"])
def test_demo_logins_work(app, app_ctx, client, auth, role):
    seed.seed_all(2, images=False, **SMALL)
    email, password = seed.DEMO_LOGINS[role]
    assert auth.login(email, "wrong password!!").status_code == 200
    r = auth.login(email, password)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_default_size_is_big(app_ctx):
    """The default demo set is a marketplace worth browsing (its seeding time is printed by
    bench/bench_pages.py, not asserted here)."""
    result = seed.seed_all()
    assert (len(result.creators), len(result.brands), len(result.campaigns)) == (300, 30, 60)
    assert count(CreatorProfile) == 300 and count(BrandProfile) == 30 and count(Campaign) == 60
    assert count(User) == 331


def test_cli_seed_then_if_empty_is_a_no_op(runner):
    args = ["seed", "--seed", "4", "--creators", "40", "--brands", "4", "--campaigns", "6"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "brand@demo.duet" in result.output and "demo-creator-pass" in result.output
    before = (count(User), count(CreatorProfile), count(Campaign))
    assert before == (45, 40, 6)
    again = runner.invoke(args=["seed", "--if-empty"])
    assert again.exit_code == 0 and "not seeding" in again.output
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "already has accounts" in refused.output
    assert (count(User), count(CreatorProfile), count(Campaign)) == before


def test_cli_if_empty_seeds_an_empty_database(runner):
    result = runner.invoke(args=["seed", "--if-empty", "--creators", "30", "--brands", "2",
                                 "--campaigns", "5"])
    assert result.exit_code == 0, result.output
    assert count(CreatorProfile) == 30


def test_cli_if_empty_skips_when_any_user_exists(runner):
    make_user("someone@example.com")
    result = runner.invoke(args=["seed", "--if-empty"])
    assert result.exit_code == 0 and "not seeding" in result.output
    assert count(User) == 1 and count(CreatorProfile) == 0


@pytest.mark.parametrize("args", [
    ["--creators", "0"], ["--brands", "0"], ["--campaigns", "-1"], ["--creators", "many"],
    ["--seed", "x"],
])
def test_cli_rejects_bad_sizes(runner, args):
    result = runner.invoke(args=["seed", *args])
    assert result.exit_code != 0
    assert "Invalid value" in result.output
    assert count(User) == 0


# Every step a deal can rest in (paid out is passed through on the way to completed).
RESTING_STATES = set(DealState) - {DealState.PAID_OUT}


def test_demo_deals_cover_every_step_for_the_demo_brand_and_creator(make_app,
                                                                     stripe_server):  # noqa: F811
    app = make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_demo",
                   MAIL_SUPPRESS_SEND=True)
    with app.app_context():
        seed.seed_all(6, images=False, **SMALL)
        made = demo_deals.seed_deals(random.Random(6), demo_deals.LocalStripe())
        assert made.skipped == [] and made.open_offers == 2
        brand = db.session.scalar(select(BrandProfile).join(User)
                                  .where(User.email == "brand@demo.duet"))
        creator = db.session.scalar(select(CreatorProfile).join(User)
                                    .where(User.email == "creator@demo.duet"))

        def states(*where) -> set[DealState]:
            return set(db.session.scalars(select(Deal.state).where(*where)))

        assert states(Deal.brand_id == brand.id) == RESTING_STATES
        # The demo creator's payouts are set up: nothing of theirs waits on a payout account.
        assert states(Deal.creator_id == creator.id) == RESTING_STATES - {DealState.POSTED}
        # The two demo accounts: a completed deal with a revision history and draft files,
        # then hired again on the same campaign, and an open offer.
        pair = db.session.scalars(select(Deal).where(
            Deal.brand_id == brand.id, Deal.creator_id == creator.id).order_by(Deal.id)).all()
        done = next(d for d in pair if d.state == DealState.COMPLETED)
        assert [s.number for s in done.submissions] == [1, 2]
        assert all(deal_files.draft_path(s.draft_file) for s in done.submissions)
        again = next(d for d in pair if d.id > done.id and d.campaign_id == done.campaign_id)
        assert again.state == DealState.FUNDED
        assert db.session.scalar(select(OfferThread).where(
            OfferThread.brand_id == brand.id, OfferThread.creator_id == creator.id,
            OfferThread.status == ThreadStatus.OPEN)) is not None
        # Their library and the creator's work have content, with dates and files.
        now = utcnow()
        items = library.items_for(list(db.session.scalars(
            library.library_query(brand, library.LibraryFilters(), now))), now)
        assert len(items) >= 4 and done.id in {i.deal.id for i in items}
        assert {i.rights_status for i in items} >= {library.RightsStatus.ACTIVE,
                                                    library.RightsStatus.PERPETUAL,
                                                    library.RightsStatus.ORGANIC}
        assert all(i.media_kind == "image" for i in items)
        work = list(db.session.scalars(library.creator_work_query(creator)))
        assert len(work) >= 2
        # Live posts have snapshot histories (each slot once, numbers growing), one post was
        # taken down early (both parties told), one Story carries the creator's own numbers.
        results = made.post_results
        assert results.posts >= 3 and results.snapshots >= results.posts
        assert results.taken_down == 1 and results.creator_reports == 1
        for item in db.session.scalars(select(DealDeliverable).where(
                DealDeliverable.verified_at.is_not(None))):
            readings = [s for s in item.snapshots if s.source == "platform"]
            assert len({s.slot for s in readings}) == len(readings)
            views = [s.views for s in sorted(readings, key=lambda s: s.taken_at)]
            assert views == sorted(views)
        gone = db.session.scalar(select(DealDeliverable).where(
            DealDeliverable.removed_at.is_not(None)))
        assert gone.next_snapshot_at is None and db.session.scalar(
            select(Notification.id).where(Notification.kind == "post_removed",
                                          Notification.user_id == brand.user_id))
        reported = db.session.scalar(select(MetricSnapshot).where(
            MetricSnapshot.source == "creator"))
        assert reported.evidence_file and reported.likes is None
        # The money agrees with Stripe's objects for every funded demo deal.
        for payment in db.session.scalars(select(Payment)):
            assert payments.ledger_balance_ok(payment.deal_id), payment.deal_id
        db.session.remove()
