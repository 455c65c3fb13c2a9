"""Brand profile: edit page (created on first save) and the public brand page."""

import io

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import BrandProfile
from marketplace.signals import brand_changed
from tests.support.factories import make_brand, make_campaign, make_creator, make_user
from tests.support.profiles import image_bytes


def brand_data(**changes) -> dict:
    data = {"company_name": "Glow Labs", "handle": "glowlabs", "website": "https://glow.example",
            "industry": "beauty", "description": "Gentle skincare for sensitive skin.",
            "country": "GB"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def count_brands() -> int:
    return db.session.scalar(select(func.count(BrandProfile.id)))


@pytest.fixture
def fresh(app_ctx, login_as):
    user = make_user(role="brand")
    return user, login_as(user)


def test_anonymous_redirected(client):
    r = client.get("/brands/me/profile")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_creator_gets_403(app_ctx, creator_client):
    assert creator_client.get("/brands/me/profile").status_code == 403
    assert creator_client.post("/brands/me/profile", data=brand_data()).status_code == 403
    assert count_brands() == 0


def test_create_then_update(fresh):
    user, client = fresh
    assert b"Set up your brand profile" in client.get("/brands/me/profile").data
    handles = []

    def listener(profile):
        handles.append(profile.handle)

    with brand_changed.connected_to(listener):
        r = client.post("/brands/me/profile", data=brand_data(handle="GlowLabs"))
    assert r.status_code == 302
    profile = db.session.scalar(select(BrandProfile))
    assert (profile.handle, profile.company_name, profile.website, profile.industry,
            profile.country) == ("glowlabs", "Glow Labs", "https://glow.example", "beauty", "GB")
    assert handles == ["glowlabs"]

    r = client.post("/brands/me/profile", data=brand_data(website="", country="",
                                                         company_name="Glow Labs Ltd"))
    assert r.status_code == 302
    db.session.refresh(profile)
    assert profile.website == "" and profile.country is None
    assert profile.company_name == "Glow Labs Ltd" and count_brands() == 1
    assert b'value="Glow Labs Ltd"' in client.get("/brands/me/profile").data


@pytest.mark.parametrize("changes, message", [
    ({"company_name": ""}, b"This field is required"),
    ({"company_name": "x" * 121}, b"120"),
    ({"handle": ""}, b"This field is required"),
    ({"handle": "ab"}, b"between 3 and 30"),
    ({"handle": "no spaces"}, b"Use only letters"),
    ({"handle": "new"}, b"reserved"),
    ({"handle": "media"}, b"reserved"),
    ({"website": "javascript:alert(1)"}, b"http:// or https://"),
    ({"website": "glow.example"}, b"http:// or https://"),
    ({"website": "https://x.example/" + "a" * 300}, b"300"),
    ({"industry": "weapons"}, b"Not a valid choice"),
    ({"country": "XX"}, b"Not a valid choice"),
    ({"description": "d" * 2001}, b"2000"),
])
def test_bad_input(fresh, changes, message):
    _, client = fresh
    r = client.post("/brands/me/profile", data=brand_data(**changes))
    assert r.status_code == 200
    assert message in r.data
    assert count_brands() == 0


def test_handle_taken_by_other_brand(fresh):
    make_brand("glowlabs")
    _, client = fresh
    r = client.post("/brands/me/profile", data=brand_data())
    assert r.status_code == 200 and b"already taken" in r.data
    assert count_brands() == 1


def test_update_refused_leaves_profile_unchanged(app_ctx, brand, brand_client):
    before = (brand.company_name, brand.website)
    r = brand_client.post("/brands/me/profile",
                          data=brand_data(handle=brand.handle, company_name="New name",
                                          website="javascript:void(0)"))
    assert r.status_code == 200
    db.session.refresh(brand)
    assert (brand.company_name, brand.website) == before


def test_logo_upload(app, fresh):
    _, client = fresh
    data = brand_data(logo=(io.BytesIO(image_bytes("JPEG", exif=True)), "logo.jpg"))
    r = client.post("/brands/me/profile", data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    profile = db.session.scalar(select(BrandProfile))
    assert profile.logo and client.get(f"/creators/media/{profile.logo}").status_code == 200


@pytest.mark.parametrize("payload, filename", [
    (b"GIF89a not really", "logo.gif"), (b"plain text", "logo.png"),
])
def test_bad_logo_refused(fresh, payload, filename):
    _, client = fresh
    data = brand_data(logo=(io.BytesIO(payload), filename))
    r = client.post("/brands/me/profile", data=data, content_type="multipart/form-data")
    assert r.status_code == 200 and b"PNG, JPEG or WebP" in r.data
    assert count_brands() == 0


def test_public_page_lists_only_open_campaigns(client, app_ctx):
    brand = make_brand("glowlabs", company_name="Glow Labs")
    make_campaign(brand, title="Open summer push", status="open")
    make_campaign(brand, title="Secret draft", status="draft")
    make_campaign(brand, title="Old closed one", status="closed")
    make_campaign(make_brand(), title="Someone else's", status="open")
    html = client.get("/brands/glowlabs").data.decode()
    assert "Glow Labs" in html and "Open summer push" in html
    assert "Secret draft" not in html and "Old closed one" not in html
    assert "Someone else" not in html
    assert 'href="https://example.com"' in html and 'rel="noopener nofollow"' in html


def test_public_page_empty_state_and_escaping(client, app_ctx):
    brand = make_brand("glowlabs")
    brand.description = "<script>alert(1)</script>"
    db.session.commit()
    html = client.get("/brands/glowlabs").data.decode()
    assert "No open campaigns" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_campaign_links_when_endpoint_exists(app, client, app_ctx):
    brand = make_brand("glowlabs")
    campaign = make_campaign(brand, title="Linked campaign")
    html = client.get("/brands/glowlabs").data.decode()
    if "campaigns.show" in app.view_functions:
        assert f"/campaigns/{campaign.id}" in html
    assert "Linked campaign" in html


def test_unknown_brand_404(client):
    assert client.get("/brands/nobody").status_code == 404


def test_creator_and_brand_handles_are_separate_namespaces(fresh):
    make_creator("glowlabs")
    _, client = fresh
    assert client.post("/brands/me/profile", data=brand_data()).status_code == 302


def test_handle_race_becomes_conflict(app_ctx, monkeypatch):
    from marketplace.services.accounts import profiles
    from marketplace.services.errors import Conflict

    make_brand("taken")
    user = make_user(role="brand")
    monkeypatch.setattr(profiles, "normalise_handle", lambda handle, *a, **k: handle)
    with pytest.raises(Conflict, match="already taken"):
        profiles.save_brand_profile(user, company_name="X", handle="taken")
    assert count_brands() == 1
