"""Campaigns: the form and service, the state machine, pages and who may see what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Campaign,
    CampaignDeliverable,
    CampaignNiche,
    CampaignStatus,
)
from marketplace.services.campaigns import lifecycle as svc
from marketplace.services.errors import DomainError, InvalidTransition
from marketplace.signals import campaign_changed
from tests.support.factories import make_brand, make_campaign, make_user

TODAY = date.today()


def form_data(**changes) -> dict:
    """A valid campaign form post; `changes` replace or (with None) drop fields."""
    data = {
        "title": "Morning routine with our SPF",
        "brief": "Show our new SPF serum as part of your morning routine, natural light.",
        "deliverables-0-platform": "tiktok",
        "deliverables-0-deliverable_type": "short_video",
        "deliverables-0-quantity": "2",
        "niches": ["beauty", "skincare"],
        "countries": ["US", "GB"],
        "platforms": ["tiktok", "instagram"],
        "min_followers": "10000",
        "budget_min": "250",
        "budget_max": "1,000.50",
        "currency": "USD",
        "creators_wanted": "3",
        "application_deadline": (TODAY + timedelta(days=10)).isoformat(),
        "content_due": (TODAY + timedelta(days=30)).isoformat(),
        "usage_rights": "paid_30",
        "required_disclosure": "#ad",
        "required_hashtags": "#glow, #spf",
        "required_mentions": "@sunbrand",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Campaign.id))),
            db.session.scalar(select(func.count(CampaignDeliverable.id))),
            db.session.scalar(select(func.count()).select_from(CampaignNiche)))


def service_data(**changes) -> svc.CampaignData:
    values = dict(
        title="Spring launch", brief="A brief that is long enough to pass the rule.",
        deliverables=[svc.DeliverableRow("tiktok", "short_video", 1)], niches=["beauty"],
        platforms=["tiktok"], budget_min_cents=10000, budget_max_cents=20000,
        application_deadline=TODAY + timedelta(days=5), content_due=TODAY + timedelta(days=20),
    )
    values.update(changes)
    return svc.CampaignData(**values)


# --- create ------------------------------------------------------------------------------


def test_create_campaign_saves_a_draft(brand_client, brand, app_ctx):
    heard = []
    receiver = heard.append
    campaign_changed.connect(receiver)
    try:
        r = brand_client.post("/campaigns/new", data=form_data())
    finally:
        campaign_changed.disconnect(receiver)
    assert r.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert r.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert campaign.brand_id == brand.id and campaign.status == CampaignStatus.DRAFT
    assert campaign.budget_min_cents == 25000 and campaign.budget_max_cents == 100050
    assert sorted(campaign.niches) == ["beauty", "skincare"]
    assert sorted(campaign.countries) == ["GB", "US"]
    assert sorted(campaign.platforms) == ["instagram", "tiktok"]
    assert [(d.platform, d.deliverable_type, d.quantity) for d in campaign.deliverables] == [
        ("tiktok", "short_video", 2)]
    assert campaign.required_hashtags == "#glow #spf"
    assert campaign.required_mentions == "@sunbrand"
    assert campaign.min_followers == 10000 and campaign.creators_wanted == 3
    assert campaign.published_at is None
    assert len(heard) == 1 and heard[0].id == campaign.id
    assert campaign.live_days == 30  # not given: the default live period


def test_the_live_period_is_a_campaign_setting(brand_client, app_ctx):
    assert brand_client.post("/campaigns/new", data=form_data(live_days="14")).status_code == 302
    assert db.session.scalar(select(Campaign.live_days)) == 14


def test_new_form_renders(brand_client):
    r = brand_client.get("/campaigns/new")
    assert r.status_code == 200
    assert b"Create a campaign" in r.data and b"deliverables-4-quantity" in r.data


def test_creator_must_be_based_there_is_an_option_with_honest_labels(brand_client, app_ctx):
    form = brand_client.get("/campaigns/new").get_data(as_text=True)
    assert "Audience or creator in" in form and "at least 20% of their audience" in form
    assert 'name="creator_in_country"' in form
    brand_client.post("/campaigns/new", data=form_data())
    loose = db.session.scalar(select(Campaign))
    assert loose.creator_in_country is False
    page = brand_client.get(f"/campaigns/{loose.id}").get_data(as_text=True)
    assert "Audience or creator in" in page and "Creators from" not in page
    assert "at least 20% of their audience there" in page
    r = brand_client.post(f"/campaigns/{loose.id}/edit",
                          data=form_data(creator_in_country="y"))
    assert r.status_code == 302
    db.session.refresh(loose)
    assert loose.creator_in_country is True
    page = brand_client.get(f"/campaigns/{loose.id}").get_data(as_text=True)
    assert "Creators based in" in page and "Only creators living in these countries" in page
    # without target countries the option means nothing and is not kept
    brand_client.post(f"/campaigns/{loose.id}/edit",
                      data=form_data(countries=None, creator_in_country="y"))
    db.session.refresh(loose)
    assert loose.creator_in_country is False


def test_countries_may_be_empty(brand_client, app_ctx):
    r = brand_client.post("/campaigns/new", data=form_data(countries=None, required_hashtags="",
                                                           required_mentions=""))
    assert r.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert list(campaign.countries) == [] and campaign.required_hashtags == ""


def _past(days=1):
    return (TODAY - timedelta(days=days)).isoformat()


def _future(days):
    return (TODAY + timedelta(days=days)).isoformat()


BAD_INPUT = [
    ({"title": ""}, "Give the campaign a title"),
    ({"title": "x" * 121}, "120"),
    ({"brief": "too short"}, "between 20 and 5000"),
    ({"brief": "x" * 5001}, "between 20 and 5000"),
    ({"budget_min": "900", "budget_max": "100"}, "at least the minimum"),
    ({"budget_min": "0"}, "above zero"),
    ({"budget_min": "-5"}, "above zero"),
    ({"budget_max": "abc"}, "Enter an amount such as 250"),
    ({"budget_max": ""}, "Enter an amount."),
    ({"budget_max": "1000000.01"}, "1,000,000.00"),
    ({"application_deadline": _past()}, "deadline must be in the future"),
    ({"application_deadline": TODAY.isoformat()}, "deadline must be in the future"),
    ({"content_due": _past()}, "must be in the future"),
    ({"application_deadline": _future(40), "content_due": _future(20)},
     "on or before the content due date"),
    ({"application_deadline": "not-a-date"}, "Not a valid date"),
    ({"platforms": None}, "Pick at least 1 platform"),
    ({"platforms": ["myspace"]}, "not a valid choice"),
    ({"niches": ["beauty", "skincare", "fashion", "fitness", "food", "travel"]},
     "at most 5 niches"),
    ({"niches": None}, "Pick at least 1 niche"),
    ({"niches": ["underwater-basket"]}, "not a valid choice"),
    ({"countries": list("ABCDEFGHIJK")}, "are not valid choices"),
    ({"countries": ["US", "GB", "CA", "AU", "IE", "NZ", "DE", "FR", "ES", "IT", "NL"]},
     "at most 10 countries"),
    ({"required_hashtags": "#ok no-hash"}, "not a valid hashtag"),
    ({"required_hashtags": "#a-b"}, "not a valid hashtag"),
    ({"required_hashtags": " ".join(f"#t{i}" for i in range(11))}, "at most 10 hashtags"),
    ({"required_mentions": "#notamention"}, "not a valid mention"),
    ({"deliverables-0-quantity": "0"}, "Quantity must be 1-20"),
    ({"deliverables-0-quantity": "21"}, "Quantity must be 1-20"),
    ({"deliverables-0-quantity": "lots"}, "Not a valid integer"),
    ({"deliverables-0-platform": "", "deliverables-0-deliverable_type": "",
      "deliverables-0-quantity": ""}, "Add at least one deliverable"),
    ({"deliverables-0-deliverable_type": ""}, "Fill in platform, type and quantity"),
    ({"deliverables-0-platform": "vine"}, "Not a valid choice"),
    ({"min_followers": "-1"}, "0 to 100,000,000"),
    ({"min_followers": "100000001"}, "0 to 100,000,000"),
    ({"creators_wanted": "0"}, "1-100 creators"),
    ({"creators_wanted": "101"}, "1-100 creators"),
    ({"creators_wanted": "many"}, "Not a valid integer"),
    ({"currency": "BTC"}, "Not a valid choice"),
    ({"usage_rights": "forever"}, "Not a valid choice"),
    ({"required_disclosure": "#spon"}, "Not a valid choice"),
    ({"live_days": "0"}, "Between 1 and 365 days"),
    ({"live_days": "9" * 30}, "Between 1 and 365 days"),
    ({"live_days": "forever"}, "Not a valid integer"),
]


@pytest.mark.parametrize("changes, message", BAD_INPUT)
def test_create_refuses_bad_input_and_saves_nothing(brand_client, app_ctx, changes, message):
    r = brand_client.post("/campaigns/new", data=form_data(**changes))
    assert r.status_code == 400
    assert message.lower() in r.get_data(as_text=True).lower()
    assert b"invalid-feedback" in r.data or b"alert-danger" in r.data
    assert counts() == (0, 0, 0)


def test_brand_without_profile_is_sent_to_set_one_up(app, app_ctx, login_as):
    user = make_user("noprofile@example.com", role="brand")
    c = login_as(user)
    for path in ("/campaigns/new", "/campaigns/mine"):
        r = c.get(path)
        assert r.status_code == 302 and r.headers["Location"].endswith("/brands/me/profile")
    r = c.post("/campaigns/new", data=form_data())
    assert r.status_code == 302
    assert counts() == (0, 0, 0)
    with c.session_transaction() as session:
        assert "Set up your brand profile first." in str(session.get("_flashes"))


# --- edit --------------------------------------------------------------------------------


def test_edit_form_prefilled_and_saves(brand_client, brand, app_ctx):
    campaign = make_campaign(brand, status="open", budget=(12345, 50000))
    r = brand_client.get(f"/campaigns/{campaign.id}/edit")
    assert r.status_code == 200
    assert b'value="123.45"' in r.data and b"Summer glow launch" in r.data
    r = brand_client.post(f"/campaigns/{campaign.id}/edit", data=form_data(
        title="New title", niches=["fitness"], countries=None,
        **{"deliverables-1-platform": "youtube", "deliverables-1-deliverable_type": "long_video",
           "deliverables-1-quantity": "1"}))
    assert r.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "New title" and list(campaign.niches) == ["fitness"]
    assert list(campaign.countries) == [] and campaign.status == CampaignStatus.OPEN
    assert len(campaign.deliverables) == 2
    assert db.session.scalar(select(func.count(CampaignDeliverable.id))) == 2


def test_edit_keeps_unchanged_niche_rows(brand_client, brand, app_ctx):
    campaign = make_campaign(brand, status="draft", niches=("beauty",))
    r = brand_client.post(f"/campaigns/{campaign.id}/edit",
                          data=form_data(niches=["beauty", "food"]))
    assert r.status_code == 302
    db.session.refresh(campaign)
    assert sorted(campaign.niches) == ["beauty", "food"]


@pytest.mark.parametrize("changes, message", BAD_INPUT[:6])
def test_edit_refuses_bad_input_and_changes_nothing(brand_client, brand, app_ctx, changes,
                                                    message):
    campaign = make_campaign(brand, status="draft")
    r = brand_client.post(f"/campaigns/{campaign.id}/edit", data=form_data(**changes))
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.title == "Summer glow launch" and campaign.budget_min_cents == 20000


def test_closed_campaign_cannot_be_edited(brand_client, brand, app_ctx):
    campaign = make_campaign(brand, status="closed")
    r = brand_client.get(f"/campaigns/{campaign.id}/edit")
    assert r.status_code == 302
    r = brand_client.post(f"/campaigns/{campaign.id}/edit", data=form_data(title="Sneaky"))
    assert r.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Summer glow launch"
    with pytest.raises(InvalidTransition):
        svc.update_campaign(campaign, service_data())


def test_service_refuses_what_the_form_would(brand, app_ctx):
    cases = [
        (service_data(niches=["nope"]), "niches"),
        (service_data(budget_min_cents=0), "budget_min"),
        (service_data(budget_min_cents=5, budget_max_cents=4), "budget_max"),
        (service_data(application_deadline=TODAY), "application_deadline"),
        (service_data(deliverables=[]), "deliverables"),
        (service_data(deliverables=[svc.DeliverableRow("tiktok", "short_video", 0)]),
         "deliverables"),
        (service_data(required_hashtags=["nohash"]), "required_hashtags"),
        (service_data(platforms=[]), "platforms"),
        (service_data(title="  "), "title"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as info:
            svc.create_campaign(brand, data)
        assert info.value.field == field
    assert counts() == (0, 0, 0)


# --- state machine -----------------------------------------------------------------------

ALL_MOVES = [(status, action) for status in CampaignStatus for action in svc.ACTIONS]


@pytest.mark.parametrize("status, action", ALL_MOVES)
def test_state_machine_table(brand, app_ctx, status, action):
    campaign = make_campaign(brand, status=status.value)
    before = (campaign.status, campaign.published_at, campaign.updated_at)
    target = svc.TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(InvalidTransition):
            svc.transition(campaign, action)
        db.session.rollback()
        db.session.refresh(campaign)
        assert (campaign.status, campaign.published_at, campaign.updated_at) == before
    else:
        svc.transition(campaign, action)
        db.session.expire_all()
        assert db.session.get(Campaign, campaign.id).status == target


def test_allowed_moves_are_exactly_the_documented_ones():
    S = CampaignStatus
    assert svc.TRANSITIONS == {
        (S.DRAFT, "publish"): S.OPEN, (S.DRAFT, "close"): S.CLOSED,
        (S.OPEN, "pause"): S.PAUSED, (S.OPEN, "close"): S.CLOSED,
        (S.PAUSED, "resume"): S.OPEN, (S.PAUSED, "close"): S.CLOSED,
    }


def test_publish_sets_published_at_once(brand, app_ctx):
    campaign = make_campaign(brand, status="draft")
    svc.transition(campaign, "publish")
    first = campaign.published_at
    assert first is not None and first.tzinfo is not None
    svc.transition(campaign, "pause")
    svc.transition(campaign, "resume")
    assert campaign.published_at == first


def test_publish_revalidates_dates(brand, app_ctx):
    campaign = make_campaign(brand, status="draft")
    campaign.application_deadline = TODAY - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DomainError, match="deadline"):
        svc.transition(campaign, "publish")
    db.session.rollback()
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT and campaign.published_at is None


def test_transitions_announce_changes(brand, app_ctx):
    campaign = make_campaign(brand, status="draft")
    heard = []
    receiver = heard.append
    campaign_changed.connect(receiver)
    try:
        svc.transition(campaign, "publish")
        with pytest.raises(InvalidTransition):
            svc.transition(campaign, "publish")
    finally:
        campaign_changed.disconnect(receiver)
    assert heard == [campaign]


@pytest.mark.parametrize("status, action, expected", [
    ("draft", "publish", "open"), ("open", "pause", "paused"), ("paused", "resume", "open"),
    ("open", "close", "closed"), ("draft", "close", "closed"),
])
def test_transition_route_moves_state(brand_client, brand, app_ctx, status, action, expected):
    campaign = make_campaign(brand, status=status)
    r = brand_client.post(f"/campaigns/{campaign.id}/{action}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    db.session.refresh(campaign)
    assert campaign.status.value == expected


@pytest.mark.parametrize("status, action", [("closed", "resume"), ("draft", "pause"),
                                            ("open", "publish"), ("closed", "publish")])
def test_transition_route_refuses_illegal_move(brand_client, brand, app_ctx, status, action):
    campaign = make_campaign(brand, status=status)
    r = brand_client.post(f"/campaigns/{campaign.id}/{action}", follow_redirects=True)
    assert r.status_code == 200 and b"You can&#39;t " + action.encode() in r.data
    db.session.refresh(campaign)
    assert campaign.status.value == status


def test_unknown_action_is_404(brand_client, brand, app_ctx):
    campaign = make_campaign(brand, status="draft")
    assert brand_client.post(f"/campaigns/{campaign.id}/explode").status_code == 404
    assert brand_client.get(f"/campaigns/{campaign.id}/publish").status_code == 405


def test_transition_needs_csrf_token(app, brand, app_ctx, make_app):

    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    campaign = make_campaign(brand, status="draft")
    c = csrf_app.test_client()
    page = c.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    c.post("/auth/login", data={"email": brand.user.email, "csrf_token": token,
                                             "password": "correct horse battery"})
    assert c.post(f"/campaigns/{campaign.id}/publish").status_code == 400
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT


# --- access ------------------------------------------------------------------------------


def test_other_brand_gets_404_everywhere(app_ctx, login_as):
    owner, other = make_brand("owner"), make_brand("other")
    draft = make_campaign(owner, status="draft")
    live = make_campaign(owner, status="open")
    c = login_as(other.user)
    assert c.get(f"/campaigns/{draft.id}").status_code == 404
    for campaign in (draft, live):
        assert c.get(f"/campaigns/{campaign.id}/edit").status_code == 404
        assert c.post(f"/campaigns/{campaign.id}/edit", data=form_data()).status_code == 404
        for action in svc.ACTIONS:
            assert c.post(f"/campaigns/{campaign.id}/{action}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Campaign, draft.id).status == CampaignStatus.DRAFT
    assert db.session.get(Campaign, live.id).status == CampaignStatus.OPEN
    assert db.session.get(Campaign, live.id).title == "Summer glow launch"


def test_creator_gets_403_on_brand_pages(creator_client, app_ctx):
    campaign = make_campaign(status="draft")
    for path in ("/campaigns/mine", "/campaigns/new", f"/campaigns/{campaign.id}/edit"):
        assert creator_client.get(path).status_code == 403
    assert creator_client.post("/campaigns/new", data=form_data()).status_code == 403
    assert creator_client.post(f"/campaigns/{campaign.id}/publish").status_code == 403
    assert counts()[0] == 1


def test_anonymous_is_sent_to_log_in(client, app_ctx):
    campaign = make_campaign(status="draft")
    for method, path in (("get", "/campaigns/mine"), ("get", "/campaigns/new"),
                         ("post", "/campaigns/new"), ("get", f"/campaigns/{campaign.id}/edit"),
                         ("post", f"/campaigns/{campaign.id}/publish")):
        r = getattr(client, method)(path)
        assert r.status_code == 302 and "/auth/login" in r.headers["Location"], path
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT


def test_draft_hidden_from_everyone_but_owner(client, creator_client, admin_client, brand_client,
                                             brand, app_ctx):
    draft = make_campaign(brand, status="draft", title="Secret plan")
    for c in (client, creator_client, admin_client):
        assert c.get(f"/campaigns/{draft.id}").status_code == 404
    r = brand_client.get(f"/campaigns/{draft.id}")
    assert r.status_code == 200 and b"Secret plan" in r.data and b"Publish" in r.data


@pytest.mark.parametrize("status, banner", [("open", None), ("paused", "is paused"),
                                            ("closed", "is closed")])
def test_public_detail_page(client, app_ctx, status, banner):
    brand = make_brand("glowco", company_name="GlowCo")
    campaign = make_campaign(brand, status=status, brief="Line one <b>bold</b>\nLine two here.")
    campaign.required_hashtags = "#glow"
    db.session.commit()
    r = client.get(f"/campaigns/{campaign.id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "GlowCo" in html and "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    assert "#glow" in html and "$200–$500" in html and "Apply by" in html
    assert 'href="/brands/glowco"' in html
    assert (banner is None) or banner in html
    assert "campaigns.transition" not in html and "/publish" not in html


def test_owner_sees_only_allowed_buttons(brand_client, brand, app_ctx):
    campaign = make_campaign(brand, status="open")
    html = brand_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/campaigns/{campaign.id}/pause" in html and f"/campaigns/{campaign.id}/close" in html
    assert f"/campaigns/{campaign.id}/publish" not in html
    assert f"/campaigns/{campaign.id}/resume" not in html
    assert f"/campaigns/{campaign.id}/edit" in html


def test_missing_campaign_is_404(client):
    assert client.get("/campaigns/999999").status_code == 404


# --- my campaigns --------------------------------------------------------------------------


def test_mine_lists_only_my_campaigns(brand_client, brand, app_ctx):
    make_campaign(brand, status="draft", title="My draft")
    make_campaign(brand, status="open", title="My live one")
    make_campaign(make_brand(), status="open", title="Not mine")
    html = brand_client.get("/campaigns/mine").get_data(as_text=True)
    assert "My draft" in html and "My live one" in html and "Not mine" not in html
    assert "Draft" in html and "Open" in html


def test_mine_empty_state(brand_client):
    r = brand_client.get("/campaigns/mine")
    assert r.status_code == 200 and b"Create your first campaign" in r.data


def test_mine_paginates(make_app, app_ctx, login_as):
    brand = make_brand()
    for i in range(5):
        make_campaign(brand, title=f"Campaign number {i}")
    small = make_app(PER_PAGE=2)
    from tests.conftest import Auth

    c = small.test_client()
    Auth(c).login(brand.user)
    page1 = c.get("/campaigns/mine").get_data(as_text=True)
    page3 = c.get("/campaigns/mine?page=3").get_data(as_text=True)
    assert page1.count("Campaign number") == 2 and "page 1 of 3" in page1
    assert page3.count("Campaign number") == 1
    assert c.get("/campaigns/mine?page=-4").status_code == 200
    assert c.get("/campaigns/mine?page=abc").status_code == 200

