"""Instagram Graph API for professional accounts, through Facebook Login for Business.

Checked against developers.facebook.com: Instagram Platform "Insights" and "Instagram Media
Insights" (GET /<MEDIA_ID>/insights?metric=...; `views` replaces the deprecated `plays`,
`impressions` and `video_views` since v22.0; a metric with no data is left out of the answer,
not given as 0; error 10 "Not enough viewers"), the IG Media fields (`shortcode`, `permalink`,
`timestamp` as 2019-04-05T07:56:32+0000, `media_product_type`), /<IG_USER_ID>/media with
cursor paging, Facebook Login's /dialog/oauth and /oauth/access_token (short-lived token,
then `grant_type=fb_exchange_token` for the 60-day token), DELETE /me/permissions, and the
Graph API error object `{"error": {message, type, code, error_subcode, fbtrace_id}}` (190
expired token, 4/17/32/613 throttling, 100 with subcode 33 for a missing object).
A link names a post by shortcode; the Graph API has no lookup by shortcode, so the account's
media are listed to find its id (kept by callers in `PostRef.platform_media_id`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from marketplace.platforms.errors import (
    AuthExpired,
    PlatformError,
    PlatformUnavailable,
    PostNotFound,
    RateLimited,
)
from marketplace.platforms.http import Http, as_int, expires_at, json_body, retry_after
from marketplace.platforms.settings import PlatformSettings
from marketplace.platforms.urls import parse_post_url
from marketplace.platforms.values import (
    INSTAGRAM,
    AccountInfo,
    Metrics,
    PostInfo,
    PostRef,
    Tokens,
)

SCOPES = ("instagram_basic", "instagram_manage_insights", "pages_show_list",
          "pages_read_engagement")
MEDIA_FIELDS = ("id,caption,permalink,timestamp,username,media_type,media_product_type,"
                "shortcode,like_count,comments_count")
INSIGHT_METRICS = ("views", "reach", "likes", "comments", "shares", "saved")
REEL_METRICS = ("ig_reels_avg_watch_time",)
ACCOUNT_FIELDS = "id,name,instagram_business_account{id,username,name,followers_count}"
MAX_MEDIA_PAGES = 20
THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002}
AUTH_CODES = {190, 102, 10, 200}
CODE_SUBCODES = {36007, 36008, 36009}  # OAuth code expired, wrong redirect_uri, already used


class InstagramAdapter:
    platform = INSTAGRAM

    def __init__(self, settings: PlatformSettings, http: Http | None = None):
        self.settings = settings
        self.http = http or Http(INSTAGRAM, settings)
        self.graph = settings.instagram_graph_base

    def parse(self, url: str) -> PostRef:
        return parse_post_url(url, INSTAGRAM)

    def resolve(self, ref: PostRef) -> PostRef:
        return ref

    # -- posts ---------------------------------------------------------------------------
    def find_media(self, ref: PostRef, tokens: Tokens | None) -> dict:
        """The media object a shortcode names, looked up by id when known, else by listing."""
        if tokens is None or not tokens.user_id:
            raise AuthExpired("Instagram needs the creator's connected account",
                              platform=INSTAGRAM)
        if ref.platform_media_id:
            return self._get(f"/{ref.platform_media_id}", tokens, {"fields": MEDIA_FIELDS})
        url, params = f"{self.graph}/{tokens.user_id}/media", {"fields": MEDIA_FIELDS,
                                                               "limit": 50}
        for _ in range(MAX_MEDIA_PAGES):
            page = self._call("GET", url, tokens, params)
            for media in page.get("data") or []:
                if media.get("shortcode") == ref.post_id:
                    return media
            url = (page.get("paging") or {}).get("next")
            if not url:
                break
            params = {}
        raise PostNotFound("The Instagram post is gone or not this account's",
                           platform=INSTAGRAM)

    def fetch_post(self, ref: PostRef, tokens: Tokens | None) -> PostInfo:
        media = self.find_media(ref, tokens)
        return PostInfo(
            platform=INSTAGRAM, post_id=media.get("shortcode") or ref.post_id or "", live=True,
            author_handle=(media.get("username") or "").lower() or None,
            author_user_id=tokens.user_id if tokens else None,
            caption=media.get("caption") or "", posted_at=_timestamp(media.get("timestamp")),
            permalink=media.get("permalink"), platform_media_id=str(media.get("id")))

    def fetch_metrics(self, ref: PostRef, tokens: Tokens | None) -> Metrics:
        media = self.find_media(ref, tokens)
        ref = replace(ref, platform_media_id=str(media["id"]))
        metrics = INSIGHT_METRICS
        if media.get("media_product_type") == "REELS":
            metrics += REEL_METRICS
        try:
            body = self._get(f"/{ref.platform_media_id}/insights", tokens,
                             {"metric": ",".join(metrics)})
        except AuthExpired as exc:
            if exc.code != "10":  # 10: not enough viewers yet, the counts below still hold
                raise
            body = {}
        values = {}
        for item in body.get("data") or []:
            points = item.get("values") or []
            value = points[0].get("value") if points and isinstance(points[0], dict) else None
            values[item.get("name")] = as_int(value)
        return Metrics(
            views=values.get("views"), reach=values.get("reach"),
            likes=values.get("likes", as_int(media.get("like_count"))),
            comments=values.get("comments", as_int(media.get("comments_count"))),
            shares=values.get("shares"), saves=values.get("saved"),
            avg_watch_time_ms=values.get("ig_reels_avg_watch_time"))

    # -- OAuth ---------------------------------------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str) -> str:
        query = urlencode({"client_id": self.settings.instagram_app_id,
                           "redirect_uri": redirect_uri, "state": state,
                           "response_type": "code", "scope": ",".join(SCOPES)})
        return f"{self.settings.facebook_dialog_base}/dialog/oauth?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> Tokens:
        short = self._oauth({"client_id": self.settings.instagram_app_id,
                             "client_secret": self.settings.instagram_app_secret,
                             "redirect_uri": redirect_uri, "code": code}, once=True)
        return self._long_lived(short["access_token"])

    def refresh(self, tokens: Tokens) -> Tokens:
        """A long-lived token still valid is exchanged for a fresh one (Facebook has no
        refresh token); an expired one needs the creator to reconnect."""
        return replace(self._long_lived(tokens.access_token), user_id=tokens.user_id,
                       scopes=tokens.scopes)

    def revoke(self, tokens: Tokens) -> None:
        self._call("DELETE", f"{self.graph}/me/permissions", tokens, {})

    def fetch_account(self, tokens: Tokens) -> AccountInfo:
        page = self._get("/me/accounts", tokens, {"fields": ACCOUNT_FIELDS})
        for facebook_page in page.get("data") or []:
            account = facebook_page.get("instagram_business_account") or {}
            if account.get("id"):
                return AccountInfo(platform=INSTAGRAM, user_id=str(account["id"]),
                                   handle=(account.get("username") or "").lower(),
                                   display_name=account.get("name") or "",
                                   followers=as_int(account.get("followers_count")),
                                   extra={"page_id": facebook_page.get("id")})
        raise PlatformError("No Instagram professional account is linked to a Facebook Page "
                            "you manage", platform=INSTAGRAM, code="no_professional_account")

    # -- plumbing ------------------------------------------------------------------------
    def _long_lived(self, short_token: str) -> Tokens:
        body = self._oauth({"grant_type": "fb_exchange_token",
                            "client_id": self.settings.instagram_app_id,
                            "client_secret": self.settings.instagram_app_secret,
                            "fb_exchange_token": short_token})
        return Tokens(access_token=body["access_token"],
                      expires_at=expires_at(body.get("expires_in")), scopes=SCOPES)

    def _oauth(self, params: dict, once: bool = False) -> dict:
        send = self.http.request_once if once else self.http.request
        response = send("GET", f"{self.graph}/oauth/access_token", params=params)
        body = json_body(response, INSTAGRAM)
        if response.status_code >= 400 or "error" in body or not body.get("access_token"):
            _raise(response, body)
        return body

    def _get(self, path: str, tokens: Tokens, params: dict) -> dict:
        return self._call("GET", f"{self.graph}{path}", tokens, params)

    def _call(self, method: str, url: str, tokens: Tokens, params: dict) -> dict:
        response = self.http.request(method, url,
                                     params={**params, "access_token": tokens.access_token})
        body = json_body(response, INSTAGRAM)
        if response.status_code >= 400 or "error" in body:
            _raise(response, body)
        return body


def _raise(response, body: dict):
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
    message = error.get("message") or f"HTTP {response.status_code}"
    status = response.status_code
    kwargs = {"platform": INSTAGRAM, "status": status, "code": str(code) if code else None}
    if status == 429 or code in THROTTLE_CODES:
        raise RateLimited(message, retry_after=retry_after(response), **kwargs)
    if code == 100 and subcode == 33 or status == 404:
        raise PostNotFound(message, **kwargs)
    if code == 100 and subcode in CODE_SUBCODES:
        raise AuthExpired(message, **kwargs)
    if code in AUTH_CODES or status == 401 or error.get("type") == "OAuthException" and code != 100:
        raise AuthExpired(message, **kwargs)
    if status >= 500 or code in (1, 2):
        raise PlatformUnavailable(message, **kwargs)
    raise PlatformError(message, **kwargs)


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
