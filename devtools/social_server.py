"""A local TikTok, Instagram (Graph API) and YouTube for development and tests.

It serves the endpoints and OAuth consent pages `marketplace/platforms/` calls, with the real
request and response shapes (see each adapter's docstring for the documents), for accounts
and posts seeded from a JSON file (`--seed`) or added through `/_config`. Each API lives under
its own prefix, which is what the app's base URL settings point at:

| setting                | local value             |
|------------------------|-------------------------|
| TIKTOK_AUTH_BASE       | {base}/tiktok-auth      |
| TIKTOK_API_BASE        | {base}/tiktok           |
| TIKTOK_SHORTLINK_BASE  | {base}/tiktok-short     |
| FACEBOOK_DIALOG_BASE   | {base}/facebook/v23.0   |
| INSTAGRAM_GRAPH_BASE   | {base}/graph/v23.0      |
| GOOGLE_AUTH_BASE       | {base}/google-accounts  |
| GOOGLE_OAUTH_BASE      | {base}/google-oauth     |
| YOUTUBE_API_BASE       | {base}/youtube/v3       |

Views grow with time, deterministically: views = base_views + floor(views_per_hour x hours
since created_at) on the server's clock (frozen with `POST /_config/clock`); likes, comments,
shares and saves are floor(views x their rate). A platform that does not give a number
(TikTok saves, YouTube shares, a YouTube video with hidden likes) leaves it out, as the real
one does.

Test and dev routes (JSON bodies):
- `DELETE /_config/data`: forget everything (back to the seed file, if any).
- `POST /_config/accounts` {platform, user_id?, handle, display_name?, followers?}
- `POST /_config/posts` {platform, id?, user_id | handle, caption?, created_at?, base_views?,
  views_per_hour?, like_rate?, comment_rate?, share_rate?, save_rate?, hide_likes?,
  short_code?, product_type?}: answers the post with its ids.
- `POST /_config/posts/<id>/delete`: the post disappears (API answers "not found").
- `POST /_config/clock` {now: ISO} or {advance_hours: n} or {} (real time again).
- `POST /_config/fail` {platform, mode: rate_limit | quota | error | junk | off, times?,
  retry_after?}: the next `times` API calls of that platform (all, if omitted) answer 429 /
  403 quota / 500 in the platform's own error shape, or an HTML page instead of JSON.
- `POST /_config/tokens` {platform, user_id | handle, expires_in?}: mint an access token.
- `POST /_config/tokens/expire` {access_token}: that token expires now.
- `GET /_config/requests`: API calls served per platform (to count retries).

Run: `python -m devtools.social_server --port 8430 [--seed devtools/social_seed.json]`.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

TIKTOK, INSTAGRAM, YOUTUBE = "tiktok", "instagram", "youtube"
NAMES = {TIKTOK: "TikTok", INSTAGRAM: "Instagram", YOUTUBE: "YouTube"}
SCOPE_TEXT = {
    TIKTOK: ["Read your profile info (avatar, display name, username)",
             "Read your follower count", "Read your public videos and their counts"],
    INSTAGRAM: ["Access your Instagram professional account's profile and media",
                "Read insights for your media", "Show a list of the Pages you manage"],
    YOUTUBE: ["View your YouTube account and videos"],
}
ACCESS_TTL = {TIKTOK: 86400, INSTAGRAM: 3600, YOUTUBE: 3599}
LONG_LIVED_TTL = 5184000


@dataclass
class Account:
    platform: str
    user_id: str
    handle: str
    display_name: str = ""
    followers: int | None = 1000


@dataclass
class Post:
    platform: str
    id: str
    user_id: str
    caption: str = ""
    created_at: str = ""
    base_views: int = 0
    views_per_hour: float = 100.0
    like_rate: float = 0.08
    comment_rate: float = 0.01
    share_rate: float = 0.005
    save_rate: float = 0.004
    hide_likes: bool = False
    short_code: str | None = None
    media_id: str | None = None
    product_type: str = "REELS"
    private: bool = False
    deleted_at: str | None = None


@dataclass
class Grant:
    platform: str
    user_id: str
    expires_at: datetime
    scopes: list[str] = field(default_factory=list)
    revoked: bool = False


class Store:
    def __init__(self, seed: Path | None = None):
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[tuple[str, str], Account] = {}
        self.posts: dict[tuple[str, str], Post] = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.failures: dict[str, dict] = {}
        self.requests: dict[str, int] = {TIKTOK: 0, INSTAGRAM: 0, YOUTUBE: 0}
        self.clock: datetime | None = None
        if self.seed and self.seed.exists():
            data = json.loads(self.seed.read_text())
            for account in data.get("accounts", []):
                self.add_account(account)
            for post in data.get("posts", []):
                self.add_post(post)

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC)

    def add_account(self, data: dict) -> Account:
        platform = data["platform"]
        if platform not in NAMES:
            raise ValueError(f"unknown platform {platform!r}")
        user_id = str(data.get("user_id") or _new_user_id(platform))
        account = Account(platform=platform, user_id=user_id,
                          handle=str(data["handle"]).lstrip("@").lower(),
                          display_name=data.get("display_name") or data["handle"],
                          followers=data.get("followers", 1000))
        self.accounts[(platform, user_id)] = account
        return account

    def account_by_handle(self, platform: str, handle: str) -> Account | None:
        handle = handle.lstrip("@").lower()
        return next((a for a in self.accounts.values()
                     if a.platform == platform and a.handle == handle), None)

    def add_post(self, data: dict) -> Post:
        platform = data["platform"]
        if platform not in NAMES:
            raise ValueError(f"unknown platform {platform!r}")
        user_id = data.get("user_id")
        if not user_id:
            account = self.account_by_handle(platform, data["handle"])
            if account is None:
                raise web.HTTPBadRequest(text=f"no {platform} account @{data['handle']}")
            user_id = account.user_id
        known = {f for f in Post.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        created = datetime.fromisoformat(data.get("created_at") or self.now().isoformat())
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        for name in ("base_views", "views_per_hour", "like_rate", "comment_rate", "share_rate",
                     "save_rate"):
            if name in values:
                values[name] = float(values[name])
                if not math.isfinite(values[name]) or values[name] < 0:
                    raise ValueError(f"{name} must be a number >= 0")
        values.update(platform=platform, user_id=str(user_id),
                      id=str(data.get("id") or _new_post_id(platform)),
                      created_at=created.isoformat())
        if platform == INSTAGRAM and not values.get("media_id"):
            values["media_id"] = str(17900000000000000 + secrets.randbelow(10**14))
        post = Post(**values)
        self.posts[(platform, post.id)] = post
        return post

    def live_posts(self, platform: str, user_id: str | None = None) -> list[Post]:
        return [p for p in self.posts.values() if p.platform == platform and not p.deleted_at
                and (user_id is None or p.user_id == user_id)]

    def metrics(self, post: Post) -> dict[str, int]:
        created = datetime.fromisoformat(post.created_at)
        hours = max(0.0, (self.now() - created).total_seconds() / 3600)
        views = int(post.base_views + math.floor(post.views_per_hour * hours))
        return {"views": views, "likes": math.floor(views * post.like_rate),
                "comments": math.floor(views * post.comment_rate),
                "shares": math.floor(views * post.share_rate),
                "saves": math.floor(views * post.save_rate)}

    def issue(self, platform: str, user_id: str, ttl: int, scopes: list[str]) -> tuple[str, str]:
        access = f"{platform[:2]}.act.{secrets.token_urlsafe(24)}"
        refresh = f"{platform[:2]}.rft.{secrets.token_urlsafe(24)}"
        grant = Grant(platform, user_id, self.now() + timedelta(seconds=ttl), scopes)
        self.tokens[access] = grant
        self.refresh_tokens[refresh] = Grant(platform, user_id,
                                             self.now() + timedelta(days=365), scopes)
        return access, refresh

    def grant_for(self, platform: str, token: str | None) -> Grant | None:
        grant = self.tokens.get(token or "")
        if (grant is None or grant.platform != platform or grant.revoked
                or grant.expires_at <= self.now()):
            return None
        return grant


def _new_user_id(platform: str) -> str:
    if platform == TIKTOK:
        return "-000" + secrets.token_hex(12)
    if platform == INSTAGRAM:
        return str(17841400000000000 + secrets.randbelow(10**12))
    return "UC" + secrets.token_urlsafe(16)[:22]


def _new_post_id(platform: str) -> str:
    if platform == TIKTOK:
        return str(7300000000000000000 + secrets.randbelow(10**17))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    if platform == INSTAGRAM:
        return "C" + "".join(secrets.choice(alphabet) for _ in range(10))
    return "".join(secrets.choice(alphabet + "_-") for _ in range(11))


STORE_KEY = web.AppKey("store", Store)


def store_of(request: web.Request) -> Store:
    return request.app[STORE_KEY]


# -- failure switches and error shapes ----------------------------------------------------------

def tiktok_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"data": {}, "error": {"code": code, "message": message,
                                                    "log_id": secrets.token_hex(16)}},
                             status=status)


def graph_error(status: int, message: str, code: int, subcode: int | None = None,
                kind: str = "OAuthException") -> web.Response:
    error = {"message": message, "type": kind, "code": code,
             "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode is not None:
        error["error_subcode"] = subcode
    return web.json_response({"error": error}, status=status)


def google_error(status: int, reason: str, message: str,
                 domain: str = "youtube.video") -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "errors": [
        {"message": message, "domain": domain, "reason": reason}]}}, status=status)


def failure(request: web.Request, platform: str) -> web.Response | None:
    """Count the call and answer the switched-on failure, if any."""
    store = store_of(request)
    store.requests[platform] += 1
    switch = store.failures.get(platform)
    if not switch:
        return None
    if switch.get("times") is not None:
        if switch["times"] <= 0:
            store.failures.pop(platform)
            return None
        switch["times"] -= 1
    headers = {"Retry-After": str(switch.get("retry_after", 0))}
    mode = switch["mode"]
    if mode == "junk":  # a proxy's error page instead of the API's JSON
        return web.Response(status=200, text="<html><body>Bad gateway</body></html>",
                            content_type="text/html")
    if mode == "error":
        response = {TIKTOK: lambda: tiktok_error(500, "internal_error", "Internal error"),
                    INSTAGRAM: lambda: graph_error(500, "An unexpected error has occurred. "
                                                   "Please retry your request later.", 2,
                                                   kind="OAuthException"),
                    YOUTUBE: lambda: google_error(503, "backendError", "Backend Error",
                                                  "global")}[platform]()
    elif mode == "quota" and platform == YOUTUBE:
        response = google_error(403, "quotaExceeded", "The request cannot be completed because "
                                "you have exceeded your quota.", "youtube.quota")
    else:
        response = {TIKTOK: lambda: tiktok_error(429, "rate_limit_exceeded",
                                                 "The API rate limit was exceeded."),
                    INSTAGRAM: lambda: graph_error(429, "(#4) Application request limit "
                                                   "reached", 4),
                    YOUTUBE: lambda: google_error(429, "rateLimitExceeded", "Rate Limit "
                                                  "Exceeded", "usageLimits")}[platform]()
    response.headers.update(headers)
    return response


def ok_error() -> dict:
    """TikTok's `error` member of a successful answer."""
    return {"code": "ok", "message": "", "log_id": secrets.token_hex(16)}


