"""Pages of the deals area: happy paths, bad input (DB unchanged), 404 for other people's
objects, 403 for the wrong role, log-in redirects for anonymous visitors."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Deal,
    DealState,
    OfferThread,
    OfferVersion,
    Submission,
    ThreadStatus,
)
from marketplace.services.deals import applications, offers
from marketplace.services.deals import state_machine as deals
from tests.support import factories
from tests.support.deals import make_deal, terms

PITCH = "I film a calm morning routine that fits your serum."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def terms_form(campaign_id=None, **changes) -> dict:
    data = {"price": "450.00", "deliverables-0-platform": "tiktok",
            "deliverables-0-deliverable_type": "short_video", "deliverables-0-quantity": "2",
            "content_due": (date.today() + timedelta(days=20)).isoformat(),
            "usage_rights": "paid_30", "revisions_included": "1", "message": "Hi!"}
    if campaign_id is not None:
        data["campaign"] = str(campaign_id)
    data.update(changes)
    return data


# --- access matrix -------------------------------------------------------------------------------

@pytest.fixture
def world(app_ctx, brand, creator):
    campaign = factories.make_campaign(brand)
    application = applications.apply(creator.user, campaign, pitch=PITCH,
                                     proposed_price_cents=35000)
    other_brand = factories.make_brand()
    other_creator = factories.make_creator()
    thread = offers.invite(brand.user, factories.make_campaign(brand), creator, terms(campaign))
    deal = make_deal(brand, creator, campaign=campaign, state="funded")
    return {"campaign": campaign, "application": application, "thread": thread, "deal": deal,
            "other_brand": other_brand, "other_creator": other_creator}


def urls(w) -> dict[str, str]:
    return {
        "apply": f"/campaigns/{w['campaign'].id}/apply",
        "my_applications": "/deals/applications",
        "applicants": f"/campaigns/{w['campaign'].id}/applicants",
        "offer_to_applicant": f"/deals/applications/{w['application'].id}/offer",
        "invite": f"/deals/invite?creator={w['other_creator'].handle}",
        "thread": f"/deals/offers/{w['thread'].id}",
        "index": "/deals/",
        "detail": f"/deals/{w['deal'].id}",
        "disputes": "/admin/disputes",
    }


@pytest.mark.parametrize("name", ["apply", "my_applications", "applicants", "offer_to_applicant",
                                  "invite", "thread", "index", "detail", "disputes"])
def test_anonymous_is_sent_to_login(world, client, name):
    response = client.get(urls(world)[name])
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("name,who", [
    ("apply", "brand"), ("my_applications", "brand"), ("applicants", "creator"),
    ("offer_to_applicant", "creator"), ("invite", "creator"), ("disputes", "brand"),
    ("disputes", "creator"),
])
def test_wrong_role_is_403(world, brand_client, creator_client, name, who):
    c = brand_client if who == "brand" else creator_client
    assert c.get(urls(world)[name]).status_code == 403


@pytest.mark.parametrize("name", ["applicants", "offer_to_applicant", "thread", "detail"])
def test_other_brand_gets_404(world, login_as, name):
    assert login_as(world["other_brand"].user).get(urls(world)[name]).status_code == 404


@pytest.mark.parametrize("name", ["thread", "detail"])
def test_other_creator_gets_404(world, login_as, name):
    assert login_as(world["other_creator"].user).get(urls(world)[name]).status_code == 404


@pytest.mark.parametrize("name", ["my_applications", "thread", "index", "detail"])
def test_party_pages_render(world, creator_client, name):
    response = creator_client.get(urls(world)[name])
    assert response.status_code == 200, response.data[:300]


@pytest.mark.parametrize("name", ["applicants", "offer_to_applicant", "thread", "index",
                                  "detail", "invite"])
def test_brand_pages_render(world, brand_client, name):
    response = brand_client.get(urls(world)[name])
    assert response.status_code == 200, response.data[:300]


def test_admin_sees_deal_only_in_dispute(world, admin_client, admin):
    deal = world["deal"]
    assert admin_client.get(f"/deals/{deal.id}").status_code == 404
    deal.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(deal, "dispute", world["deal"].brand.user,
                  note="The video does not show the product at all.")
    assert admin_client.get(f"/deals/{deal.id}").status_code == 200
    page = admin_client.get("/admin/disputes")
    assert page.status_code == 200 and b"does not show the product" in page.data


# --- applications --------------------------------------------------------------------------------

@pytest.fixture
def campaign(app_ctx, brand):
    return factories.make_campaign(brand)


def test_apply_happy_path(campaign, creator, creator_client):
    page = creator_client.get(f"/campaigns/{campaign.id}/apply")
    assert page.status_code == 200 and b"Send application" in page.data
    response = creator_client.post(f"/campaigns/{campaign.id}/apply", data={
        "pitch": PITCH, "package_ids": [str(creator.packages[0].id)], "proposed_price": ""})
    assert response.status_code == 302
    assert count(Application) == 1
    page = creator_client.get("/deals/applications")
    assert campaign.title.encode() in page.data and b"Pending" in page.data
    again = creator_client.get(f"/campaigns/{campaign.id}/apply")
    assert b"You applied" in again.data


@pytest.mark.parametrize("data,message", [
    ({"pitch": ""}, b"Write at least 20 characters"),
    ({"pitch": "x" * 2001}, b"under 2000 characters"),
    ({"proposed_price": "abc"}, b"Enter an amount"),
    ({"proposed_price": "0"}, b"more than zero"),
    ({"proposed_price": "-5"}, b"above zero"),
    ({"proposed_price": "99999999999"}, b"too high"),
    ({"proposed_price": "", "package_ids": []}, b"Choose at least one package"),
    ({"proposed_price": "", "package_ids": ["999999"]}, b"your own rate card"),
])
def test_apply_bad_input(campaign, creator_client, data, message):
    form = {"pitch": PITCH, "proposed_price": "300", **data}
    response = creator_client.post(f"/campaigns/{campaign.id}/apply", data=form)
    assert response.status_code == 400
    assert message in response.data
    assert count(Application) == 0


def test_apply_to_draft_is_404(app_ctx, brand, creator_client):
    draft = factories.make_campaign(brand, status="draft")
    assert creator_client.get(f"/campaigns/{draft.id}/apply").status_code == 404


def test_withdraw_and_foreign_withdraw(campaign, creator, creator_client, login_as):
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    other = login_as(factories.make_creator().user)
    assert other.post(f"/deals/applications/{app_.id}/withdraw").status_code == 404
    assert creator_client.post(f"/deals/applications/{app_.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app_.id).status == ApplicationStatus.WITHDRAWN


def test_brand_shortlists_and_declines_creator_sees_reason(campaign, creator, brand_client,
                                                           creator_client):
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    page = brand_client.get(f"/campaigns/{campaign.id}/applicants")
    assert creator.display_name.encode() in page.data
    brand_client.post(f"/deals/applications/{app_.id}/shortlist")
    db.session.expire_all()
    assert db.session.get(Application, app_.id).status == ApplicationStatus.SHORTLISTED
    brand_client.post(f"/deals/applications/{app_.id}/decline",
                      data={"reason": "timing", "note": "We shoot next week."})
    page = creator_client.get("/deals/applications")
    assert b"Timing does not work" in page.data and b"We shoot next week." in page.data


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "bogus"},
                                  {"reason": "decision_date_passed"},
                                  {"reason": "budget", "note": "n" * 501}])
def test_decline_application_bad_input(campaign, creator, brand_client, data):
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    response = brand_client.post(f"/deals/applications/{app_.id}/decline", data=data,
                                 headers={"Referer": f"/campaigns/{campaign.id}/applicants"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app_.id).status == ApplicationStatus.PENDING


def test_foreign_application_actions_404(campaign, creator, login_as):
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    other = login_as(factories.make_brand().user)
    for path in ("shortlist", "decline", "offer"):
        assert other.post(f"/deals/applications/{app_.id}/{path}",
                          data={"reason": "budget"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, app_.id).status == ApplicationStatus.PENDING


def test_offer_to_applicant(campaign, creator, brand_client):
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=35000)
    page = brand_client.get(f"/deals/applications/{app_.id}/offer")
    assert b'value="350.00"' in page.data
    response = brand_client.post(f"/deals/applications/{app_.id}/offer", data=terms_form())
    assert response.status_code == 302
    thread = db.session.scalar(select(OfferThread))
    assert thread.application_id == app_.id
    assert thread.versions[0].price_cents == 45000


# --- invitations and offers ---------------------------------------------------------------------

def test_invite_prefilled_from_campaign(campaign, creator, brand_client):
    page = brand_client.get(f"/deals/invite?creator={creator.handle}&campaign={campaign.id}")
    assert page.status_code == 200
    assert b'value="500.00"' in page.data  # budget max
    assert campaign.content_due.isoformat().encode() in page.data


def test_invite_happy_path(campaign, creator, brand_client):
    response = brand_client.post(f"/deals/invite?creator={creator.handle}",
                                 data=terms_form(campaign.id))
    assert response.status_code == 302
    thread = db.session.scalar(select(OfferThread))
    assert thread.creator_id == creator.id
    v = thread.versions[0]
    assert (v.price_cents, v.usage_rights, v.deliverables[0]["quantity"]) == (45000, "paid_30", 2)


@pytest.mark.parametrize("changes,message", [
    ({"price": ""}, b"Enter a price"),
    ({"price": "abc"}, b"Enter an amount"),
    ({"price": "0"}, b"more than zero"),
    ({"deliverables-0-platform": ""}, b"Choose a platform"),
    ({"deliverables-0-platform": "", "deliverables-0-deliverable_type": "",
      "deliverables-0-quantity": ""}, b"Add at least one deliverable"),
    ({"deliverables-0-quantity": "x"}, b"Quantities go from 1"),
    ({"content_due": "2001-01-01"}, b"cannot be in the past"),
    ({"content_due": "not a date"}, b"Not a valid date"),
    ({"usage_rights": "forever"}, b"Choose usage rights"),
    ({"revisions_included": "11"}, b"from 0 to 10"),
    ({"message": "m" * 2001}, b"under 2000 characters"),
])
def test_invite_bad_input(campaign, creator, brand_client, changes, message):
    response = brand_client.post(f"/deals/invite?creator={creator.handle}",
                                 data=terms_form(campaign.id, **changes))
    assert response.status_code == 400
    assert message in response.data
    assert count(OfferThread) == 0


def test_invite_to_foreign_campaign_refused(campaign, creator, brand_client):
    foreign = factories.make_campaign(factories.make_brand())
    response = brand_client.post(f"/deals/invite?creator={creator.handle}",
                                 data=terms_form(foreign.id))
    assert b"Choose one of your open campaigns" in response.data
    assert count(OfferThread) == 0


def test_invite_unknown_creator_404(campaign, brand_client):
    assert brand_client.get("/deals/invite?creator=nobody-here").status_code == 404


@pytest.fixture
def thread(campaign, brand, creator):
    return offers.invite(brand.user, campaign, creator, terms(campaign))


def test_author_cannot_accept_own_offer(thread, brand_client):
    response = brand_client.post(f"/deals/offers/{thread.id}/accept",
                                 headers={"Referer": f"/deals/offers/{thread.id}"})
    assert response.status_code == 302
    assert count(Deal) == 0
    page = brand_client.get(f"/deals/offers/{thread.id}")
    assert b"only the other side can accept" in page.data
    assert b"Accept offer" not in page.data


def test_creator_counters_then_brand_accepts(thread, creator_client, brand_client):
    page = creator_client.get(f"/deals/offers/{thread.id}")
    assert b"Accept offer" in page.data and b"Your turn" in page.data
    response = creator_client.post(f"/deals/offers/{thread.id}/counter",
                                   data=terms_form(price="520.00"))
    assert response.status_code == 302
    assert count(OfferVersion) == 2
    page = brand_client.get(f"/deals/offers/{thread.id}")
    assert b"$400.00" in page.data and b"$520.00" in page.data and b"Changed from" in page.data
    response = brand_client.post(f"/deals/offers/{thread.id}/accept")
    assert response.status_code == 302
    deal = db.session.scalar(select(Deal))
    assert response.headers["Location"].endswith(f"/deals/{deal.id}")
    assert deal.price_cents == 52000


@pytest.mark.parametrize("changes,message", [({"price": "-1"}, b"above zero"),
                                             ({"usage_rights": "x"}, b"Choose usage rights")])
def test_counter_bad_input(thread, creator_client, changes, message):
    response = creator_client.post(f"/deals/offers/{thread.id}/counter",
                                   data=terms_form(**changes))
    assert response.status_code == 400 and message in response.data
    assert count(OfferVersion) == 1


def test_decline_offer_with_reason(thread, creator_client, brand_client):
    creator_client.post(f"/deals/offers/{thread.id}/decline",
                        data={"reason": "budget", "note": "Too low for two videos."})
    db.session.expire_all()
    assert db.session.get(OfferThread, thread.id).status == ThreadStatus.DECLINED
    page = brand_client.get(f"/deals/offers/{thread.id}")
    assert b"Budget does not fit" in page.data


def test_foreign_thread_actions_404(thread, login_as):
    other = login_as(factories.make_creator().user)
    for path in ("accept", "counter", "decline"):
        assert other.post(f"/deals/offers/{thread.id}/{path}").status_code == 404
    assert count(Deal) == 0


# --- deal page ---------------------------------------------------------------

@pytest.fixture
def funded(app_ctx, brand, creator):
    return make_deal(brand, creator, state="funded")


def test_submit_with_draft_and_serve_only_to_parties(funded, creator_client, brand_client,
                                                     login_as):
    response = creator_client.post(f"/deals/{funded.id}/submit", data={
        "post_links": "https://www.tiktok.com/@me/video/1\n", "caption": "Routine #ad",
        "notes": "", "draft": (io.BytesIO(PNG), "whatever.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.data[:500]
    sub = db.session.scalar(select(Submission))
    assert sub.draft_mimetype == "image/png" and sub.draft_file.endswith(".png")
    url = f"/deals/{funded.id}/submissions/{sub.id}/draft"
    got = brand_client.get(url)
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Cache-Control"] == "private, no-store"
    assert login_as(factories.make_brand().user).get(url).status_code == 404
    page = brand_client.get(f"/deals/{funded.id}")
    assert b"Brief checklist" in page.data and b"Approve" in page.data


@pytest.mark.parametrize("data,message", [
    ({"post_links": ""}, b"at least one post"),
    ({"post_links": "ftp://x"}, b"is not a web address"),
    ({"caption": ""}, b"Paste the caption"),
    ({"caption": "c" * 2201}, b"at most 2200"),
    ({"draft": (io.BytesIO(b"just some text file"), "clip.mp4")}, b"Upload an MP4"),
    ({"draft": (io.BytesIO(b""), "empty.png")}, b"empty"),
])
def test_submit_bad_input(funded, creator_client, data, message):
    form = {"post_links": "https://www.tiktok.com/@me/video/1", "caption": "ok #ad", **data}
    response = creator_client.post(f"/deals/{funded.id}/submit", data=form,
                                   content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.data
    assert count(Submission) == 0
    db.session.expire_all()
    assert db.session.get(Deal, funded.id).state == DealState.FUNDED


def test_upload_size_limit(make_app):
    app = make_app(DRAFT_MAX_MB=1)
    with app.app_context():
        deal = make_deal(state="funded")
        c = app.test_client()
        c.post("/auth/login", data={"email": deal.creator.user.email,
                                    "password": factories.PASSWORD})
        response = c.post(f"/deals/{deal.id}/submit", data={
            "post_links": "https://www.tiktok.com/@me/video/1", "caption": "ok #ad",
            "draft": (io.BytesIO(PNG + b"\x00" * (1024 * 1024)), "a.png")},
            content_type="multipart/form-data")
        assert response.status_code in (400, 413)
        assert b"larger than 1 MB" in response.data
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
        db.session.remove()


def test_creator_cannot_approve(app_ctx, brand, creator, creator_client):
    deal = make_deal(brand, creator, state="submitted")
    response = creator_client.post(f"/deals/{deal.id}/do/approve",
                                   headers={"Referer": f"/deals/{deal.id}"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).state == DealState.SUBMITTED
    page = creator_client.get(f"/deals/{deal.id}")
    assert b"Only the brand can approve" in page.data


def test_brand_approves_and_requests_revision(app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator, state="submitted")
    response = brand_client.post(f"/deals/{deal.id}/note/request_revision", data={"note": "no"})
    assert response.status_code == 400 and b"Say what should change" in response.data
    brand_client.post(f"/deals/{deal.id}/note/request_revision",
                      data={"note": "Please mention the SPF value."})
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).state == DealState.REVISION_REQUESTED
    other = make_deal(brand, creator, state="submitted")
    brand_client.post(f"/deals/{other.id}/do/approve")
    db.session.expire_all()
    assert db.session.get(Deal, other.id).state == DealState.APPROVED


def test_dispute_from_page_and_admin_resolves(app_ctx, brand, creator, brand_client,
                                              creator_client, admin_client):
    deal = make_deal(brand, creator, state="submitted")
    short = brand_client.post(f"/deals/{deal.id}/note/dispute", data={"note": "bad"})
    assert short.status_code == 400 and b"Explain what went wrong" in short.data
    brand_client.post(f"/deals/{deal.id}/note/dispute",
                      data={"note": "Video was posted without the required #ad."})
    creator_client.post(f"/deals/{deal.id}/dispute/respond",
                        data={"statement": "I added it in the first comment, as agreed."})
    bad = admin_client.post(f"/admin/disputes/{deal.id}/resolve", data={
        f"d{deal.id}-outcome": "split", f"d{deal.id}-creator_amount": "300",
        f"d{deal.id}-brand_refund": "300", f"d{deal.id}-note": "Half and half it is."})
    assert bad.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).state == DealState.DISPUTED
    admin_client.post(f"/admin/disputes/{deal.id}/resolve", data={
        f"d{deal.id}-outcome": "split", f"d{deal.id}-creator_amount": "250",
        f"d{deal.id}-brand_refund": "150", f"d{deal.id}-note": "Partly compliant post."})
    db.session.expire_all()
    resolved = db.session.get(Deal, deal.id)
    assert resolved.state == DealState.PAID_OUT
    assert resolved.dispute.creator_amount_cents == 25000
    page = creator_client.get(f"/deals/{deal.id}")
    assert b"Partly compliant post." in page.data


def test_non_admin_cannot_resolve(app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator, state="disputed")
    assert brand_client.post(f"/admin/disputes/{deal.id}/resolve",
                             data={"outcome": "release"}).status_code == 403


def test_deals_index_filters_and_paginates(make_app):
    app = make_app(PER_PAGE=2)
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        for state in ("agreed", "funded", "funded", "completed"):
            make_deal(brand, creator, state=state)
        c = app.test_client()
        c.post("/auth/login", data={"email": brand.user.email, "password": factories.PASSWORD})
        first = c.get("/deals/")
        assert first.status_code == 200 and b"page 1 of 2" in first.data
        funded_only = c.get("/deals/?state=funded")
        assert funded_only.data.count(b"Funded, in production") >= 2
        assert b"Completed</span>" not in funded_only.data
        db.session.remove()


def test_cancel_before_funding(app_ctx, brand, creator, creator_client):
    deal = make_deal(brand, creator)
    creator_client.post(f"/deals/{deal.id}/do/cancel")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).state == DealState.CANCELLED


def test_unknown_action_404(funded, creator_client):
    assert creator_client.post(f"/deals/{funded.id}/do/release").status_code == 404
    assert creator_client.post(f"/deals/{funded.id}/note/resolve").status_code == 404


def test_offer_shows_brand_total_and_creator_net_before_agreeing(thread, creator_client):
    """Fees are settings (brand 0%, creator 10% by default) and every version shows them."""
    from marketplace.money import format_money

    price = thread.versions[-1].price_cents
    page = creator_client.get(f"/deals/offers/{thread.id}").data.decode()
    assert "Brand pays" in page and "Creator receives" in page
    assert format_money(price) in page
    assert format_money(price - price // 10) in page
