"""Campaign writes: create, edit and the status state machine.

Every rule is checked before anything is touched, so a refusal leaves the row exactly as it
was. Listeners hear `campaign_changed` only after the commit.

State machine (see TRANSITIONS): a draft is published (open) or closed; an open campaign is
paused or closed; a paused one is resumed or closed; closed is final. Drafts are closed rather
than deleted so ids in links and logs never dangle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from marketplace import taxonomy
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import BrandProfile, Campaign, CampaignDeliverable, CampaignStatus
from marketplace.services.errors import DomainError, InvalidTransition
from marketplace.signals import campaign_changed
from matching.constraints import AUDIENCE_THRESHOLD

TITLE_MAX = 120
BRIEF_MIN, BRIEF_MAX = 20, 5000
MAX_DELIVERABLE_ROWS = 5
QUANTITY_MIN, QUANTITY_MAX = 1, 20
NICHES_MIN, NICHES_MAX = 1, 5
COUNTRIES_MAX = 10
# A creator not based in a target country qualifies with this share of audience there
# (unless the campaign requires creators based there): the matching engine's rule.
AUDIENCE_SHARE_MIN_PERCENT = round(AUDIENCE_THRESHOLD * 100)
FOLLOWERS_MAX = 100_000_000
BUDGET_MAX_CENTS = 100_000_000  # 1,000,000.00 in major units
CREATORS_WANTED_MIN, CREATORS_WANTED_MAX = 1, 100
# Days a creator's post must stay up once live (a takedown before is flagged to both sides).
LIVE_DAYS_MIN, LIVE_DAYS_DEFAULT, LIVE_DAYS_MAX = 1, 30, 365
TOKENS_MAX = 10
TOKEN_WORD_MAX = 28  # ten tokens with their separators fit the 300-character column

DISCLOSURES: dict[str, str] = {
    "#ad": "#ad",
    "#sponsored": "#sponsored",
    "paid partnership": "Platform's paid-partnership label",
}

# (current status, action) -> new status. Anything not listed is refused.
TRANSITIONS: dict[tuple[CampaignStatus, str], CampaignStatus] = {
    (CampaignStatus.DRAFT, "publish"): CampaignStatus.OPEN,
    (CampaignStatus.DRAFT, "close"): CampaignStatus.CLOSED,
    (CampaignStatus.OPEN, "pause"): CampaignStatus.PAUSED,
    (CampaignStatus.OPEN, "close"): CampaignStatus.CLOSED,
    (CampaignStatus.PAUSED, "resume"): CampaignStatus.OPEN,
    (CampaignStatus.PAUSED, "close"): CampaignStatus.CLOSED,
}
ACTIONS: tuple[str, ...] = ("publish", "pause", "resume", "close")
EDITABLE = frozenset({CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.PAUSED})

_TOKEN_PATTERNS = {
    "#": re.compile(rf"#\w{{1,{TOKEN_WORD_MAX}}}"),
    "@": re.compile(rf"@[\w.]{{1,{TOKEN_WORD_MAX}}}"),
}


@dataclass
class DeliverableRow:
    platform: str
    deliverable_type: str
    quantity: int


@dataclass
class CampaignData:
    """Everything a brand types into the campaign form, already converted to plain types."""

    title: str
    brief: str
    deliverables: list[DeliverableRow]
    niches: list[str]
    platforms: list[str]
    budget_min_cents: int
    budget_max_cents: int
    application_deadline: date
    content_due: date
    countries: list[str] = field(default_factory=list)
    creator_in_country: bool = False  # only creators based in `countries` qualify
    min_followers: int = 0
    currency: str = "USD"
    creators_wanted: int = 1
    usage_rights: str = "organic"
    required_disclosure: str = "#ad"
    required_hashtags: list[str] = field(default_factory=list)
    required_mentions: list[str] = field(default_factory=list)
    live_days: int = LIVE_DAYS_DEFAULT


def today_utc() -> date:
    return utcnow().date()


def parse_tokens(text: str, prefix: str, field_name: str) -> list[str]:
    """Split "#a, #b #c" into ['#a', '#b', '#c']; refuse anything that is not a clean token."""
    pattern = _TOKEN_PATTERNS[prefix]
    tokens = [t for t in re.split(r"[\s,]+", text or "") if t]
    kind = "hashtag" if prefix == "#" else "mention"
    for token in tokens:
        if not pattern.fullmatch(token):
            raise DomainError(
                f"“{token[:40]}” is not a valid {kind}: use {prefix} followed by letters, "
                f"digits or _ (up to {TOKEN_WORD_MAX}).", field=field_name)
    if len(tokens) > TOKENS_MAX:
        raise DomainError(f"Use at most {TOKENS_MAX} {kind}s.", field=field_name)
    unique = list(dict.fromkeys(tokens))
    return unique


def _check_vocab(values: list[str], vocab: dict[str, str], field_name: str, what: str) -> None:
    unknown = [v for v in values if v not in vocab]
    if unknown:
        raise DomainError(f"Unknown {what}: {unknown[0][:40]}.", field=field_name)


def check_dates(deadline: date, due: date, today: date | None = None) -> None:
    today = today or today_utc()
    if deadline <= today:
        raise DomainError("The application deadline must be in the future.",
                          field="application_deadline")
    if due <= today:
        raise DomainError("The content due date must be in the future.", field="content_due")
    if deadline > due:
        raise DomainError("The application deadline must be on or before the content due date.",
                          field="application_deadline")


def validate(data: CampaignData, today: date | None = None) -> None:
    """Raise DomainError (naming the form field) for the first rule the data breaks."""
    title = data.title.strip()
    if not title:
        raise DomainError("Give the campaign a title.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the title to {TITLE_MAX} characters.", field="title")
    brief = data.brief.strip()
    if not BRIEF_MIN <= len(brief) <= BRIEF_MAX:
        raise DomainError(f"The brief must be {BRIEF_MIN}-{BRIEF_MAX} characters.", field="brief")
    if not 1 <= len(data.deliverables) <= MAX_DELIVERABLE_ROWS:
        raise DomainError(f"List 1-{MAX_DELIVERABLE_ROWS} deliverables.", field="deliverables")
    for row in data.deliverables:
        _check_vocab([row.platform], taxonomy.PLATFORMS, "deliverables", "platform")
        _check_vocab([row.deliverable_type], taxonomy.DELIVERABLE_TYPES, "deliverables",
                     "deliverable type")
        if not QUANTITY_MIN <= row.quantity <= QUANTITY_MAX:
            raise DomainError(f"Quantity must be {QUANTITY_MIN}-{QUANTITY_MAX}.",
                              field="deliverables")
    if not NICHES_MIN <= len(set(data.niches)) <= NICHES_MAX:
        raise DomainError(f"Pick {NICHES_MIN}-{NICHES_MAX} niches.", field="niches")
    _check_vocab(data.niches, taxonomy.NICHES, "niches", "niche")
    if len(set(data.countries)) > COUNTRIES_MAX:
        raise DomainError(f"Pick at most {COUNTRIES_MAX} countries.", field="countries")
    _check_vocab(data.countries, taxonomy.COUNTRIES, "countries", "country")
    if not data.platforms:
        raise DomainError("Pick at least one platform.", field="platforms")
    _check_vocab(data.platforms, taxonomy.PLATFORMS, "platforms", "platform")
    if not 0 <= data.min_followers <= FOLLOWERS_MAX:
        raise DomainError("Minimum followers must be between 0 and 100,000,000.",
                          field="min_followers")
    for name, cents in (("budget_min", data.budget_min_cents),
                        ("budget_max", data.budget_max_cents)):
        if cents <= 0:
            raise DomainError("Enter an amount above zero.", field=name)
        if cents > BUDGET_MAX_CENTS:
            raise DomainError("The most a campaign can offer is 1,000,000.00.", field=name)
    if data.budget_min_cents > data.budget_max_cents:
        raise DomainError("The maximum must be at least the minimum.", field="budget_max")
    _check_vocab([data.currency], taxonomy.CURRENCIES, "currency", "currency")
    if not CREATORS_WANTED_MIN <= data.creators_wanted <= CREATORS_WANTED_MAX:
        raise DomainError(f"Ask for {CREATORS_WANTED_MIN}-{CREATORS_WANTED_MAX} creators.",
                          field="creators_wanted")
    check_dates(data.application_deadline, data.content_due, today)
    _check_vocab([data.usage_rights], taxonomy.USAGE_RIGHTS, "usage_rights", "usage right")
    _check_vocab([data.required_disclosure], DISCLOSURES, "required_disclosure", "disclosure")
    if (not isinstance(data.live_days, int)
            or not LIVE_DAYS_MIN <= data.live_days <= LIVE_DAYS_MAX):
        raise DomainError(f"Posts stay up {LIVE_DAYS_MIN}-{LIVE_DAYS_MAX} days.",
                          field="live_days")
    for name, prefix, tokens in (("required_hashtags", "#", data.required_hashtags),
                                 ("required_mentions", "@", data.required_mentions)):
        parse_tokens(" ".join(tokens), prefix, name)


def _apply(campaign: Campaign, data: CampaignData) -> None:
    campaign.title = data.title.strip()
    campaign.brief = data.brief.strip()
    campaign.min_followers = data.min_followers
    campaign.creator_in_country = bool(data.creator_in_country and data.countries)
    campaign.budget_min_cents = data.budget_min_cents
    campaign.budget_max_cents = data.budget_max_cents
    campaign.currency = data.currency
    campaign.creators_wanted = data.creators_wanted
    campaign.application_deadline = data.application_deadline
    campaign.content_due = data.content_due
    campaign.usage_rights = data.usage_rights
    campaign.required_disclosure = data.required_disclosure
    campaign.live_days = data.live_days
    campaign.required_hashtags = " ".join(dict.fromkeys(data.required_hashtags))
    campaign.required_mentions = " ".join(dict.fromkeys(data.required_mentions))
    _replace_list(campaign.niches, data.niches)
    _replace_list(campaign.countries, data.countries)
    _replace_list(campaign.platforms, data.platforms)
    campaign.deliverables = [
        CampaignDeliverable(platform=r.platform, deliverable_type=r.deliverable_type,
                            quantity=r.quantity)
        for r in data.deliverables
    ]


def _replace_list(proxy, values: list[str]) -> None:
    """Set an association-proxy list without delete+insert of rows that stay (PK clashes)."""
    wanted = list(dict.fromkeys(values))
    for value in [v for v in proxy if v not in wanted]:
        proxy.remove(value)
    for value in wanted:
        if value not in proxy:
            proxy.append(value)


def _commit_and_announce(campaign: Campaign) -> Campaign:
    db.session.commit()
    campaign_changed.send(campaign)
    return campaign


def create_campaign(brand: BrandProfile, data: CampaignData) -> Campaign:
    """Save a new draft for `brand`; nothing is written if any rule fails."""
    validate(data)
    campaign = Campaign(brand=brand, status=CampaignStatus.DRAFT)
    _apply(campaign, data)
    db.session.add(campaign)
    return _commit_and_announce(campaign)


def update_campaign(campaign: Campaign, data: CampaignData) -> Campaign:
    """Edit a draft, open or paused campaign; closed campaigns are final."""
    if campaign.status not in EDITABLE:
        raise InvalidTransition("A closed campaign can no longer be edited.")
    validate(data)
    _apply(campaign, data)
    return _commit_and_announce(campaign)


def allowed_actions(campaign: Campaign) -> list[str]:
    """The actions the state machine allows from the campaign's current status, in UI order."""
    return [a for a in ACTIONS if (campaign.status, a) in TRANSITIONS]


def transition(campaign: Campaign, action: str) -> Campaign:
    """Move the campaign along TRANSITIONS; anything else raises InvalidTransition."""
    target = TRANSITIONS.get((campaign.status, action))
    if target is None:
        raise InvalidTransition(
            f"You can't {action} a campaign that is {campaign.status.value}."
            if action in ACTIONS else f"Unknown action “{action[:20]}”.")
    if action == "publish":
        _check_publishable(campaign)
    campaign.status = target
    if target == CampaignStatus.OPEN and campaign.published_at is None:
        campaign.published_at = utcnow()
    return _commit_and_announce(campaign)


def _check_publishable(campaign: Campaign) -> None:
    """A draft may sit for weeks: its dates and targeting must still make sense at publish."""
    try:
        check_dates(campaign.application_deadline, campaign.content_due)
    except DomainError as exc:
        raise DomainError(f"{exc.message} Edit the dates, then publish.", field=exc.field) from exc
    if not campaign.deliverables or not campaign.niches or not campaign.platforms:
        raise DomainError("Add deliverables, niches and platforms before publishing.")