def bearer(request: web.Request) -> str | None:
    value = request.headers.get("Authorization", "")
    return value[7:] if value.startswith("Bearer ") else None


# -- consent pages (one template for the three platforms) ---------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f1f1f2;margin:0;
color:#161823}}
main{{max-width:420px;margin:40px auto;background:#fff;border-radius:12px;padding:28px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}}
.logo{{font-weight:800;font-size:1.6rem;color:{color}}} .local{{font-size:.75rem;color:#888}}
h1{{font-size:1.15rem;margin:.8rem 0}} ul{{padding-left:1.1rem;color:#444}}
label.acct{{display:flex;gap:.6rem;align-items:center;border:1px solid #ddd;border-radius:8px;
padding:.6rem;margin:.4rem 0;cursor:pointer}}
input[type=text]{{width:100%;padding:.5rem;border:1px solid #ccc;border-radius:6px;
box-sizing:border-box}}
.buttons{{display:flex;gap:.6rem;margin-top:1.2rem}}
button{{flex:1;padding:.7rem;border-radius:6px;border:1px solid #ccc;background:#fff;font-size:1rem;
cursor:pointer}}
button.primary{{background:{color};border-color:{color};color:#fff;font-weight:600}}
</style></head><body><main>
<div class="logo">{name}</div>
<div class="local">Local development stand-in, not the real {name}</div>
<h1>{client} would like to:</h1><ul>{scopes}</ul>
<form method="post">{hidden}
<p><strong>Continue as</strong></p>{accounts}
<p><label for="new_handle">or a new account (handle)</label>
<input type="text" id="new_handle" name="new_handle" placeholder="yourname" maxlength="40"></p>
<div class="buttons"><button type="submit" name="decision" value="deny">Cancel</button>
<button class="primary" type="submit" name="decision" value="allow">Authorize</button></div>
</form></main></body></html>"""
COLORS = {TIKTOK: "#fe2c55", INSTAGRAM: "#d62976", YOUTUBE: "#ff0000"}
CLIENT_PARAM = {TIKTOK: "client_key", INSTAGRAM: "client_id", YOUTUBE: "client_id"}


def consent(platform: str):
    async def handler(request: web.Request) -> web.StreamResponse:
        store = store_of(request)
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
        if not redirect_uri.startswith(("http://", "https://")) or not params.get(
                CLIENT_PARAM[platform]):
            return web.Response(status=400, text="redirect_uri and the client id are required")
        if request.method == "GET":
            accounts = [a for a in store.accounts.values() if a.platform == platform]
            rows = "".join(
                f'<label class="acct"><input type="radio" name="user_id" '
                f'value="{html.escape(a.user_id)}"'
                f'{" checked" if i == 0 else ""}> <span><strong>@{html.escape(a.handle)}</strong>'
                f" &middot; {html.escape(a.display_name)}</span></label>"
                for i, a in enumerate(accounts)) or "<p>No accounts yet on this local server.</p>"
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items())
            page = PAGE.format(title=f"Log in to {NAMES[platform]}", name=NAMES[platform],
                               color=COLORS[platform], client="Duet", hidden=hidden,
                               scopes="".join(f"<li>{s}</li>" for s in SCOPE_TEXT[platform]),
                               accounts=rows)
            return web.Response(text=page, content_type="text/html")
        if params.get("decision") != "allow":
            query = {"error": "access_denied", "state": state,
                     "error_description": "The user denied the request"}
            raise web.HTTPFound(f"{redirect_uri}?{urlencode(query)}")
        if params.get("new_handle", "").strip():
            account = store.account_by_handle(platform, params["new_handle"].strip()) or \
                store.add_account({"platform": platform, "handle": params["new_handle"].strip()})
        else:
            account = store.accounts.get((platform, params.get("user_id", "")))
        if account is None:
            return web.Response(status=400, text="Choose an account")
        code = secrets.token_urlsafe(24)
        scopes = params.get("scope", "").replace(",", " ").split()
        store.codes[code] = {"platform": platform, "user_id": account.user_id,
                             "redirect_uri": redirect_uri, "scopes": scopes}
        query = {"code": code, "state": state}
        if platform == TIKTOK:
            query["scopes"] = ",".join(scopes)
        raise web.HTTPFound(f"{redirect_uri}?{urlencode(query)}")

    return handler


def take_code(store: Store, platform: str, code: str, redirect_uri: str) -> dict | None:
    grant = store.codes.get(code)
    if grant is None or grant["platform"] != platform or grant["redirect_uri"] != redirect_uri:
        return None
    store.codes.pop(code)
    return grant


# -- TikTok -------------------------------------------------------------------------------------

def tiktok_oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description,
                              "log_id": secrets.token_hex(16)}, status=status)


async def tiktok_token(request: web.Request) -> web.Response:
    store = store_of(request)
    if (denied := failure(request, TIKTOK)) is not None:
        return denied
    form = await request.post()
    if not form.get("client_key") or not form.get("client_secret"):
        return tiktok_oauth_error("invalid_client", "Client key or secret is invalid", 401)
    if form.get("grant_type") == "authorization_code":
        grant = take_code(store, TIKTOK, str(form.get("code", "")),
                          str(form.get("redirect_uri", "")))
        if grant is None:
            return tiktok_oauth_error("invalid_grant", "Authorization code is expired.")
        user_id, scopes = grant["user_id"], grant["scopes"]
    elif form.get("grant_type") == "refresh_token":
        old = store.refresh_tokens.pop(str(form.get("refresh_token", "")), None)
        if old is None or old.platform != TIKTOK or old.revoked:
            return tiktok_oauth_error("invalid_grant", "Refresh token is invalid or expired.")
        user_id, scopes = old.user_id, old.scopes
    else:
        return tiktok_oauth_error("unsupported_grant_type", "grant_type is not supported")
    access, refresh = store.issue(TIKTOK, user_id, ACCESS_TTL[TIKTOK], scopes)
    return web.json_response({"access_token": access, "expires_in": ACCESS_TTL[TIKTOK],
                              "open_id": user_id, "refresh_expires_in": 31536000,
                              "refresh_token": refresh, "scope": ",".join(scopes),
                              "token_type": "Bearer"})


async def tiktok_revoke(request: web.Request) -> web.Response:
    store = store_of(request)
    form = await request.post()
    grant = store.tokens.get(str(form.get("token", "")))
    if grant is None:
        return tiktok_oauth_error("invalid_request", "Token is invalid")
    revoke_all(store, grant)
    return web.Response(status=200)


def revoke_all(store: Store, grant: Grant) -> None:
    for other in (*store.tokens.values(), *store.refresh_tokens.values()):
        if other.platform == grant.platform and other.user_id == grant.user_id:
            other.revoked = True


def tiktok_grant(request: web.Request) -> Grant | web.Response:
    grant = store_of(request).grant_for(TIKTOK, bearer(request))
    if grant is None:
        return tiktok_error(401, "access_token_invalid",
                            "The access token is invalid or not found in the request.")
    return grant


def tiktok_fields(request: web.Request) -> list[str] | web.Response:
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    if not fields:
        return tiktok_error(400, "invalid_params", "fields is required")
    return fields


async def tiktok_user_info(request: web.Request) -> web.Response:
    if (denied := failure(request, TIKTOK)) is not None:
        return denied
    grant = tiktok_grant(request)
    if isinstance(grant, web.Response):
        return grant
    fields = tiktok_fields(request)
    if isinstance(fields, web.Response):
        return fields
    account = store_of(request).accounts[(TIKTOK, grant.user_id)]
    every = {"open_id": account.user_id, "union_id": "u" + account.user_id,
             "display_name": account.display_name, "username": account.handle,
             "avatar_url": "", "follower_count": account.followers, "following_count": 12,
             "likes_count": 3400, "video_count": len(store_of(request).live_posts(TIKTOK,
                                                                                   account.user_id))}
    user = {k: every[k] for k in fields if k in every}
    return web.json_response({"data": {"user": user},
                              "error": ok_error()})


def tiktok_video(store: Store, post: Post, fields: list[str]) -> dict:
    account = store.accounts[(TIKTOK, post.user_id)]
    numbers = store.metrics(post)
    every = {"id": post.id, "create_time": int(datetime.fromisoformat(post.created_at).timestamp()),
             "video_description": post.caption, "title": post.caption[:50],
             "share_url": f"https://www.tiktok.com/@{account.handle}/video/{post.id}",
             "duration": 30, "view_count": numbers["views"], "like_count": numbers["likes"],
             "comment_count": numbers["comments"], "share_count": numbers["shares"]}
    return {k: every[k] for k in fields if k in every}


async def tiktok_video_query(request: web.Request) -> web.Response:
    if (denied := failure(request, TIKTOK)) is not None:
        return denied
    grant = tiktok_grant(request)
    if isinstance(grant, web.Response):
        return grant
    fields = tiktok_fields(request)
    if isinstance(fields, web.Response):
        return fields
    try:
        ids = (await request.json())["filters"]["video_ids"]
        assert isinstance(ids, list) and 0 < len(ids) <= 20
    except Exception:
        return tiktok_error(400, "invalid_params", "filters.video_ids must list 1 to 20 ids")
    store = store_of(request)
    videos = [tiktok_video(store, post, fields) for post in store.live_posts(TIKTOK, grant.user_id)
              if post.id in {str(i) for i in ids}]
    return web.json_response({"data": {"videos": videos}, "error": {
        "code": "ok", "message": "", "log_id": secrets.token_hex(16)}})


async def tiktok_video_list(request: web.Request) -> web.Response:
    if (denied := failure(request, TIKTOK)) is not None:
        return denied
    grant = tiktok_grant(request)
    if isinstance(grant, web.Response):
        return grant
    fields = tiktok_fields(request)
    if isinstance(fields, web.Response):
        return fields
    try:
        body = await request.json()
    except Exception:
        body = {}
    count = min(int(body.get("max_count", 20) or 20), 20)
    cursor = int(body.get("cursor", 0) or 0)
    store = store_of(request)
    posts = sorted(store.live_posts(TIKTOK, grant.user_id), key=lambda p: p.created_at,
                   reverse=True)
    page = posts[cursor:cursor + count]
    return web.json_response({"data": {
        "videos": [tiktok_video(store, p, fields) for p in page], "cursor": cursor + len(page),
        "has_more": cursor + len(page) < len(posts)},
        "error": {"code": "ok", "message": "", "log_id": secrets.token_hex(16)}})


async def tiktok_short(request: web.Request) -> web.Response:
    store = store_of(request)
    code = request.match_info["code"]
    post = next((p for p in store.posts.values()
                 if p.platform == TIKTOK and p.short_code == code), None)
    if post is None:
        raise web.HTTPNotFound(text="not found")
    account = store.accounts[(TIKTOK, post.user_id)]
    raise web.HTTPMovedPermanently(
        f"https://www.tiktok.com/@{account.handle}/video/{post.id}?_r=1&_t=local")


# -- Instagram Graph API ------------------------------------------------------------------------

def graph_grant(request: web.Request) -> Grant | web.Response:
    token = request.query.get("access_token") or bearer(request)
    grant = store_of(request).grant_for(INSTAGRAM, token)
    if grant is None:
        return graph_error(400, "Error validating access token: Session has expired or the "
                           "token is invalid.", 190, 463)
    return grant


def missing_object(object_id: str) -> web.Response:
    return graph_error(400, f"Unsupported get request. Object with ID '{object_id}' does not "
                       "exist, cannot be loaded due to missing permissions, or does not support "
                       "this operation.", 100, 33, kind="GraphMethodException")


async def graph_access_token(request: web.Request) -> web.Response:
    store = store_of(request)
    if (denied := failure(request, INSTAGRAM)) is not None:
        return denied
    query = request.query
    if not query.get("client_id") or not query.get("client_secret"):
        return graph_error(400, "Missing client_id or client_secret", 101)
    if query.get("grant_type") == "fb_exchange_token":
        grant = store.grant_for(INSTAGRAM, query.get("fb_exchange_token"))
        if grant is None:
            return graph_error(400, "Error validating access token: Session has expired.", 190,
                               463)
        ttl = LONG_LIVED_TTL
    else:
        code = take_code(store, INSTAGRAM, query.get("code", ""), query.get("redirect_uri", ""))
        if code is None:
            return graph_error(400, "This authorization code has been used.", 100, 36009)
        grant = Grant(INSTAGRAM, code["user_id"], store.now(), code["scopes"])
        ttl = ACCESS_TTL[INSTAGRAM]
    access, _ = store.issue(INSTAGRAM, grant.user_id, ttl, grant.scopes)
    return web.json_response({"access_token": access, "token_type": "bearer",
                              "expires_in": ttl})


async def graph_me_accounts(request: web.Request) -> web.Response:
    if (denied := failure(request, INSTAGRAM)) is not None:
        return denied
    grant = graph_grant(request)
    if isinstance(grant, web.Response):
        return grant
    account = store_of(request).accounts[(INSTAGRAM, grant.user_id)]
    page = {"id": f"10{account.user_id[-12:]}", "name": f"{account.display_name} (Page)",
            "instagram_business_account": {"id": account.user_id, "username": account.handle,
                                           "name": account.display_name,
                                           "followers_count": account.followers}}
    return web.json_response({"data": [page], "paging": {"cursors": {"before": "QVFI",
                                                                     "after": "QVFI"}}})


async def graph_me_permissions(request: web.Request) -> web.Response:
    if (denied := failure(request, INSTAGRAM)) is not None:
        return denied
    grant = graph_grant(request)
    if isinstance(grant, web.Response):
        return grant
    revoke_all(store_of(request), grant)
    return web.json_response({"success": True})


def graph_media(store: Store, post: Post) -> dict:
    account = store.accounts[(INSTAGRAM, post.user_id)]
    numbers = store.metrics(post)
    created = datetime.fromisoformat(post.created_at).astimezone(UTC)
    path = "reel" if post.product_type == "REELS" else "p"
    return {"id": post.media_id, "caption": post.caption, "shortcode": post.id,
            "permalink": f"https://www.instagram.com/{path}/{post.id}/",
            "timestamp": created.strftime("%Y-%m-%dT%H:%M:%S+0000"), "username": account.handle,
            "media_type": "VIDEO" if post.product_type == "REELS" else "IMAGE",
            "media_product_type": post.product_type, "like_count": numbers["likes"],
            "comments_count": numbers["comments"]}


def pick(obj: dict, fields: str) -> dict:
    wanted = [f for f in fields.split(",") if f] or ["id"]
    return {k: obj[k] for k in ["id", *wanted] if k in obj}


async def graph_user_media(request: web.Request) -> web.Response:
    if (denied := failure(request, INSTAGRAM)) is not None:
        return denied
    grant = graph_grant(request)
    if isinstance(grant, web.Response):
        return grant
    store = store_of(request)
    user_id = request.match_info["object_id"]
    if (INSTAGRAM, user_id) not in store.accounts:
        return missing_object(user_id)
    if user_id != grant.user_id:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    posts = sorted(store.live_posts(INSTAGRAM, user_id), key=lambda p: p.created_at,
                   reverse=True)
    limit = min(int(request.query.get("limit", "25") or 25), 100)
    start = int(request.query.get("after", "0") or 0)
    page = posts[start:start + limit]
    body = {"data": [pick(graph_media(store, p), request.query.get("fields", "id"))
                     for p in page],
            "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
    if start + len(page) < len(posts):
        body["paging"]["next"] = str(request.url.update_query(after=str(start + len(page))))
    return web.json_response(body)


def media_post(store: Store, media_id: str) -> Post | None:
    return next((p for p in store.posts.values() if p.platform == INSTAGRAM
                 and p.media_id == media_id and not p.deleted_at), None)


def granted_media(request: web.Request) -> tuple[Store, Post] | web.Response:
    """The media the path names, if the token's user owns it; else the Graph API's error."""
    if (denied := failure(request, INSTAGRAM)) is not None:
        return denied
    grant = graph_grant(request)
    if isinstance(grant, web.Response):
        return grant
    store = store_of(request)
    post = media_post(store, request.match_info["object_id"])
    if post is None or post.user_id != grant.user_id:
        return missing_object(request.match_info["object_id"])
    return store, post


async def graph_object(request: web.Request) -> web.Response:
    found = granted_media(request)
    if isinstance(found, web.Response):
        return found
    store, post = found
    return web.json_response(pick(graph_media(store, post), request.query.get("fields", "id")))


async def graph_insights(request: web.Request) -> web.Response:
    found = granted_media(request)
    if isinstance(found, web.Response):
        return found
    store, post = found
    numbers = store.metrics(post)
    every = {"views": numbers["views"], "reach": int(numbers["views"] * 0.7),
             "likes": numbers["likes"], "comments": numbers["comments"],
             "shares": numbers["shares"], "saved": numbers["saves"],
             "total_interactions": numbers["likes"] + numbers["comments"] + numbers["shares"]
             + numbers["saves"]}
    if post.product_type == "REELS":
        every["ig_reels_avg_watch_time"] = 8400
    data = []
    for name in [m for m in request.query.get("metric", "").split(",") if m]:
        if name in ("plays", "impressions", "video_views"):
            return graph_error(400, f"(#100) The Media Insights API does not support the {name} "
                               "metric for this media product type.", 100)
        if name not in every:
            return graph_error(400, f"(#100) metric[0] must be one of the following values: "
                               f"{', '.join(every)}", 100)
        data.append({"name": name, "period": "lifetime", "values": [{"value": every[name]}],
                     "title": name.replace("_", " ").title(), "description": "",
                     "id": f"{post.media_id}/insights/{name}/lifetime"})
    return web.json_response({"data": data})


# -- Google OAuth and YouTube -------------------------------------------------------------------

def google_oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


async def google_token(request: web.Request) -> web.Response:
    store = store_of(request)
    form = await request.post()
    if not form.get("client_id") or not form.get("client_secret"):
        return google_oauth_error("invalid_client", "The OAuth client was not found.", 401)
    body: dict = {"token_type": "Bearer", "expires_in": ACCESS_TTL[YOUTUBE]}
    if form.get("grant_type") == "authorization_code":
        grant = take_code(store, YOUTUBE, str(form.get("code", "")),
                          str(form.get("redirect_uri", "")))
        if grant is None:
            return google_oauth_error("invalid_grant", "Malformed auth code.")
        access, refresh = store.issue(YOUTUBE, grant["user_id"], ACCESS_TTL[YOUTUBE],
                                      grant["scopes"])
        body.update(access_token=access, refresh_token=refresh, scope=" ".join(grant["scopes"]))
    elif form.get("grant_type") == "refresh_token":
        old = store.refresh_tokens.get(str(form.get("refresh_token", "")))
        if old is None or old.platform != YOUTUBE or old.revoked:
            return google_oauth_error("invalid_grant", "Token has been expired or revoked.")
        access, _ = store.issue(YOUTUBE, old.user_id, ACCESS_TTL[YOUTUBE], old.scopes)
        body.update(access_token=access, scope=" ".join(old.scopes))
    else:
        return google_oauth_error("unsupported_grant_type", "Invalid grant_type")
    return web.json_response(body)


async def google_revoke(request: web.Request) -> web.Response:
    store = store_of(request)
    form = await request.post()
    token = str(form.get("token") or request.query.get("token", ""))
    grant = store.tokens.get(token) or store.refresh_tokens.get(token)
    if grant is None or grant.revoked:
        return google_oauth_error("invalid_token", "Token expired or revoked")
    revoke_all(store, grant)
    return web.json_response({})


def youtube_grant(request: web.Request) -> Grant | None | web.Response:
    """The token's grant; None for an API-key (public) call; a 401 answer otherwise."""
    token = bearer(request)
    if token is None and request.query.get("key"):
        return None
    grant = store_of(request).grant_for(YOUTUBE, token)
    if grant is None:
        return google_error(401, "authError", "Request had invalid authentication credentials.",
                            "global")
    return grant


async def youtube_videos(request: web.Request) -> web.Response:
    if (denied := failure(request, YOUTUBE)) is not None:
        return denied
    grant = youtube_grant(request)
    if isinstance(grant, web.Response):
        return grant
    store = store_of(request)
    parts = set(request.query.get("part", "").split(","))
    ids = [i for i in request.query.get("id", "").split(",") if i]
    if not parts - {""} or not ids:
        return google_error(400, "missingRequiredParameter", "No filter selected.")
    items = []
    for video_id in ids:
        post = store.posts.get((YOUTUBE, video_id))
        if post is None or post.deleted_at or (
                post.private and (grant is None or grant.user_id != post.user_id)):
            continue
        account = store.accounts[(YOUTUBE, post.user_id)]
        numbers = store.metrics(post)
        item: dict = {"kind": "youtube#video", "etag": secrets.token_hex(8), "id": post.id}
        if "snippet" in parts:
            item["snippet"] = {"publishedAt": datetime.fromisoformat(post.created_at)
                               .astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               "channelId": post.user_id, "title": post.caption[:100],
                               "description": post.caption, "channelTitle": account.display_name}
        if "statistics" in parts:
            stats = {"viewCount": str(numbers["views"]), "favoriteCount": "0",
                     "commentCount": str(numbers["comments"])}
            if not post.hide_likes:
                stats["likeCount"] = str(numbers["likes"])
            item["statistics"] = stats
        if "status" in parts:
            item["status"] = {"uploadStatus": "processed",
                              "privacyStatus": "private" if post.private else "public",
                              "license": "youtube", "embeddable": True, "publicStatsViewable": True}
        items.append(item)
    return web.json_response({"kind": "youtube#videoListResponse", "etag": secrets.token_hex(8),
                              "items": items, "pageInfo": {"totalResults": len(items),
                                                           "resultsPerPage": len(items)}})


async def youtube_channels(request: web.Request) -> web.Response:
    if (denied := failure(request, YOUTUBE)) is not None:
        return denied
    grant = youtube_grant(request)
    if isinstance(grant, web.Response):
        return grant
    if grant is None or request.query.get("mine") != "true":
        return google_error(400, "missingRequiredParameter", "No filter selected.")
    account = store_of(request).accounts[(YOUTUBE, grant.user_id)]
    stats: dict = {"viewCount": "0", "videoCount": "0",
                   "hiddenSubscriberCount": account.followers is None}
    if account.followers is not None:
        stats["subscriberCount"] = str(account.followers)
    item = {"kind": "youtube#channel", "id": account.user_id,
            "snippet": {"title": account.display_name, "customUrl": f"@{account.handle}",
                        "description": ""},
            "statistics": stats}
    return web.json_response({"kind": "youtube#channelListResponse", "items": [item],
                              "pageInfo": {"totalResults": 1, "resultsPerPage": 5}})


# -- /_config -----------------------------------------------------------------------------------

async def body_json(request: web.Request) -> dict:
    try:
        body = await request.json()
    except Exception:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body


async def config_reset(request: web.Request) -> web.Response:
    store_of(request).reset()
    return web.json_response({"ok": True})


async def config_account(request: web.Request) -> web.Response:
    return web.json_response(asdict(store_of(request).add_account(await body_json(request))))


async def config_post(request: web.Request) -> web.Response:
    post = store_of(request).add_post(await body_json(request))
    return web.json_response(asdict(post))


async def config_delete_post(request: web.Request) -> web.Response:
    store = store_of(request)
    post_id = request.match_info["post_id"]
    posts = [p for p in store.posts.values() if post_id in (p.id, p.media_id)]
    if not posts:
        raise web.HTTPNotFound(text="no such post")
    for post in posts:
        post.deleted_at = store.now().isoformat()
    return web.json_response({"deleted": [p.id for p in posts]})


async def config_clock(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_json(request)
    if body.get("now"):
        store.clock = datetime.fromisoformat(body["now"]).astimezone(UTC)
    elif body.get("advance_hours") is not None:
        store.clock = store.now() + timedelta(hours=float(body["advance_hours"]))
    else:
        store.clock = None
    return web.json_response({"now": store.now().isoformat()})


async def config_fail(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_json(request)
    if body.get("mode", "off") == "off":
        store.failures.pop(body.get("platform", ""), None)
    else:
        if body.get("platform") not in NAMES:
            raise ValueError("platform must be tiktok, instagram or youtube")
        store.failures[body["platform"]] = {"mode": body["mode"], "times": body.get("times"),
                                            "retry_after": body.get("retry_after", 0)}
    return web.json_response({"failures": store.failures})


async def config_token(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_json(request)
    platform = body["platform"]
    account = (store.accounts.get((platform, str(body.get("user_id", ""))))
               or store.account_by_handle(platform, body.get("handle", "")))
    if account is None:
        raise web.HTTPNotFound(text="no such account")
    ttl = int(body.get("expires_in", ACCESS_TTL[platform]))
    access, refresh = store.issue(platform, account.user_id, ttl, body.get("scopes", []))
    return web.json_response({"access_token": access, "refresh_token": refresh,
                              "user_id": account.user_id, "expires_in": ttl})


async def config_expire_token(request: web.Request) -> web.Response:
    store = store_of(request)
    grant = store.tokens.get((await body_json(request)).get("access_token", ""))
    if grant is None:
        raise web.HTTPNotFound(text="no such token")
    grant.expires_at = store.now() - timedelta(seconds=1)
    return web.json_response({"ok": True})


async def config_requests(request: web.Request) -> web.Response:
    return web.json_response(store_of(request).requests)


async def config_state(request: web.Request) -> web.Response:
    store = store_of(request)
    return web.json_response({
        "now": store.now().isoformat(),
        "accounts": [asdict(a) for a in store.accounts.values()],
        "posts": [{**asdict(p), "metrics": store.metrics(p)} for p in store.posts.values()],
        "tokens": {t: {"platform": g.platform, "user_id": g.user_id, "revoked": g.revoked,
                       "expires_at": g.expires_at.isoformat()} for t, g in store.tokens.items()},
    })


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@web.middleware
async def config_errors(request: web.Request, handler):
    """Junk sent to /_config is a 400 with the reason, not a 500."""
    try:
        return await handler(request)
    except (KeyError, ValueError, TypeError) as exc:
        if not request.path.startswith("/_config"):
            raise
        raise web.HTTPBadRequest(text=f"bad /_config request: {exc!r}") from None


def make_app(seed: Path | None = None) -> web.Application:
    app = web.Application(middlewares=[config_errors])
    app[STORE_KEY] = Store(seed)
    add = app.router.add_route
    for method in ("GET", "POST"):
        add(method, "/tiktok-auth/v2/auth/authorize/", consent(TIKTOK))
        add(method, "/facebook/{version}/dialog/oauth", consent(INSTAGRAM))
        add(method, "/google-accounts/o/oauth2/v2/auth", consent(YOUTUBE))
    add("POST", "/tiktok/v2/oauth/token/", tiktok_token)
    add("POST", "/tiktok/v2/oauth/revoke/", tiktok_revoke)
    add("GET", "/tiktok/v2/user/info/", tiktok_user_info)
    add("POST", "/tiktok/v2/video/query/", tiktok_video_query)
    add("POST", "/tiktok/v2/video/list/", tiktok_video_list)
    add("GET", "/tiktok-short/{host}/{code}", tiktok_short)
    add("GET", "/tiktok-short/{host}/{code}/", tiktok_short)
    add("GET", "/graph/{version}/oauth/access_token", graph_access_token)
    add("GET", "/graph/{version}/me/accounts", graph_me_accounts)
    add("DELETE", "/graph/{version}/me/permissions", graph_me_permissions)
    add("GET", "/graph/{version}/{object_id}/media", graph_user_media)
    add("GET", "/graph/{version}/{object_id}/insights", graph_insights)
    add("GET", "/graph/{version}/{object_id}", graph_object)
    add("POST", "/google-oauth/token", google_token)
    add("POST", "/google-oauth/revoke", google_revoke)
    add("GET", "/youtube/v3/videos", youtube_videos)
    add("GET", "/youtube/v3/channels", youtube_channels)
    add("DELETE", "/_config/data", config_reset)
    add("POST", "/_config/accounts", config_account)
    add("POST", "/_config/posts", config_post)
    add("POST", "/_config/posts/{post_id}/delete", config_delete_post)
    add("POST", "/_config/clock", config_clock)
    add("POST", "/_config/fail", config_fail)
    add("POST", "/_config/tokens", config_token)
    add("POST", "/_config/tokens/expire", config_expire_token)
    add("GET", "/_config/requests", config_requests)
    add("GET", "/_config/state", config_state)
    add("GET", "/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Local TikTok, Instagram and YouTube APIs.")
    parser.add_argument("--port", type=int, default=8430)
    parser.add_argument("--seed", type=Path, default=None, help="JSON: {accounts, posts}")
    args = parser.parse_args()
    web.run_app(make_app(args.seed), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
