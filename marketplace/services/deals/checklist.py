"""The brief checklist: does a submission carry what the campaign requires?

Items: the required disclosure (e.g. #ad — a legal requirement), required hashtags and
mentions (in the caption), and a post link on each platform the deal pays for. The state
machine evaluates them on submit: a failing item must be fixed or acknowledged by the creator
with a reason, and while any item fails the deal is not approved automatically (the brand
decides). What was checked is stored with each version (SubmissionCheck)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from marketplace.models import Deal, Submission
from marketplace.models.deliverable import UNPOSTED_TYPES
from marketplace.services.errors import DomainError
from marketplace.taxonomy import PLATFORMS

REASON_MIN, REASON_MAX = 5, 300

# A post link counts for a platform when its host is one of these or a subdomain of one
# (www.tiktok.com, vm.tiktok.com, m.youtube.com ...).
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "tiktok": ("tiktok.com",),
    "instagram": ("instagram.com", "instagr.am"),
    "youtube": ("youtube.com", "youtu.be"),
}
# Deliverables that are never posted by the creator (the brand receives the file).


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    passed: bool
    detail: str
    acknowledgement: str = ""


class ChecklistIncomplete(DomainError):
    """Submit refused: items that fail and were not acknowledged, or acknowledged badly.
    `problems` maps each item's key to the message to show beside it."""

    def __init__(self, problems: dict[str, str], labels: dict[str, str]):
        names = ", ".join(labels[key] for key in problems)
        super().__init__(f"The brief checklist is not met: {names}. Fix each item, or "
                         "acknowledge it with a reason.", field="acknowledgements")
        self.problems = problems


def split_tags(raw: str, prefix: str) -> list[str]:
    """'summer, #glow  skincare' -> ['#summer', '#glow', '#skincare'] for prefix '#'."""
    tags = []
    for part in re.split(r"[\s,]+", raw or ""):
        part = part.strip()
        if part and part != prefix:
            tags.append(part if part.startswith(prefix) else prefix + part)
    return list(dict.fromkeys(tags))


def contains_token(text: str, token: str) -> bool:
    """Whole-token, case-insensitive: '#ad' matches '#AD!' but not '#adventure' or 'x#ad'."""
    pattern = rf"(?<![\w#@]){re.escape(token)}(?![\w])"
    return re.search(pattern, text or "", flags=re.IGNORECASE) is not None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""


def on_platform(url: str, platform: str) -> bool:
    host = host_of(url)
    return any(host == domain or host.endswith("." + domain)
               for domain in PLATFORM_HOSTS.get(platform, ()))


def posting_platforms(deal: Deal) -> list[str]:
    """The platforms the deal pays for posts on, in the order of its deliverables."""
    found = [d.get("platform") for d in deal.deliverables or []
             if d.get("deliverable_type") not in UNPOSTED_TYPES]
    return [p for p in dict.fromkeys(found) if p in PLATFORM_HOSTS]


def _unique_ignoring_case(tokens: list[str]) -> list[str]:
    """'#Glow #glow' is one requirement (contains_token ignores case; keys are lower-case)."""
    seen: set[str] = set()
    return [t for t in tokens if not (t.lower() in seen or seen.add(t.lower()))]


def evaluate(deal: Deal, caption: str, post_links: Iterable[str]) -> list[CheckItem]:
    """One item per requirement of the campaign and the deal, checked against a caption and
    links (those of a stored version, or those being submitted)."""
    campaign = deal.campaign
    links = list(post_links)
    items = []
    disclosure = (campaign.required_disclosure or "").strip()
    if disclosure:
        ok = contains_token(caption, disclosure)
        hint = (" (or acknowledge that you used the platform's paid-partnership label)"
                if disclosure.lower() == "paid partnership" else " (as its own word)")
        items.append(CheckItem("disclosure", f"Disclosure “{disclosure}”", ok,
                               "Found in the caption." if ok else
                               f"Add “{disclosure}” to the caption{hint}."))
    for tag in _unique_ignoring_case(split_tags(campaign.required_hashtags, "#")):
        ok = contains_token(caption, tag)
        items.append(CheckItem(f"hashtag:{tag.lower()}", f"Hashtag {tag}", ok,
                               "Found in the caption." if ok else f"Add {tag} to the caption."))
    for mention in _unique_ignoring_case(split_tags(campaign.required_mentions, "@")):
        ok = contains_token(caption, mention)
        items.append(CheckItem(f"mention:{mention.lower()}", f"Mention {mention}", ok,
                               "Found in the caption." if ok else
                               f"Mention {mention} in the caption."))
    for platform in posting_platforms(deal):
        name = PLATFORMS.get(platform, platform)
        domains = " or ".join(PLATFORM_HOSTS[platform])
        matching = [url for url in links if on_platform(url, platform)]
        others = sorted({host_of(url)[:60] for url in links if url not in matching} - {""})[:2]
        if matching:
            detail = f"{len(matching)} {name} link(s)."
        else:
            detail = f"Add the link to the published {name} post ({domains})."
            if others:
                detail += f" {', '.join(others)} is not {name}."
        items.append(CheckItem(f"platform:{platform}", f"{name} post link", bool(matching),
                               detail))
    return items


