"""Drive the local social platforms (devtools/social_server.py) from tests, over HTTP."""

from __future__ import annotations

from datetime import datetime

import requests

from marketplace.platforms import Tokens


class SocialServer:
    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def _post(self, path: str, body: dict) -> dict:
        response = self.http.post(f"{self.base}{path}", json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.http.delete(f"{self.base}/_config/data", timeout=5).raise_for_status()

    def add_account(self, platform: str, handle: str, **extra) -> dict:
        return self._post("/_config/accounts", {"platform": platform, "handle": handle, **extra})

    def add_post(self, platform: str, handle: str, **extra) -> dict:
        if isinstance(extra.get("created_at"), datetime):
            extra["created_at"] = extra["created_at"].isoformat()
        return self._post("/_config/posts", {"platform": platform, "handle": handle, **extra})

    def delete_post(self, post_id: str) -> dict:
        return self._post(f"/_config/posts/{post_id}/delete", {})

    def freeze(self, now: datetime) -> None:
        self._post("/_config/clock", {"now": now.isoformat()})

    def fail(self, platform: str, mode: str, times: int | None = None,
             retry_after: float = 0) -> None:
        self._post("/_config/fail", {"platform": platform, "mode": mode, "times": times,
                                     "retry_after": retry_after})

    def token(self, platform: str, handle: str, **extra) -> Tokens:
        body = self._post("/_config/tokens", {"platform": platform, "handle": handle, **extra})
        return Tokens(access_token=body["access_token"], refresh_token=body["refresh_token"],
                      user_id=body["user_id"])

    def expire(self, access_token: str) -> None:
        self._post("/_config/tokens/expire", {"access_token": access_token})

    def requests_served(self) -> dict[str, int]:
        return self.http.get(f"{self.base}/_config/requests", timeout=5).json()

    def state(self) -> dict:
        return self.http.get(f"{self.base}/_config/state", timeout=5).json()
