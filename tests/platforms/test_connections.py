"""Connecting a creator's account by OAuth against the local platforms: consent page,
callback, tokens encrypted at rest, refresh, revoke; who may do it; CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.models import SocialAccount
from marketplace.platforms import AuthExpired, adapter_for
from marketplace.services.platforms import accounts, tokens
from tests.conftest import Auth
from tests.platforms.conftest import TOKEN_KEY, connect, consent, local_path
from tests.support.library import count_queries


def account_row(creator, platform="tiktok") -> SocialAccount | None:
    db.session.expire_all()
    return db.session.scalar(select(SocialAccount).where(
        SocialAccount.creator_id == creator.id, SocialAccount.platform == platform))


def issued_tokens(social, platform: str) -> list[str]:
    return [t for t, grant in social.state()["tokens"].items() if grant["platform"] == platform]


def test_page_offers_the_three_platforms(creator_client):
    page = creator_client.get("/creators/me/connections")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("TikTok", "Instagram", "YouTube"):
        assert f"Connect {name}" in html
    assert 'href="/creators/me/connections"' in html  # in the profile section menu


def test_connect_tiktok_stores_the_handle_and_encrypted_tokens(app, creator, creator_client,
                                                                social):
    social.add_account("tiktok", "mia.moves", display_name="Mia Moves", followers=48200)
    start = creator_client.post("/creators/me/connections/tiktok/connect")
    authorize = urlsplit(start.headers["Location"])
    assert authorize.path.endswith("/tiktok-auth/v2/auth/authorize/")
    query = parse_qs(authorize.query)
    assert query["client_key"] == ["local-tiktok-key"]
    assert query["redirect_uri"] == ["http://localhost/creators/me/connections/tiktok/callback"]
    assert "video.list" in query["scope"][0]

    done = creator_client.get(local_path(consent(start.headers["Location"], handle="mia.moves")))
    assert done.status_code == 302 and done.headers["Location"].endswith("/creators/me/connections")

    row = account_row(creator)
    assert (row.handle, row.display_name, row.followers) == ("mia.moves", "Mia Moves", 48200)
    assert accounts.verified_handle(creator.id, "tiktok") == "mia.moves"
    access = issued_tokens(social, "tiktok")
    assert len(access) == 1
    raw = db.session.execute(text("SELECT access_token_enc, refresh_token_enc FROM "
                                  "social_accounts WHERE id = :id"), {"id": row.id}).one()
    assert access[0] not in raw[0] and "act." not in raw[0] and "rft." not in raw[1]
    assert Fernet(TOKEN_KEY).decrypt(raw[0].encode()).decode() == access[0]
    assert accounts.tokens_of(row).access_token == access[0]
    assert row.access_expires_at > datetime.now(UTC) + timedelta(hours=23)

    page = creator_client.get("/creators/me/connections").get_data(as_text=True)
    assert "@mia.moves" in page and "Verified" in page and "48,200 followers" in page


@pytest.mark.parametrize("platform", ["instagram", "youtube"])
def test_connect_instagram_and_youtube(app, creator, creator_client, social, platform):
    social.add_account(platform, "mia.moves", display_name="Mia Moves", followers=3100)
    done = connect(creator_client, platform, "mia.moves")
    assert done.status_code == 302
    row = account_row(creator, platform)
    assert (row.handle, row.followers) == ("mia.moves", 3100)
    # Instagram: the long-lived token (60 days) is the one kept.
    if platform == "instagram":
        assert row.access_expires_at > datetime.now(UTC) + timedelta(days=59)
    adapter = adapter_for(platform, app.config)
    assert adapter.fetch_account(accounts.tokens_of(row)).user_id == row.platform_user_id


def test_denied_consent_changes_nothing(app, creator, creator_client, social):
    social.add_account("tiktok", "mia.moves")
    done = connect(creator_client, "tiktok", "mia.moves", decision="deny")
    assert done.status_code == 302
    assert account_row(creator) is None
    page = creator_client.get("/creators/me/connections").get_data(as_text=True)
    assert "did not connect (access denied)" in page


def test_callback_of_another_user_or_session_is_refused(app, creator, creator_client,
                                                        other_creator, login_as, social):
    social.add_account("tiktok", "mia.moves")
    start = creator_client.post("/creators/me/connections/tiktok/connect")
    back = local_path(consent(start.headers["Location"], handle="mia.moves"))
    # Someone else's browser replaying the callback: the state names another user.
    other = login_as(other_creator.user)
    other.post("/creators/me/connections/tiktok/connect")  # has a nonce of its own
    assert other.get(back).status_code == 302
    assert account_row(other_creator) is None
    assert "was not started here" in other.get("/creators/me/connections").get_data(
        as_text=True)
    # The right user, but the state forged for another platform: refused too.
    forged = back.replace("/tiktok/callback", "/youtube/callback")
    creator_client.get(forged)
    assert account_row(creator, "youtube") is None
    # The right user and callback: connected, once; a replay finds no nonce in the session.
    assert creator_client.get(back).status_code == 302
    first = account_row(creator)
    assert first.handle == "mia.moves"
    connected_at = first.connected_at
    creator_client.get(back)
    assert "was not started here" in creator_client.get("/creators/me/connections").get_data(
        as_text=True)
    assert account_row(creator).connected_at == connected_at


def test_the_same_platform_account_cannot_go_to_two_creators(app, creator, creator_client,
                                                             other_creator, login_as, social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    other = login_as(other_creator.user)
    connect(other, "tiktok", "mia.moves")
    assert account_row(other_creator) is None
    assert "already connected to another Duet creator" in other.get(
        "/creators/me/connections").get_data(as_text=True)
    assert accounts.verified_handle(creator.id, "tiktok") == "mia.moves"


def test_expired_token_is_refreshed_and_the_rotated_refresh_token_kept(app, creator,
                                                                       creator_client, social):
    social.add_account("tiktok", "mia.moves", followers=10)
    connect(creator_client, "tiktok", "mia.moves")
    row = account_row(creator)
    before = accounts.tokens_of(row)
    row.access_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()

    fresh = accounts.fresh_tokens(row)
    assert fresh.access_token != before.access_token
    assert fresh.refresh_token != before.refresh_token  # TikTok rotates refresh tokens
    row = account_row(creator)
    assert row.refreshed_at is not None
    assert accounts.tokens_of(row).access_token == fresh.access_token
    assert adapter_for("tiktok", app.config).fetch_account(fresh).handle == "mia.moves"
    # Not expired: no refresh call, the same token.
    assert accounts.fresh_tokens(row).access_token == fresh.access_token


def test_youtube_refresh_keeps_googles_refresh_token(app, creator, creator_client, social):
    social.add_account("youtube", "mia.moves")
    connect(creator_client, "youtube", "mia.moves")
    row = account_row(creator, "youtube")
    before = accounts.tokens_of(row)
    fresh = accounts.refresh(row, force=True)
    assert fresh.access_token != before.access_token
    assert fresh.refresh_token == before.refresh_token


def test_refused_refresh_marks_the_account_for_reconnection(app, creator, creator_client,
                                                            social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    row = account_row(creator)
    adapter_for("tiktok", app.config).revoke(accounts.tokens_of(row))  # revoked on TikTok's side
    with pytest.raises(AuthExpired):
        accounts.refresh(row, force=True)
    assert account_row(creator).needs_reconnect_at is not None
    page = creator_client.get("/creators/me/connections").get_data(as_text=True)
    assert "stopped accepting our access" in page and "Reconnect" in page


def test_disconnect_revokes_at_the_platform_and_forgets_the_tokens(app, creator,
                                                                   creator_client, social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    row = account_row(creator)
    old = accounts.tokens_of(row)
    response = creator_client.post(f"/creators/me/connections/{row.id}/disconnect")
    assert response.status_code == 302
    row = account_row(creator)
    assert row.revoked_at is not None
    assert (row.access_token_enc, row.refresh_token_enc) == (None, None)
    assert accounts.verified_handle(creator.id, "tiktok") is None
    assert social.state()["tokens"][old.access_token]["revoked"] is True
    with pytest.raises(AuthExpired):
        adapter_for("tiktok", app.config).fetch_account(old)
    # Reconnecting reuses the row.
    connect(creator_client, "tiktok", "mia.moves")
    again = account_row(creator)
    assert again.id == row.id and again.revoked_at is None


def test_strangers_get_404_and_other_roles_403(app, creator, creator_client, other_creator,
                                               login_as, brand_client, client, social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    row = account_row(creator)
    other = login_as(other_creator.user)
    assert other.post(f"/creators/me/connections/{row.id}/disconnect").status_code == 404
    assert other.post("/creators/me/connections/myspace/connect").status_code == 404
    assert other.get("/creators/me/connections/myspace/callback").status_code == 404
    assert brand_client.post(f"/creators/me/connections/{row.id}/disconnect").status_code == 403
    assert brand_client.get("/creators/me/connections").status_code == 403
    assert client.post(f"/creators/me/connections/{row.id}/disconnect").status_code == 302
    assert account_row(creator).revoked_at is None


def test_forms_need_the_csrf_token(make_app, social_settings, creator, login_as, social):
    app = make_app(**social_settings, SOCIAL_TOKEN_KEYS=TOKEN_KEY, WTF_CSRF_ENABLED=True)
    social.add_account("tiktok", "mia.moves")
    row = SocialAccount(creator_id=creator.id, platform="tiktok", platform_user_id="x1",
                        handle="mia.moves", display_name="", scopes="")
    db.session.add(row)
    db.session.commit()
    client = app.test_client()
    # Log in with the checks off (the log-in form has its own tests), then act with them on.
    app.config["WTF_CSRF_ENABLED"] = False
    assert Auth(client).login(creator.user).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/creators/me/connections/tiktok/connect").status_code == 400
    assert client.post(f"/creators/me/connections/{row.id}/disconnect").status_code == 400
    db.session.expire_all()
    assert db.session.get(SocialAccount, row.id).revoked_at is None


def test_connected_accounts_page_has_a_query_budget(app, creator, creator_client, social):
    for platform in ("tiktok", "instagram", "youtube"):
        social.add_account(platform, f"mia.{platform}")
        connect(creator_client, platform, f"mia.{platform}")
    assert count_queries(creator_client, "/creators/me/connections") <= 12


def test_keys_rotate_without_losing_tokens(app, creator, creator_client, social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    plain = accounts.tokens_of(account_row(creator)).access_token
    new_key = Fernet.generate_key().decode()
    app.config["SOCIAL_TOKEN_KEYS"] = f"{new_key},{TOKEN_KEY}"
    assert tokens.rotate_all() == 1
    app.config["SOCIAL_TOKEN_KEYS"] = new_key  # the old key is gone
    assert accounts.tokens_of(account_row(creator)).access_token == plain
    app.config["SOCIAL_TOKEN_KEYS"] = TOKEN_KEY  # a key that cannot read them
    with pytest.raises(tokens.TokenUnreadable):
        accounts.tokens_of(account_row(creator))


def test_rotate_tokens_command(app, creator, creator_client, social, runner):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    before = account_row(creator).access_token_enc
    app.config["SOCIAL_TOKEN_KEYS"] = f"{Fernet.generate_key().decode()},{TOKEN_KEY}"
    result = runner.invoke(args=["platforms", "rotate-tokens"])
    assert "Re-encrypted the tokens of 1 accounts." in result.output
    assert account_row(creator).access_token_enc != before


def test_the_page_lets_its_forms_lead_to_the_consent_pages_only(app, creator_client,
                                                                 social_base):
    csp = creator_client.get("/creators/me/connections").headers["Content-Security-Policy"]
    assert f"form-action 'self' {social_base};" in csp
    other = creator_client.get("/creators/me/profile").headers["Content-Security-Policy"]
    assert "form-action 'self';" in other


@pytest.mark.parametrize("query", [
    "", "?code=abc", "?state=x&code=abc", "?state=" + "A" * 5000 + "&code=abc",
    "?state=%00%ff&code=%00", "?error=access_denied", "?code=a&code=b&state=&state=",
])
def test_hostile_callbacks_are_refused_without_a_500(app, creator, creator_client, social,
                                                     query):
    creator_client.post("/creators/me/connections/tiktok/connect")
    response = creator_client.get(f"/creators/me/connections/tiktok/callback{query}")
    assert response.status_code == 302
    assert account_row(creator) is None
    assert "was not started here" in creator_client.get("/creators/me/connections").get_data(
        as_text=True)


def test_a_code_the_platform_refuses_leaves_nothing_behind(app, creator, creator_client,
                                                           social):
    social.add_account("youtube", "mia.moves")
    start = creator_client.post("/creators/me/connections/youtube/connect")
    back = local_path(consent(start.headers["Location"], handle="mia.moves"))
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert social.http.post(f"{social.base}/google-oauth/token", data={  # someone used it
        "client_id": "c", "client_secret": "s", "code": code, "grant_type": "authorization_code",
        "redirect_uri": "http://localhost/creators/me/connections/youtube/callback"}).ok
    creator_client.get(back)
    assert account_row(creator, "youtube") is None
    page = creator_client.get("/creators/me/connections").get_data(as_text=True)
    assert "YouTube did not accept the connection" in page


def test_disconnect_when_the_platform_is_down_still_forgets_the_tokens(app, creator,
                                                                        creator_client, social):
    social.add_account("instagram", "mia.moves")
    connect(creator_client, "instagram", "mia.moves")
    row = account_row(creator, "instagram")
    social.fail("instagram", "error")
    creator_client.post(f"/creators/me/connections/{row.id}/disconnect")
    row = account_row(creator, "instagram")
    assert row.revoked_at is not None and row.access_token_enc is None
    page = creator_client.get("/creators/me/connections").get_data(as_text=True)
    assert "Instagram did not confirm" in page


def test_a_platform_without_credentials_is_not_offered(make_app, social_settings, creator):
    app = make_app(**{**social_settings, "GOOGLE_CLIENT_ID": ""}, SOCIAL_TOKEN_KEYS=TOKEN_KEY)
    client = app.test_client()
    assert Auth(client).login(creator.user).status_code == 302
    page = client.get("/creators/me/connections").get_data(as_text=True)
    assert "not available on this site yet" in page
    assert client.post("/creators/me/connections/youtube/connect").status_code == 302
    assert "is not set up on this site yet" in client.get(
        "/creators/me/connections").get_data(as_text=True)


def test_real_consent_origins_are_the_default_form_targets():
    from marketplace.config import load
    from marketplace.security import CSP, csp_with_form_targets

    config = load({"SECRET_KEY": "x", "DUET_INSTANCE": "/tmp/duet-i11p-config"})
    with_targets = csp_with_form_targets(CSP, [config["TIKTOK_AUTH_BASE"],
                                               config["FACEBOOK_DIALOG_BASE"],
                                               config["GOOGLE_AUTH_BASE"]])
    assert ("form-action 'self' https://accounts.google.com https://www.facebook.com "
            "https://www.tiktok.com;") in with_targets


def test_the_public_profile_shows_verified_accounts(app, creator, creator_client, client,
                                                    social):
    assert "Verified accounts" not in client.get(f"/creators/{creator.handle}").get_data(
        as_text=True)
    social.add_account("tiktok", "mia.moves", followers=48200)
    connect(creator_client, "tiktok", "mia.moves")
    page = client.get(f"/creators/{creator.handle}").get_data(as_text=True)
    assert "Verified accounts" in page and "@mia.moves" in page and "48.2K followers" in page
