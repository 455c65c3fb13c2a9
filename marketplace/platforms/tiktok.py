"""TikTok Display API v2 (Login Kit OAuth, user.info, video.query).

Checked against developers.tiktok.com: "Get / Refresh / Revoke a User Access Token"
(POST /v2/oauth/token/ and /v2/oauth/revoke/, form-encoded; errors `{"error",
"error_description", "log_id"}`; refresh tokens rotate), "Error Handling" for API v2 (every
answer carries `error: {code, message, log_id}`; `access_token_invalid` and
`scope_not_authorized` 401, `rate_limit_exceeded` 429, `internal_error` 500), "Rate Limits"
(600 a minute per endpoint), the video object's fields and /v2/user/info/ fields.
video.query only returns videos of the token's own user, so a video missing from the answer
is deleted, private, or not this creator's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from marketplace.platforms.errors import (
    AuthExpired,
    InvalidPostUrl,
    PlatformError,
    PlatformUnavailable,
    PostNotFound,
    RateLimited,
)
from marketplace.platforms.http import Http, as_int, expires_at, json_body, retry_after
from marketplace.platforms.settings import PlatformSettings
from marketplace.platforms.urls import parse_post_url
from marketplace.platforms.values import TIKTOK, AccountInfo, Metrics, PostInfo, PostRef, Tokens

SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")
VIDEO_FIELDS = ("id,create_time,video_description,title,share_url,duration,"
                "view_count,like_count,comment_count,share_count")
USER_FIELDS = "open_id,union_id,display_name,username,follower_count"
AUTH_CODES = {"access_token_invalid", "scope_not_authorized", "scope_permission_missed"}


class TikTokAdapter:
    platform = TIKTOK

    def __init__(self, settings: PlatformSettings, http: Http | None = None):
        self.settings = settings
        self.http = http or Http(TIKTOK, settings)

    # -- links ---------------------------------------------------------------------------
    def parse(self, url: str) -> PostRef:
        return parse_post_url(url, TIKTOK)

    def resolve(self, ref: PostRef) -> PostRef:
        """Follow a short link (one redirect lookup, no page download) to the video it names."""
        if not ref.needs_resolution:
            return ref
        url = ref.short_url or ref.url
        if self.settings.tiktok_shortlink_base:
            parts = urlsplit(url)
            url = f"{self.settings.tiktok_shortlink_base}/{parts.hostname}{parts.path}"
        response = self.http.request("GET", url, allow_redirects=False)
        location = response.headers.get("Location", "")
        if response.status_code not in (301, 302, 303, 307, 308) or not location:
            if response.status_code == 429:
                raise RateLimited("TikTok refused the short link lookup", platform=TIKTOK,
                                  status=429, retry_after=retry_after(response))
            if response.status_code >= 500:
                raise PlatformUnavailable("TikTok failed to resolve the short link",
                                          platform=TIKTOK, status=response.status_code)
            raise PostNotFound("That TikTok short link leads to no video", platform=TIKTOK,
                               status=response.status_code)
        try:
            resolved = parse_post_url(location, TIKTOK)
        except InvalidPostUrl:
            raise PostNotFound("That TikTok short link leads to no video",
                               platform=TIKTOK) from None
        if resolved.needs_resolution:
            raise PostNotFound("That TikTok short link leads to no video", platform=TIKTOK)
        return resolved

    # -- posts ---------------------------------------------------------------------------
    def _video(self, ref: PostRef, tokens: Tokens | None) -> dict:
        if tokens is None:
            raise AuthExpired("TikTok needs the creator's connected account", platform=TIKTOK)
        ref = self.resolve(ref)
        data = self._api("POST", "/v2/video/query/", tokens, params={"fields": VIDEO_FIELDS},
                         json={"filters": {"video_ids": [ref.post_id]}})
        for video in data.get("videos") or []:
            if str(video.get("id")) == ref.post_id:
                return video
        raise PostNotFound("The TikTok video is gone or not this account's", platform=TIKTOK)

    def fetch_post(self, ref: PostRef, tokens: Tokens | None) -> PostInfo:
        video = self._video(ref, tokens)
        share_url = video.get("share_url") or ""
        handle = None
        try:
            handle = parse_post_url(share_url, TIKTOK).handle if share_url else None
        except InvalidPostUrl:
            handle = None
        created = as_int(video.get("create_time"))
        return PostInfo(
            platform=TIKTOK, post_id=str(video["id"]), live=True, author_handle=handle,
            author_user_id=tokens.user_id if tokens else None,
            caption=video.get("video_description") or video.get("title") or "",
            posted_at=datetime.fromtimestamp(created, UTC) if created is not None else None,
            permalink=share_url or None)

    def fetch_metrics(self, ref: PostRef, tokens: Tokens | None) -> Metrics:
        video = self._video(ref, tokens)
        return Metrics(views=as_int(video.get("view_count")),
                       likes=as_int(video.get("like_count")),
                       comments=as_int(video.get("comment_count")),
                       shares=as_int(video.get("share_count")))

    # -- OAuth ---------------------------------------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str) -> str:
        query = urlencode({"client_key": self.settings.tiktok_client_key,
                           "scope": ",".join(SCOPES), "response_type": "code",
                           "redirect_uri": redirect_uri, "state": state})
        return f"{self.settings.tiktok_auth_base}/v2/auth/authorize/?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> Tokens:
        return self._token({"code": code, "grant_type": "authorization_code",
                            "redirect_uri": redirect_uri})

    def refresh(self, tokens: Tokens) -> Tokens:
        if not tokens.refresh_token:
            raise AuthExpired("No TikTok refresh token: reconnect", platform=TIKTOK)
        return self._token({"grant_type": "refresh_token",
                            "refresh_token": tokens.refresh_token})

    def revoke(self, tokens: Tokens) -> None:
        response = self.http.request("POST", f"{self.settings.tiktok_api_base}/v2/oauth/revoke/",
                                     data={**self._client(), "token": tokens.access_token})
        body = json_body(response, TIKTOK) if response.content else {}
        if response.status_code >= 400 or body.get("error"):
            self._oauth_error(response, body)

    def fetch_account(self, tokens: Tokens) -> AccountInfo:
        data = self._api("GET", "/v2/user/info/", tokens, params={"fields": USER_FIELDS})
        user = data.get("user") or {}
        if not user.get("open_id"):
            raise PlatformUnavailable("TikTok sent no user", platform=TIKTOK)
        return AccountInfo(platform=TIKTOK, user_id=user["open_id"],
                           handle=(user.get("username") or "").lower(),
                           display_name=user.get("display_name") or "",
                           followers=as_int(user.get("follower_count")))

    # -- plumbing ------------------------------------------------------------------------
    def _client(self) -> dict:
        return {"client_key": self.settings.tiktok_client_key,
                "client_secret": self.settings.tiktok_client_secret}

    def _token(self, form: dict) -> Tokens:
        response = self.http.request_once(
            "POST", f"{self.settings.tiktok_api_base}/v2/oauth/token/",
            data={**self._client(), **form},
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        body = json_body(response, TIKTOK)
        if response.status_code >= 400 or body.get("error") or not body.get("access_token"):
            self._oauth_error(response, body)
        return Tokens(access_token=body["access_token"], refresh_token=body.get("refresh_token"),
                      expires_at=expires_at(body.get("expires_in")),
                      refresh_expires_at=expires_at(body.get("refresh_expires_in")),
                      scopes=tuple(s for s in str(body.get("scope", "")).split(",") if s),
                      user_id=body.get("open_id"))

    def _oauth_error(self, response, body: dict):
        code = body.get("error") if isinstance(body.get("error"), str) else None
        message = body.get("error_description") or code or f"HTTP {response.status_code}"
        if response.status_code == 429:
            raise RateLimited(message, platform=TIKTOK, status=429, code=code,
                              retry_after=retry_after(response))
        if response.status_code >= 500:
            raise PlatformUnavailable(message, platform=TIKTOK, status=response.status_code,
                                      code=code)
        if code in ("invalid_grant", "access_denied") or response.status_code == 401:
            raise AuthExpired(message, platform=TIKTOK, status=response.status_code, code=code)
        raise PlatformError(message, platform=TIKTOK, status=response.status_code, code=code)

    def _api(self, method: str, path: str, tokens: Tokens, **kwargs) -> dict:
        response = self.http.request(
            method, f"{self.settings.tiktok_api_base}{path}",
            headers={"Authorization": f"Bearer {tokens.access_token}"}, **kwargs)
        body = json_body(response, TIKTOK)
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = error.get("code") or ("ok" if response.status_code < 400 else "")
        if response.status_code < 400 and code == "ok":
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        message = error.get("message") or code or f"HTTP {response.status_code}"
        status = response.status_code
        if status == 429 or code == "rate_limit_exceeded":
            raise RateLimited(message, platform=TIKTOK, status=status, code=code,
                              retry_after=retry_after(response))
        if code in AUTH_CODES or status == 401:
            raise AuthExpired(message, platform=TIKTOK, status=status, code=code)
        if status == 404:
            raise PostNotFound(message, platform=TIKTOK, status=status, code=code)
        if status >= 500 or code == "internal_error":
            raise PlatformUnavailable(message, platform=TIKTOK, status=status, code=code)
        raise PlatformError(message, platform=TIKTOK, status=status, code=code)
