"""One `requests` session per adapter: timeouts on every call, urllib3 retries with backoff on
429 and 5xx (honouring Retry-After, capped so a platform cannot park a worker for an hour)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from marketplace.platforms.errors import PlatformUnavailable
from marketplace.platforms.settings import PlatformSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)


class CappedRetry(Retry):
    """urllib3's Retry with Retry-After capped at `max_retry_after` seconds."""

    max_retry_after: float = 30.0

    def get_retry_after(self, response) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)


def _session(settings: PlatformSettings, retries: int) -> requests.Session:
    retry_class = type("Retry", (CappedRetry,), {"max_retry_after": settings.max_retry_after})
    retry = retry_class(total=retries, connect=retries, read=retries, status=retries,
                        backoff_factor=settings.backoff, status_forcelist=RETRY_STATUSES,
                        allowed_methods=None,
                        respect_retry_after_header=True, raise_on_status=False,
                        raise_on_redirect=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "Duet/1.0 (+platform adapters)"
    return session


class Http:
    """`request` retries reads (GET, and POSTs that only query); `request_once` never retries
    (an OAuth code is single-use, so its exchange must not be sent twice)."""

    def __init__(self, platform: str, settings: PlatformSettings):
        self.platform = platform
        self.timeout = settings.timeout
        self._retrying = _session(settings, settings.retries)
        self._once = _session(settings, 0)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self._send(self._retrying, method, url, **kwargs)

    def request_once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self._send(self._once, method, url, **kwargs)

    def _send(self, session: requests.Session, method: str, url: str,
              **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        try:
            return session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise PlatformUnavailable(f"{self.platform} did not answer: {exc.__class__.__name__}",
                                      platform=self.platform) from exc


def json_body(response: requests.Response, platform: str) -> dict:
    """The JSON object of a response; anything else is the platform failing."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PlatformUnavailable(f"{platform} answered {response.status_code} without JSON",
                                  platform=platform, status=response.status_code)
    return body


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def expires_at(seconds: object) -> datetime | None:
    """Now + `seconds` (an OAuth `expires_in`), or None when the platform gave none."""
    try:
        seconds = int(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return datetime.now(UTC) + timedelta(seconds=seconds)


def as_int(value: object) -> int | None:
    """A count from JSON (YouTube sends strings); absent or junk is None, never 0."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
