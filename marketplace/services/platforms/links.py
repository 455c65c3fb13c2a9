"""A post link a person typed, parsed for the platform a deliverable is on."""

from __future__ import annotations

from marketplace.platforms import InvalidPostUrl, PostRef, parse_post_url
from marketplace.services.errors import DomainError


def parse_post_link(url: object, platform: str | None = None) -> PostRef:
    """The post `url` names; a refusal says what a valid link looks like (field "url")."""
    try:
        return parse_post_url(url, platform)
    except InvalidPostUrl as exc:
        raise DomainError(exc.message, field="url") from None
