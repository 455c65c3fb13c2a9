import os

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import User
from tests.support.factories import PASSWORD, make_user


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_signup_creates_account_and_logs_in(client, app_ctx):
    r = client.post("/auth/signup", data={"email": "New@Example.com", "password": "a" * 10,
                                          "role": "creator"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/creators/me/profile")
    user = db.session.scalar(select(User))
    assert user.email == "new@example.com" and user.role == "creator"
    assert user.password_hash != "a" * 10 and user.check_password("a" * 10)
    assert client.get("/dashboard").status_code in (200, 302)


@pytest.mark.parametrize("data, message", [
    ({"email": "", "password": "a" * 10, "role": "brand"}, b"This field is required"),
    ({"email": "not-an-email", "password": "a" * 10, "role": "brand"}, b"Invalid email"),
    ({"email": "x@example.com", "password": "short", "role": "brand"}, b"at least 10"),
    ({"email": "x@example.com", "password": "a" * 201, "role": "brand"}, b"at most 200"),
    ({"email": "x@example.com", "password": "a" * 10, "role": "admin"}, b"Not a valid choice"),
    ({"email": "x@example.com", "password": "a" * 10}, b"Choose brand or creator"),
    ({"email": "a" * 250 + "@x.com", "password": "a" * 10, "role": "brand"}, b"254"),
])
def test_signup_rejects_bad_input(client, app_ctx, data, message):
    r = client.post("/auth/signup", data=data)
    assert r.status_code == 200
    assert message in r.data
    assert count_users() == 0


def test_signup_email_unique_regardless_of_case(client, app_ctx):
    make_user("taken@example.com")
    r = client.post("/auth/signup", data={"email": "TAKEN@example.com", "password": "a" * 10,
                                          "role": "brand"})
    assert b"already exists" in r.data
    assert count_users() == 1


def test_login_and_logout(app_ctx, client, auth):
    make_user("me@example.com", role="brand")
    r = auth.login("ME@example.com")
    assert r.status_code == 302
    assert client.get("/auth/settings").status_code == 200
    auth.logout()
    r = client.get("/auth/settings")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_login_wrong_password(app_ctx, client, auth):
    make_user("me@example.com")
    r = auth.login("me@example.com", "wrong password!")
    assert r.status_code == 200
    assert b"do not match" in r.data
    assert client.get("/auth/settings").status_code == 302


def test_remember_me_sets_cookie(app_ctx, client, auth):
    make_user("me@example.com")
    auth.login("me@example.com", remember=True)
    assert client.get_cookie("remember_token") is not None


def test_session_cookie_flags(app_ctx, client):
    make_user("me@example.com")
    r = client.post("/auth/login", data={"email": "me@example.com", "password": PASSWORD})
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("target, expected", [
    ("/auth/settings", "/auth/settings"),
    ("https://evil.example.com/", "/dashboard"),
    ("//evil.example.com/", "/dashboard"),
    ("/\\evil.example.com", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
])
def test_next_redirect_only_to_this_site(app_ctx, client, target, expected):
    make_user("me@example.com")
    r = client.post("/auth/login", query_string={"next": target},
                    data={"email": "me@example.com", "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(expected)


def test_login_rate_limited(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        make_user("me@example.com")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/auth/login", data={"email": "me@example.com",
                                                "password": "wrong password"}).status_code == 200
    r = client.post("/auth/login", data={"email": "me@example.com", "password": PASSWORD})
    assert r.status_code == 429
    assert b"Too many attempts" in r.data


def test_change_password(app_ctx, client, auth, app):
    user = make_user("me@example.com")
    auth.login(user)
    r = client.post("/auth/settings", data={"pw-current_password": PASSWORD,
                                            "pw-new_password": "another long one",
                                            "pw-confirm": "another long one", "pw-submit": "y"})
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.check_password("another long one")
    assert client.get("/auth/settings").status_code == 200  # still logged in here


@pytest.mark.parametrize("data, message", [
    ({"pw-current_password": "wrong password", "pw-new_password": "another long one",
      "pw-confirm": "another long one"}, b"not right"),
    ({"pw-current_password": PASSWORD, "pw-new_password": "short", "pw-confirm": "short"},
     b"at least 10"),
    ({"pw-current_password": PASSWORD, "pw-new_password": "another long one",
      "pw-confirm": "different long one"}, b"Passwords differ"),
])
def test_change_password_bad_input(app_ctx, client, auth, data, message):
    user = make_user("me@example.com")
    auth.login(user)
    r = client.post("/auth/settings", data={**data, "pw-submit": "y"})
    assert r.status_code == 200 and message in r.data
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_change_ends_other_sessions(app_ctx, app, auth, client):
    user = make_user("me@example.com")
    other = app.test_client()
    from tests.conftest import Auth
    Auth(other).login(user)
    auth.login(user)
    client.post("/auth/settings", data={"pw-current_password": PASSWORD,
                                        "pw-new_password": "another long one",
                                        "pw-confirm": "another long one", "pw-submit": "y"})
    assert other.get("/auth/settings").status_code == 302


def test_change_email_needs_password(app_ctx, client, auth):
    user = make_user("me@example.com")
    make_user("other@example.com")
    auth.login(user)
    r = client.post("/auth/settings", data={"em-email": "new@example.com",
                                            "em-password": "wrong", "em-submit": "y"})
    assert b"not right" in r.data
    r = client.post("/auth/settings", data={"em-email": "OTHER@example.com",
                                            "em-password": PASSWORD, "em-submit": "y"})
    assert b"already exists" in r.data
    db.session.refresh(user)
    assert user.email == "me@example.com"
    r = client.post("/auth/settings", data={"em-email": "New@Example.com",
                                            "em-password": PASSWORD, "em-submit": "y"})
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.email == "new@example.com"


def test_settings_requires_login(client):
    r = client.get("/auth/settings")
    assert r.status_code == 302 and "/auth/login?next=" in r.headers["Location"]


def test_create_admin_cli(runner, app):
    result = runner.invoke(args=["create-admin", "boss@example.com", "--password",
                                 "boss password 1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.is_admin and user.check_password("boss password 1")
    result = runner.invoke(args=["create-admin", "x@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output


def test_csrf_enforced(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    r = app.test_client().post("/auth/signup", data={"email": "x@example.com",
                                                     "password": "a" * 10, "role": "brand"})
    assert r.status_code == 400
    with app.app_context():
        assert count_users() == 0


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in r.data  # no inline script


def test_login_rate_limit_shared_through_redis(make_app):
    """With REDIS_URL set the limiter keeps its counters in Redis, so every worker (here: two
    apps) counts the same attempts."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    first = make_app(LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI=url)
    with first.app_context():
        make_user("me@example.com")
    second = make_app(LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI=url)
    bad = {"email": "me@example.com", "password": "wrong password"}
    for app in (first, first, second):
        assert app.test_client().post("/auth/login", data=bad).status_code == 200
    assert second.test_client().post("/auth/login", data=bad).status_code == 429
    assert redis.Redis.from_url(url).dbsize() > 0
    redis.Redis.from_url(url).flushdb()
