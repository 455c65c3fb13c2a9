"""What can go wrong talking to a platform, in four kinds the callers act on.

Adapters translate each platform's own error shape (TikTok's `error.code`, the Graph API's
`error.code`/`error_subcode`, Google's `errors[].reason`) into these, so a job knows whether to
mark a post gone, wait, ask the creator to reconnect, or retry later.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base of every adapter error; `platform` says which API answered."""

    def __init__(self, message: str, *, platform: str = "", status: int | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status = status
        self.code = code


class PostNotFound(PlatformError):
    """The post (or account) does not exist any more: deleted, made private, or never was."""


class RateLimited(PlatformError):
    """The platform refused for now (after our own retries); try again after `retry_after` s."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuthExpired(PlatformError):
    """The token is expired, revoked or lacks a scope: refresh it, or the creator reconnects."""


class PlatformUnavailable(PlatformError):
    """The platform failed (5xx, timeout, junk answer) or refused the request; retry later."""


class InvalidPostUrl(ValueError):
    """A link that is not a post of a platform we know; the message says what a valid one is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
