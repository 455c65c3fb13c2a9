"""The brief checklist: does a submission's caption carry what the campaign requires?"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marketplace.models import Deal, Submission


@dataclass(frozen=True)
class CheckItem:
    label: str
    passed: bool
    detail: str


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


def checklist(deal: Deal, submission: Submission | None) -> list[CheckItem]:
    """One item per requirement of the campaign, checked against the submitted caption."""
    campaign = deal.campaign
    caption = submission.caption if submission else ""
    items = []
    disclosure = (campaign.required_disclosure or "").strip()
    if disclosure:
        ok = contains_token(caption, disclosure)
        items.append(CheckItem(f"Disclosure “{disclosure}”", ok,
                               "Found in the caption." if ok else
                               f"Add “{disclosure}” to the caption (as its own word)."))
    for tag in split_tags(campaign.required_hashtags, "#"):
        ok = contains_token(caption, tag)
        items.append(CheckItem(f"Hashtag {tag}", ok,
                               "Found in the caption." if ok else f"Add {tag} to the caption."))
    for mention in split_tags(campaign.required_mentions, "@"):
        ok = contains_token(caption, mention)
        items.append(CheckItem(f"Mention {mention}", ok,
                               "Found in the caption." if ok else
                               f"Mention {mention} in the caption."))
    if submission is not None:
        ok = bool(submission.post_links)
        items.append(CheckItem("Post links", ok, f"{len(submission.post_links)} link(s)."
                               if ok else "Add the link to each published post."))
    return items
