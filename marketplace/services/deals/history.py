"""A deal's delivery history: every submitted version, newest first, with what changed since
the one before (caption diff, links added and removed), what the brief checklist found, and
the brand's revision request that answered it. Read-only; the deal page shows it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from marketplace.models import Deal, DealEvent, Submission
from marketplace.services.deals.checklist import CheckItem, checklist

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
TOKEN_RE = re.compile(r"\s+|[^\s]+")


@dataclass
class Version:
    submission: Submission
    previous: Submission | None
    # (EQUAL | INSERT | DELETE, text) runs turning the previous caption into this one;
    # empty for the first version.
    caption_diff: list[tuple[str, str]] = field(default_factory=list)
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)
    checks: list[CheckItem] = field(default_factory=list)
    # The brand's request for changes that followed this version (None if there was none).
    revision_request: DealEvent | None = None

    @property
    def caption_changed(self) -> bool:
        return any(op != EQUAL for op, _ in self.caption_diff)

    @property
    def failing(self) -> list[CheckItem]:
        return [item for item in self.checks if not item.passed]


def caption_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two captions as (operation, text) runs; whitespace counts as a token
    so line breaks survive. Plain text out: the template escapes it."""
    a, b = TOKEN_RE.findall(old or ""), TOKEN_RE.findall(new or "")
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(EQUAL, b[j1:j2])
        else:  # replace = delete the old words, then insert the new ones
            add(DELETE, a[i1:i2])
            add(INSERT, b[j1:j2])
    return runs


def revision_requests(deal: Deal) -> list[DealEvent]:
    """The brand's revision requests in order. The state machine only allows one after each
    submission (submitted -> revision requested -> submitted), so the k-th request answers
    version k."""
    return [event for event in deal.events if event.action == "request_revision"]


def latest_revision_request(deal: Deal) -> DealEvent | None:
    requests = revision_requests(deal)
    return requests[-1] if requests else None


def versions(deal: Deal) -> list[Version]:
    """Every submission of the deal, newest first, each compared with the one before."""
    submissions = sorted(deal.submissions, key=lambda s: s.number)
    requests = revision_requests(deal)
    out = []
    previous: Submission | None = None
    for index, submission in enumerate(submissions):
        version = Version(submission=submission, previous=previous,
                          checks=checklist(deal, submission),
                          revision_request=requests[index] if index < len(requests) else None)
        if previous is not None:
            version.caption_diff = caption_diff(previous.caption, submission.caption)
            version.links_added = [u for u in submission.post_links
                                   if u not in previous.post_links]
            version.links_removed = [u for u in previous.post_links
                                     if u not in submission.post_links]
        out.append(version)
        previous = submission
    return list(reversed(out))
