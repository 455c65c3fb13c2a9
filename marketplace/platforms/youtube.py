"""YouTube Data API v3 with Google OAuth 2.0 (web server flow).

Checked against developers.google.com: `videos.list` (part=snippet,statistics,status; counts
are strings; `likeCount` is left out when the owner hides likes and `commentCount` when
comments are off, so they stay None here; an id that does not exist or is private to someone
else just gives no item), `channels.list?mine=true` (`snippet.customUrl` is the @handle,
`statistics.subscriberCount` absent when `hiddenSubscriberCount`), the error object
`{"error": {code, message, errors: [{reason, domain}]}}` with `quotaExceeded`,
`rateLimitExceeded`, `authError`, `videoNotFound`, and Google Identity's OAuth 2.0 for web
server apps (accounts.google.com/o/oauth2/v2/auth with access_type=offline, POST
oauth2.googleapis.com/token, POST /revoke; token errors `{"error": "invalid_grant"}`).
Public videos can be read with an API key (`YOUTUBE_API_KEY`) when no account is connected.
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
from marketplace.platforms.values import YOUTUBE, AccountInfo, Metrics, PostInfo, PostRef, Tokens

SCOPES = ("https://www.googleapis.com/auth/youtube.readonly",)
RATE_REASONS = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded",
                "dailyLimitExceeded"}
AUTH_REASONS = {"authError", "unauthorized", "forbidden", "insufficientPermissions"}


class YouTubeAdapter:
    platform = YOUTUBE

    def __init__(self, settings: PlatformSettings, http: Http | None = None):
        self.settings = settings
        self.http = http or Http(YOUTUBE, settings)

    def parse(self, url: str) -> PostRef:
        return parse_post_url(url, YOUTUBE)

    def resolve(self, ref: PostRef) -> PostRef:
        return ref

    # -- posts ---------------------------------------------------------------------------
    def _video(self, ref: PostRef, tokens: Tokens | None) -> dict:
        body = self._api("/videos", tokens, {"part": "snippet,statistics,status",
                                             "id": ref.post_id})
        for item in body.get("items") or []:
            if item.get("id") == ref.post_id:
                return item
        raise PostNotFound("The YouTube video is gone or private", platform=YOUTUBE)

    def fetch_post(self, ref: PostRef, tokens: Tokens | None) -> PostInfo:
        item = self._video(ref, tokens)
        snippet, status = item.get("snippet") or {}, item.get("status") or {}
        caption = "\n\n".join(part for part in (snippet.get("title"),
                                                snippet.get("description")) if part)
        return PostInfo(
            platform=YOUTUBE, post_id=item["id"],
            live=status.get("privacyStatus", "public") != "private"
            and status.get("uploadStatus", "processed") in ("processed", "uploaded"),
            author_handle=None, author_user_id=snippet.get("channelId"), caption=caption,
            posted_at=_rfc3339(snippet.get("publishedAt")), permalink=ref.url or None)

    def fetch_metrics(self, ref: PostRef, tokens: Tokens | None) -> Metrics:
        stats = self._video(ref, tokens).get("statistics") or {}
        return Metrics(views=as_int(stats.get("viewCount")), likes=as_int(stats.get("likeCount")),
                       comments=as_int(stats.get("commentCount")))

    # -- OAuth ---------------------------------------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str) -> str:
        query = urlencode({"client_id": self.settings.google_client_id,
                           "redirect_uri": redirect_uri, "response_type": "code",
                           "scope": " ".join(SCOPES), "state": state,
                           "access_type": "offline", "include_granted_scopes": "true",
                           "prompt": "consent"})
        return f"{self.settings.google_auth_base}/o/oauth2/v2/auth?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> Tokens:
        return self._token({"code": code, "grant_type": "authorization_code",
                            "redirect_uri": redirect_uri}, once=True)

    def refresh(self, tokens: Tokens) -> Tokens:
        if not tokens.refresh_token:
            raise AuthExpired("No Google refresh token: reconnect", platform=YOUTUBE)
        fresh = self._token({"grant_type": "refresh_token",
                             "refresh_token": tokens.refresh_token})
        # Google keeps the same refresh token unless it sends a new one.
        return replace(fresh, refresh_token=fresh.refresh_token or tokens.refresh_token,
                       user_id=tokens.user_id)

    def revoke(self, tokens: Tokens) -> None:
        token = tokens.refresh_token or tokens.access_token
        response = self.http.request("POST", f"{self.settings.google_oauth_base}/revoke",
                                     data={"token": token})
        if response.status_code == 400:
            return  # invalid_token: already revoked or expired, which is what we wanted
        if response.status_code >= 400:
            _token_error(response, json_body(response, YOUTUBE))

    def fetch_account(self, tokens: Tokens) -> AccountInfo:
        body = self._api("/channels", tokens, {"part": "snippet,statistics", "mine": "true"})
        items = body.get("items") or []
        if not items:
            raise PlatformError("This Google account has no YouTube channel", platform=YOUTUBE,
                                code="no_channel")
        channel = items[0]
        snippet, stats = channel.get("snippet") or {}, channel.get("statistics") or {}
        handle = (snippet.get("customUrl") or "").lstrip("@").lower()
        followers = None if stats.get("hiddenSubscriberCount") else as_int(
            stats.get("subscriberCount"))
        return AccountInfo(platform=YOUTUBE, user_id=channel["id"], handle=handle,
                           display_name=snippet.get("title") or "", followers=followers)

    # -- plumbing ------------------------------------------------------------------------
    def _token(self, form: dict, once: bool = False) -> Tokens:
        send = self.http.request_once if once else self.http.request
        response = send("POST", f"{self.settings.google_oauth_base}/token",
                        data={"client_id": self.settings.google_client_id,
                              "client_secret": self.settings.google_client_secret, **form})
        body = json_body(response, YOUTUBE)
        if response.status_code >= 400 or "error" in body or not body.get("access_token"):
            _token_error(response, body)
        return Tokens(access_token=body["access_token"], refresh_token=body.get("refresh_token"),
                      expires_at=expires_at(body.get("expires_in")),
                      scopes=tuple(str(body.get("scope", "")).split()))

    def _api(self, path: str, tokens: Tokens | None, params: dict) -> dict:
        headers = {}
        if tokens is not None:
            headers["Authorization"] = f"Bearer {tokens.access_token}"
        elif self.settings.youtube_api_key:
            params = {**params, "key": self.settings.youtube_api_key}
        else:
            raise AuthExpired("YouTube needs a connected account or YOUTUBE_API_KEY",
                              platform=YOUTUBE)
        response = self.http.request("GET", f"{self.settings.youtube_api_base}{path}",
                                     params=params, headers=headers)
        body = json_body(response, YOUTUBE)
        if response.status_code < 400 and "error" not in body:
            return body
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
        message = error.get("message") or f"HTTP {response.status_code}"
        status = response.status_code
        code = next(iter(sorted(r for r in reasons if r)), None)
        kwargs = {"platform": YOUTUBE, "status": status, "code": code}
        if status == 429 or reasons & RATE_REASONS:
            raise RateLimited(message, retry_after=retry_after(response), **kwargs)
        if status == 401 or reasons & AUTH_REASONS:
            raise AuthExpired(message, **kwargs)
        if status == 404 or "videoNotFound" in reasons:
            raise PostNotFound(message, **kwargs)
        if status >= 500:
            raise PlatformUnavailable(message, **kwargs)
        raise PlatformError(message, **kwargs)


def _token_error(response, body: dict):
    code = body.get("error") if isinstance(body.get("error"), str) else None
    message = body.get("error_description") or code or f"HTTP {response.status_code}"
    kwargs = {"platform": YOUTUBE, "status": response.status_code, "code": code}
    if response.status_code == 429:
        raise RateLimited(message, retry_after=retry_after(response), **kwargs)
    if response.status_code >= 500:
        raise PlatformUnavailable(message, **kwargs)
    if code in ("invalid_grant", "unauthorized_client") or response.status_code == 401:
        raise AuthExpired(message, **kwargs)
    raise PlatformError(message, **kwargs)


def _rfc3339(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
