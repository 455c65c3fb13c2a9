"""Read-only share links of the campaign report: opened logged out while valid, 404 once
expired, revoked, tampered with or unknown; only the campaign's brand makes and revokes them;
the shared page shows no private data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.report_share import ReportShare
from marketplace.services.deals import report_shares
from marketplace.services.errors import DomainError, NotAllowed
from tests.support import factories
from tests.support.results import posted_deal, posts_of, reading


@pytest.fixture
def campaign(app_ctx, brand):
    campaign = factories.make_campaign(brand, title="Glow drop")
    creator = factories.make_creator("ana", display_name="Ana Lopez", email="ana@private.test")
    deal = posted_deal(brand, creator, campaign, price_cents=40000)
    reading(posts_of(deal)[0], utcnow(), slot="1h", views=1234, likes=56)
    return campaign


def _link(client, campaign, days="7") -> str:
    response = client.post(f"/campaigns/{campaign.id}/report/shares", data={"days": days})
    assert response.status_code == 302
    html = client.get(f"/campaigns/{campaign.id}/report").get_data(as_text=True)
    return re.findall(r'value="(http://localhost/reports/shared/[^"]+)"', html)[0]


def test_brand_creates_a_link_that_opens_logged_out(campaign, brand, login_as, app):
    url = _link(login_as(brand.user), campaign)
    share = db.session.scalar(select(ReportShare))
    assert share.created_by_user_id == brand.user_id
    assert share.expires_at - share.created_at == timedelta(days=7)
    response = app.test_client().get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Glow drop" in html and "1,234" in html
    assert "data:image/svg+xml;base64," in html
    assert "ana@private.test" not in html and brand.user.email not in html
    assert "/report/shares" not in html and "Create share link" not in html
    assert response.headers["Cache-Control"] == "private, no-store"


def test_thirty_days_and_refused_lengths(campaign, brand, login_as):
    client = login_as(brand.user)
    _link(client, campaign, "30")
    for days in ("31", "0", "-7", "abc", "9" * 400, ""):
        client.post(f"/campaigns/{campaign.id}/report/shares", data={"days": days})
    shares = db.session.scalars(select(ReportShare)).all()
    assert [s.expires_at - s.created_at for s in shares] == [timedelta(days=30)]
    with pytest.raises(DomainError):
        report_shares.create(campaign, brand.user, 8)


def test_expired_link_is_404(campaign, brand, login_as, app):
    url = _link(login_as(brand.user), campaign)
    token = url.rsplit("/", 1)[1]
    share = db.session.scalar(select(ReportShare))
    assert report_shares.open_share(token, share.expires_at - timedelta(seconds=1)) is not None
    assert report_shares.open_share(token, share.expires_at) is None
    share.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get(url).status_code == 404


def test_revoked_link_is_404(campaign, brand, login_as, app):
    client = login_as(brand.user)
    url = _link(client, campaign)
    share = db.session.scalar(select(ReportShare))
    assert app.test_client().get(url).status_code == 200
    response = client.post(f"/campaigns/{campaign.id}/report/shares/{share.id}/revoke")
    assert response.status_code == 302
    assert app.test_client().get(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(ReportShare, share.id).revoked_at is not None


def test_wrong_and_tampered_tokens_are_404(campaign, brand, login_as, app):
    url = _link(login_as(brand.user), campaign)
    anonymous = app.test_client()
    for bad in (url[:-2] + ("AA" if not url.endswith("AA") else "BB"), "http://localhost/reports"
                "/shared/nonsense", "http://localhost/reports/shared/" + "x" * 500):
        assert anonymous.get(bad).status_code == 404, bad
    # A genuine signature over an id that is not a link.
    forged = report_shares._serializer().dumps("0" * 32)
    assert anonymous.get(f"/reports/shared/{forged}").status_code == 404
    # Signed with another key: refused.
    app.config["SECRET_KEY"] = "another-key"
    assert anonymous.get(url).status_code == 404


def test_strangers_cannot_make_or_revoke_links(campaign, brand, login_as):
    _link(login_as(brand.user), campaign)
    share = db.session.scalar(select(ReportShare))
    other = factories.make_brand("other")
    with pytest.raises(NotAllowed):
        report_shares.create(campaign, other.user, 7)
    with pytest.raises(NotAllowed):
        report_shares.revoke(campaign, other.user, share.id)
    stranger = login_as(other.user)
    assert stranger.post(f"/campaigns/{campaign.id}/report/shares",
                         data={"days": "7"}).status_code == 404
    assert stranger.post(f"/campaigns/{campaign.id}/report/shares/{share.id}/revoke"
                         ).status_code == 404
    assert db.session.scalar(select(func.count(ReportShare.id))) == 1
    db.session.expire_all()
    assert db.session.get(ReportShare, share.id).revoked_at is None


def test_a_link_of_another_campaign_cannot_be_revoked_through_mine(campaign, brand, login_as):
    mine = factories.make_campaign(brand, title="Mine")
    _link(login_as(brand.user), campaign)
    share = db.session.scalar(select(ReportShare))
    response = login_as(brand.user).post(f"/campaigns/{mine.id}/report/shares/{share.id}"
                                         "/revoke")
    assert response.status_code == 404


def test_share_forms_need_the_csrf_token(campaign, brand, login_as, app):
    client = login_as(brand.user)
    app.config["WTF_CSRF_ENABLED"] = True  # on from here: the POSTs below carry no token
    assert client.post(f"/campaigns/{campaign.id}/report/shares",
                       data={"days": "7"}).status_code == 400
    assert db.session.scalar(select(func.count(ReportShare.id))) == 0