def requirements(deal: Deal) -> list[CheckItem]:
    """The items a submission will be checked against (not yet checked: passed is False)."""
    return evaluate(deal, "", [])


def checklist(deal: Deal, submission: Submission | None) -> list[CheckItem]:
    """What a version was checked against: its stored items, or, for versions stored before
    checks were kept (and for no version at all), the campaign's requirements checked now."""
    if submission is None:
        return requirements(deal)
    if submission.checks:
        return [CheckItem(c.key, c.label, c.passed, c.detail, c.acknowledgement)
                for c in submission.checks]
    return evaluate(deal, submission.caption, submission.post_links)


def apply_acknowledgements(items: list[CheckItem], acknowledgements: Any) -> list[CheckItem]:
    """Attach the creator's reasons to the failing items. Refuses (ChecklistIncomplete) when a
    failing item has no reason or a reason of the wrong length; acknowledgements of items that
    pass are dropped; anything that is not {known item key: text} is refused."""
    if acknowledgements is None:
        acknowledgements = {}
    if not isinstance(acknowledgements, Mapping):
        raise DomainError("Acknowledgements must name checklist items.",
                          field="acknowledgements")
    labels = {item.key: item.label for item in items}
    unknown = [key for key in acknowledgements if key not in labels]
    if unknown:
        raise DomainError("The brief changed while you were editing: check the list again.",
                          field="acknowledgements")
    problems: dict[str, str] = {}
    out = []
    for item in items:
        if item.passed:
            out.append(item)
            continue
        reason = acknowledgements.get(item.key)
        if not isinstance(reason, str) or not reason.strip():
            problems[item.key] = (f"{item.detail} Or tick “Submit without it” and say why.")
            continue
        reason = " ".join(reason.split())
        if not REASON_MIN <= len(reason) <= REASON_MAX:
            problems[item.key] = (f"Say why in {REASON_MIN}-{REASON_MAX} characters.")
            continue
        out.append(CheckItem(item.key, item.label, False, item.detail, reason))
    if problems:
        raise ChecklistIncomplete(problems, labels)
    return out


def pause_summary(items: Iterable[CheckItem]) -> str:
    """Why automatic approval waits, for the deal's timeline and notices ('' when nothing
    fails)."""
    failing = [item for item in items if not item.passed]
    if not failing:
        return ""
    lines = [f"- {item.label}: “{item.acknowledgement}”" for item in failing]
    return ("Automatic approval is paused: the creator submitted without "
            f"{len(failing)} brief item{'s' if len(failing) != 1 else ''} and said why:\n"
            + "\n".join(lines))


def auto_approval_paused_reason(deal: Deal, side: str | None = None) -> str | None:
    """Why automatic approval waits for the brand, phrased for `side` ("brand", "creator",
    or None for anyone else); None when it is not paused."""
    if not deal.auto_approval_paused:
        return None
    failing = deal.latest_submission.failing_checks
    n = len(failing)
    items = f"{n} brief item{'s' if n != 1 else ''} {'is' if n == 1 else 'are'} not met"
    names = ", ".join(check.label for check in failing)
    reason = f"Automatic approval is paused: {items} ({names})"
    if side == "brand":
        return (f"{reason}. {deal.creator.display_name} submitted without "
                f"{'it' if n == 1 else 'them'} and said why (below). Nothing is approved "
                "automatically: approve it yourself, or ask for a revision.")
    if side == "creator":
        return (f"{reason}. You submitted without {'it' if n == 1 else 'them'} and said why; "
                f"{deal.brand.company_name} decides, nothing is approved automatically.")
    return (f"{reason}. The creator submitted without {'it' if n == 1 else 'them'} and said "
            "why; the brand approves or asks for a revision.")
