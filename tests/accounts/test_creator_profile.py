"""Creator profile sections, rate card, public page, completeness and denormalised fields."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AudienceCountry, CreatorProfile, Package, PlatformAccount, SamplePost
from marketplace.services.accounts import profiles
from marketplace.services.errors import DomainError, NotAllowed
from marketplace.signals import creator_changed
from tests.support.factories import make_brand, make_creator, make_user
from tests.support.profiles import basics, package


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def profile_of(user) -> CreatorProfile | None:
    db.session.expire_all()
    return db.session.scalar(select(CreatorProfile).where(CreatorProfile.user_id == user.id))


@pytest.fixture
def fresh(app_ctx, login_as):
    """A creator account without a profile yet, and its logged-in client."""
    user = make_user(role="creator")
    return user, login_as(user)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", ["/creators/me/profile", "/creators/me/platforms",
                                 "/creators/me/audience", "/creators/me/samples",
                                 "/creators/me/packages", "/creators/me/packages/new"])
def test_anonymous_redirected_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


@pytest.mark.parametrize("url", ["/creators/me/profile", "/creators/me/platforms",
                                 "/creators/me/audience", "/creators/me/samples",
                                 "/creators/me/packages/new"])
def test_brand_gets_403(app_ctx, brand_client, url):
    assert brand_client.get(url).status_code == 403
    assert brand_client.post(url, data=basics()).status_code == 403
    assert brand_client.get("/creators/me/packages").status_code == 403
    assert count(CreatorProfile) == 0


def test_admin_gets_403(admin_client):
    assert admin_client.get("/creators/me/profile").status_code == 403


@pytest.mark.parametrize("url", ["/creators/me/platforms", "/creators/me/audience",
                                 "/creators/me/samples", "/creators/me/packages"])
def test_sections_need_basics_first(fresh, url):
    _, client = fresh
    r = client.get(url)
    assert r.status_code == 302 and r.headers["Location"].endswith("/creators/me/profile")


# ---------------------------------------------------------------- basics


def test_first_visit_shows_setup_form(fresh):
    _, client = fresh
    r = client.get("/creators/me/profile")
    assert r.status_code == 200
    assert b"Set up your creator profile" in r.data
    assert b'name="handle"' in r.data


def test_create_and_update_basics(fresh):
    user, client = fresh
    received = []

    def listener(profile):
        received.append(profile.handle)

    with creator_changed.connected_to(listener):
        r = client.post("/creators/me/profile", data=basics(handle="Mia.Glow"))
    assert r.status_code == 302
    profile = profile_of(user)
    assert profile.handle == "mia.glow" and profile.display_name == "Mia Glow"
    assert sorted(profile.niches) == ["beauty", "skincare"]
    assert profile.languages == ["en", "es"] and profile.country == "US"
    assert received == ["mia.glow"]

    r = client.post("/creators/me/profile",
                    data=basics(handle="mia_glow", niches=["fitness"], bio="", country=""))
    assert r.status_code == 302
    profile = profile_of(user)
    assert profile.handle == "mia_glow" and list(profile.niches) == ["fitness"]
    assert profile.country is None and profile.bio == ""
    assert count(CreatorProfile) == 1

    page = client.get("/creators/me/profile")
    assert b'value="mia_glow"' in page.data and b"Your creator profile" in page.data


@pytest.mark.parametrize("changes, message", [
    ({"handle": ""}, b"This field is required"),
    ({"handle": "ab"}, b"between 3 and 30"),
    ({"handle": "a" * 31}, b"between 3 and 30"),
    ({"handle": "bad handle!"}, b"Use only letters"),
    ({"handle": "me"}, b"between 3 and 30"),
    ({"handle": "media"}, b"reserved"),
    ({"handle": "new"}, b"reserved"),
    ({"handle": "admin"}, b"reserved"),
    ({"display_name": ""}, b"This field is required"),
    ({"display_name": "x" * 81}, b"80"),
    ({"bio": "x" * 1001}, b"1000"),
    ({"country": "XX"}, b"Not a valid choice"),
    ({"languages": ["en", "klingon"]}, b"not a valid choice"),
    ({"niches": []}, b"between 1 and 5"),
    ({"niches": ["beauty", "food", "tech", "pets", "music", "art"]}, b"between 1 and 5"),
    ({"niches": ["astrology"]}, b"not a valid choice"),
])
def test_basics_bad_input(fresh, changes, message):
    _, client = fresh
    r = client.post("/creators/me/profile", data=basics(**changes))
    assert r.status_code == 200
    assert message in r.data
    assert count(CreatorProfile) == 0


def test_handle_taken(fresh):
    make_creator("taken")
    _, client = fresh
    r = client.post("/creators/me/profile", data=basics(handle="TAKEN"))
    assert r.status_code == 200 and b"already taken" in r.data
    assert count(CreatorProfile) == 1


def test_update_refused_leaves_profile_unchanged(app_ctx, creator, creator_client):
    before = (creator.handle, creator.display_name, creator.bio)
    r = creator_client.post("/creators/me/profile",
                            data=basics(handle=creator.handle, display_name="New",
                                        niches=["beauty", "food", "tech", "pets", "music", "art"]))
    assert r.status_code == 200
    db.session.refresh(creator)
    assert (creator.handle, creator.display_name, creator.bio) == before


# ---------------------------------------------------------------- platforms


def accounts_data(**changes) -> dict:
    data = {"tiktok_handle": "@mia", "tiktok_followers": "120000", "tiktok_avg_views": "30000",
            "tiktok_engagement": "6.5", "instagram_handle": "@mia.ig",
            "instagram_followers": "40000", "instagram_avg_views": "8000",
            "instagram_engagement": "3.2"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_save_platform_accounts_updates_totals(app_ctx, creator, creator_client):
    r = creator_client.post("/creators/me/platforms", data=accounts_data())
    assert r.status_code == 302
    db.session.refresh(creator)
    assert {a.platform: a.followers for a in creator.accounts} == {"tiktok": 120000,
                                                                    "instagram": 40000}
    assert creator.total_followers == 160000 and creator.top_engagement == 6.5
    # Clearing a platform removes it and the totals follow.
    r = creator_client.post("/creators/me/platforms",
                            data=accounts_data(tiktok_handle="", tiktok_followers="",
                                               tiktok_avg_views="", tiktok_engagement=""))
    assert r.status_code == 302
    db.session.refresh(creator)
    assert [a.platform for a in creator.accounts] == ["instagram"]
    assert creator.total_followers == 40000 and creator.top_engagement == 3.2
    page = creator_client.get("/creators/me/platforms")
    assert b'value="@mia.ig"' in page.data and b"self-reported" in page.data


@pytest.mark.parametrize("changes, message", [
    ({"tiktok_handle": ""}, b"Add the account handle"),
    ({"tiktok_followers": "-5"}, b"between 0 and"),
    ({"tiktok_followers": "many"}, b"Not a valid integer"),
    ({"tiktok_followers": "99999999999"}, b"between 0 and"),
    ({"tiktok_engagement": "101"}, b"between 0 and 100"),
    ({"tiktok_engagement": "-1"}, b"between 0 and 100"),
    ({"tiktok_engagement": "nan"}, b"between 0 and 100"),
    ({"tiktok_handle": "x" * 65}, b"64"),
])
def test_platform_bad_input(app_ctx, creator, creator_client, changes, message):
    before = [(a.platform, a.followers) for a in creator.accounts]
    r = creator_client.post("/creators/me/platforms", data=accounts_data(**changes))
    assert r.status_code == 200
    assert message in r.data
    db.session.expire_all()
    assert [(a.platform, a.followers) for a in profile_of(creator.user).accounts] == before


# ---------------------------------------------------------------- audience


def audience_data(**changes) -> dict:
    data = {"country_1": "US", "share_1": "55", "country_2": "GB", "share_2": "20",
            "age_18_24": "40", "age_25_34": "35", "gender_female": "70", "gender_male": "28"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_save_audience(app_ctx, creator, creator_client):
    r = creator_client.post("/creators/me/audience", data=audience_data())
    assert r.status_code == 302
    profile = profile_of(creator.user)
    assert [(c.country, c.share) for c in profile.audience_countries] == [("US", 55), ("GB", 20)]
    assert profile.audience_ages == {"18-24": 40, "25-34": 35}
    assert profile.audience_gender == {"female": 70, "male": 28}
    page = creator_client.get("/creators/me/audience")
    assert b'value="55.0"' in page.data


@pytest.mark.parametrize("changes, message", [
    ({"share_1": "90"}, b"more than 100%"),
    ({"country_2": "US"}, b"once"),
    ({"share_1": "101"}, b"between 0 and 100"),
    ({"share_1": "abc"}, b"Not a valid float"),
    ({"share_1": ""}, b"Enter this country"),
    ({"country_1": ""}, b"Choose the country"),
    ({"country_1": "ZZ"}, b"Not a valid choice"),
    ({"age_18_24": "70"}, b"more than 100%"),
    ({"gender_female": "80"}, b"more than 100%"),
    ({"gender_male": "-3"}, b"between 0 and 100"),
])
def test_audience_bad_input(app_ctx, creator, creator_client, changes, message):
    r = creator_client.post("/creators/me/audience", data=audience_data(**changes))
    assert r.status_code == 200
    assert message in r.data
    profile = profile_of(creator.user)
    assert [(c.country, c.share) for c in profile.audience_countries] == [("US", 60.0)]
    assert profile.audience_ages == {} and profile.audience_gender == {}


def test_audience_service_limits_countries(app_ctx, creator):
    rows = [(c, 10.0) for c in ("US", "GB", "CA", "AU", "DE", "FR")]
    with pytest.raises(DomainError, match="at most 5"):
        profiles.save_audience(creator, countries=rows, ages={}, gender={})
    assert count(AudienceCountry) == 1


# ---------------------------------------------------------------- samples


def test_save_samples(app_ctx, creator, creator_client):
    r = creator_client.post("/creators/me/samples", data={
        "url_1": "https://www.tiktok.com/@mia/video/9", "caption_1": "Morning routine",
        "url_3": "http://youtube.com/shorts/abc"})
    assert r.status_code == 302
    profile = profile_of(creator.user)
    assert [(s.position, s.url, s.caption) for s in profile.samples] == [
        (0, "https://www.tiktok.com/@mia/video/9", "Morning routine"),
        (1, "http://youtube.com/shorts/abc", "")]


@pytest.mark.parametrize("data, message", [
    ({"url_1": "javascript:alert(1)"}, b"http:// or https://"),
    ({"url_1": "data:text/html,hi"}, b"http:// or https://"),
    ({"url_1": "ftp://example.com/x"}, b"http:// or https://"),
    ({"url_1": "/relative/path"}, b"http:// or https://"),
    ({"url_1": "https://x.com/" + "a" * 500}, b"500"),
    ({"url_1": "https://x.com/v", "caption_1": "c" * 301}, b"300"),
    ({"caption_2": "orphan caption"}, b"Add the link"),
])
def test_samples_bad_input(app_ctx, creator, creator_client, data, message):
    r = creator_client.post("/creators/me/samples", data=data)
    assert r.status_code == 200
    assert message in r.data
    assert [s.url for s in profile_of(creator.user).samples] == [
        f"https://www.tiktok.com/@{creator.handle}/video/1"]


def test_more_than_six_samples_refused(app_ctx, creator):
    rows = [(f"https://example.com/{i}", "") for i in range(7)]
    with pytest.raises(DomainError, match="at most 6"):
        profiles.save_samples(creator, rows)
    assert count(SamplePost) == 1


def test_seventh_sample_field_is_ignored(app_ctx, creator, creator_client):
    data = {f"url_{i}": f"https://example.com/{i}" for i in range(1, 8)}
    assert creator_client.post("/creators/me/samples", data=data).status_code == 302
    assert count(SamplePost) == 6


# ---------------------------------------------------------------- rate card


def test_rate_card_add_edit_delete(app_ctx, creator, creator_client):
    r = creator_client.post("/creators/me/packages/new",
                            data=package(title="Reel", platform="instagram", price="1,250.5"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/creators/me/packages")
    new = db.session.scalar(select(Package).where(Package.title == "Reel"))
    assert new.price_cents == 125050 and new.platform == "instagram"
    db.session.refresh(creator)
    assert creator.min_price_cents == 30000

    r = creator_client.post(f"/creators/me/packages/{new.id}/edit", data=package(price="99"))
    assert r.status_code == 302
    db.session.refresh(new)
    db.session.refresh(creator)
    assert new.price_cents == 9900 and new.title == "1 TikTok video, 30-60 s"
    assert creator.min_price_cents == 9900

    page = creator_client.get("/creators/me/packages")
    assert b"$99.00" in page.data and b"data-confirm" in page.data
    form = creator_client.get(f"/creators/me/packages/{new.id}/edit")
    assert b'value="99.00"' in form.data

    new_id = new.id
    r = creator_client.post(f"/creators/me/packages/{new_id}/delete")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Package, new_id) is None
    assert profile_of(creator.user).min_price_cents == 30000

    only = profile_of(creator.user).packages[0]
    creator_client.post(f"/creators/me/packages/{only.id}/delete")
    assert profile_of(creator.user).min_price_cents is None


def test_empty_rate_card_shows_empty_state(app_ctx, login_as):
    creator = make_creator(price_cents=None)
    page = login_as(creator.user).get("/creators/me/packages")
    assert page.status_code == 200 and b"No packages yet" in page.data


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, b"This field is required"),
    ({"title": "t" * 121}, b"120"),
    ({"price": ""}, b"This field is required"),
    ({"price": "0"}, b"above 0"),
    ({"price": "-5"}, b"above zero"),
    ({"price": "1000000.01"}, b"at most 1,000,000.00"),
    ({"price": "1e12"}, b"such as 250"),
    ({"price": "lots"}, b"such as 250"),
    ({"price": "NaN"}, b"such as 250"),
    ({"platform": "myspace"}, b"Not a valid choice"),
    ({"deliverable_type": "billboard"}, b"Not a valid choice"),
    ({"currency": "BTC"}, b"Not a valid choice"),
    ({"usage_rights": "forever"}, b"Not a valid choice"),
    ({"turnaround_days": "0"}, b"between 1 and 90"),
    ({"turnaround_days": "91"}, b"between 1 and 90"),
    ({"turnaround_days": "soon"}, b"Not a valid integer"),
    ({"revisions": "11"}, b"between 0 and 10"),
    ({"revisions": "-1"}, b"between 0 and 10"),
    ({"description": "d" * 501}, b"500"),
])
def test_package_bad_input(app_ctx, creator, creator_client, changes, message):
    r = creator_client.post("/creators/me/packages/new", data=package(**changes))
    assert r.status_code == 400
    assert message in r.data
    assert count(Package) == 1


def test_package_limit(app_ctx, creator, creator_client):
    for i in range(profiles.MAX_PACKAGES - 1):
        profiles.add_package(creator, profiles.PackageInput(
            title=f"P{i}", platform="tiktok", deliverable_type="short_video",
            price_cents=1000 + i))
    r = creator_client.post("/creators/me/packages/new", data=package())
    assert r.status_code == 400 and b"at most 12 packages" in r.data
    assert count(Package) == profiles.MAX_PACKAGES


def test_zero_revisions_allowed(app_ctx, creator, creator_client):
    r = creator_client.post("/creators/me/packages/new", data=package(revisions="0"))
    assert r.status_code == 302
    assert db.session.scalar(select(Package.revisions).order_by(Package.id.desc())) == 0


def test_other_creators_package_is_404(app_ctx, creator, creator_client):
    other = make_creator("other")
    theirs = other.packages[0]
    assert creator_client.get(f"/creators/me/packages/{theirs.id}/edit").status_code == 404
    r = creator_client.post(f"/creators/me/packages/{theirs.id}/edit", data=package(price="1"))
    assert r.status_code == 404
    assert creator_client.post(f"/creators/me/packages/{theirs.id}/delete").status_code == 404
    db.session.refresh(theirs)
    assert theirs.price_cents == 30000
    assert creator_client.get("/creators/me/packages/99999/edit").status_code == 404


def test_service_refuses_foreign_package(app_ctx, creator):
    other = make_creator("other")
    with pytest.raises(NotAllowed):
        profiles.delete_package(creator, other.packages[0])
    assert count(Package) == 2


def test_brand_cannot_touch_packages(app_ctx, creator, brand_client):
    pkg = creator.packages[0]
    assert brand_client.post(f"/creators/me/packages/{pkg.id}/delete").status_code == 403


# ---------------------------------------------------------------- public page


def test_public_page_for_anonymous(client, app_ctx):
    creator = make_creator("mia", followers={"tiktok": 120_000}, audience={"US": 55, "GB": 20})
    creator.audience_ages = {"18-24": 40}
    creator.audience_gender = {"female": 70}
    db.session.commit()
    r = client.get("/creators/mia")
    assert r.status_code == 200
    html = r.data.decode()
    assert "@mia" in html and "Beauty" in html and "United States" in html
    assert "120K" in html and "self-reported" in html
    assert "$300.00" in html
    assert '<progress class="meter mb-1" max="100" value="55.0">' in html
    assert 'rel="noopener nofollow"' in html and 'target="_blank"' in html
    assert "18-24" in html and "Female" in html
    assert "Invite to a campaign" not in html
    assert "style=" not in html


def test_public_page_escapes_html(client, app_ctx):
    make_creator("mia", bio="<script>alert('x')</script>", display_name="<b>Mia</b>")
    html = client.get("/creators/mia").data.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>Mia</b>" not in html


def test_brand_sees_invite_and_message_links(app_ctx, brand_client, client):
    mia = make_creator("mia")
    html = brand_client.get("/creators/mia").data.decode()
    assert "Invite to a campaign" in html and "/deals/invite?creator=mia" in html
    assert f"/messages/with/{mia.user_id}" in html
    assert "/deals/invite" not in client.get("/creators/mia").data.decode()  # anonymous


def test_owner_sees_edit_link(app_ctx, creator, creator_client):
    html = creator_client.get(f"/creators/{creator.handle}").data.decode()
    assert "Edit profile" in html


def test_unknown_handle_404(client):
    assert client.get("/creators/nobody_here").status_code == 404


def test_public_page_query_count(app, app_ctx, client):
    """Children are eager-loaded: the page costs the same few queries however big it is."""
    from sqlalchemy import event

    make_creator("mia", followers={"tiktok": 1, "instagram": 2, "youtube": 3},
                 audience={"US": 10, "GB": 10, "CA": 10})
    statements = []

    def record(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/creators/mia").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # profile + children (selectin) + rating summary + revealed reviews; no per-row queries
    assert len(statements) <= 9, statements


# ---------------------------------------------------------------- service rules


def test_denormalised_fields_follow_every_change(app_ctx):
    user = make_user(role="creator")
    profile = profiles.save_creator_basics(user, display_name="Ann", handle="ann",
                                           niches=["food"])
    assert (profile.total_followers, profile.top_engagement, profile.min_price_cents) == (
        0, 0.0, None)
    profiles.save_platform_accounts(profile, {
        "tiktok": profiles.AccountInput("@ann", 1000, 100, 2.5),
        "youtube": profiles.AccountInput("@ann", 500, 50, 7.25)})
    assert (profile.total_followers, profile.top_engagement) == (1500, 7.25)
    cheap = profiles.add_package(profile, profiles.PackageInput(
        "Short", "tiktok", "short_video", 5000))
    profiles.add_package(profile, profiles.PackageInput("Long", "youtube", "long_video", 9000))
    assert profile.min_price_cents == 5000
    profiles.update_package(profile, cheap, profiles.PackageInput(
        "Short", "tiktok", "short_video", 12000))
    assert profile.min_price_cents == 9000
    profiles.save_platform_accounts(profile, {"tiktok": profiles.AccountInput(),
                                              "youtube": profiles.AccountInput("@ann", 10)})
    stored = profile_of(user)
    assert (stored.total_followers, stored.top_engagement, stored.min_price_cents) == (
        10, 0.0, 9000)
    assert count(PlatformAccount) == 1


def test_service_refuses_wrong_role(app_ctx):
    brand_user = make_brand().user
    with pytest.raises(NotAllowed):
        profiles.save_creator_basics(brand_user, display_name="X", handle="xyz", niches=["food"])
    assert count(CreatorProfile) == 0


def test_completeness_grows(app_ctx):
    user = make_user(role="creator")
    assert profiles.completeness(None).percent == 0
    profile = profiles.save_creator_basics(user, display_name="Ann", handle="ann",
                                           niches=["food"])
    steps = [profiles.completeness(profile)]
    assert "Add a profile photo" in steps[0].missing
    assert "Add at least one package to your rate card" in steps[0].missing
    assert "Connect a platform account" in steps[0].missing
    assert "Add sample posts" in steps[0].missing
    assert "Describe your audience" in steps[0].missing
    profiles.save_platform_accounts(profile, {"tiktok": profiles.AccountInput("@ann", 10)})
    steps.append(profiles.completeness(profile))
    profiles.save_audience(profile, countries=[("US", 50)], ages={}, gender={})
    steps.append(profiles.completeness(profile))
    profiles.save_samples(profile, [("https://example.com/v", "")])
    steps.append(profiles.completeness(profile))
    profiles.add_package(profile, profiles.PackageInput("P", "tiktok", "short_video", 100))
    steps.append(profiles.completeness(profile))
    profiles.save_creator_basics(user, display_name="Ann", handle="ann", niches=["food"],
                                 bio="I cook quick weeknight dinners for busy people. " * 2,
                                 country="US", languages=["en"])
    steps.append(profiles.completeness(profile))
    percents = [s.percent for s in steps]
    assert percents == sorted(percents) and len(set(percents)) == len(percents)
    assert steps[-1].missing == ["Add a profile photo"]
    assert 0 < percents[0] < percents[-1] < 100


def test_edit_page_shows_completeness_meter(app_ctx, creator, creator_client):
    html = creator_client.get("/creators/me/profile").data.decode()
    assert "<meter" in html and "Profile completeness" in html and "Add a profile photo" in html


def test_handle_race_becomes_conflict(app_ctx, monkeypatch):
    """If another save wins the handle between our check and our commit, the DB says no."""
    from marketplace.services.errors import Conflict

    make_creator("taken")
    user = make_user(role="creator")
    monkeypatch.setattr(profiles, "normalise_handle", lambda handle, *a, **k: handle)
    with pytest.raises(Conflict, match="already taken"):
        profiles.save_creator_basics(user, display_name="X", handle="taken", niches=["food"])
    assert count(CreatorProfile) == 1
