"""Demo data: a reproducible, believable marketplace (same seed -> same data).

`seed_all()` builds everything in one transaction; the pieces (`seed_creators`, `seed_brands`,
`seed_campaigns`, `seed_admin`) return what they made so later features (deals, outcomes) can
build on top of them. All demo money is USD so rates and budgets compare directly.
Passwords: the three demo log-ins in DEMO_LOGINS; every other demo account uses
OTHER_PASSWORD (hashed once: hashing 300 passwords would take half a minute).
"""

from __future__ import annotations

import functools
import io
import math
import random
import secrets
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from marketplace.database import utcnow
from marketplace.demo.history import seed_outcomes
from marketplace.demo.text import (
    BIO_CLOSERS,
    BIO_OPENERS,
    BRAND_CREATOR_ASK,
    BRAND_PITCH,
    BRAND_SUFFIX,
    BRAND_WORDS,
    CAMPAIGN_BRIEF,
    CAMPAIGN_TITLES,
    CAPTION_TAILS,
    COUNTRY_INFO,
    FIRST_NAMES,
    INDUSTRY_NICHES,
    LAST_NAMES,
    NICHE_TEXT,
    SEASONS,
)
from marketplace.extensions import db
from marketplace.models import (
    AudienceCountry,
    BrandProfile,
    Campaign,
    CampaignDeliverable,
    CampaignStatus,
    CreatorProfile,
    Package,
    PlatformAccount,
    Role,
    SamplePost,
    User,
)
from marketplace.services.accounts import uploads
from marketplace.taxonomy import AGE_BANDS, INDUSTRIES, NICHES, PLATFORMS

DEFAULT_SEED = 42
DEMO_LOGINS: dict[Role, tuple[str, str]] = {
    Role.BRAND: ("brand@demo.duet", "demo-brand-pass"),
    Role.CREATOR: ("creator@demo.duet", "demo-creator-pass"),
    Role.ADMIN: ("admin@demo.duet", "demo-admin-pass"),
}
OTHER_PASSWORD = "demo-user-pass"

MIN_FOLLOWERS, MAX_FOLLOWERS = 2_000, 5_000_000
PLATFORM_WEIGHTS = {"tiktok": 45, "instagram": 35, "youtube": 20}
# Share of each audience that is female, by niche (the rest male, plus a little "other").
FEMALE_SHARE = {
    "beauty": 82, "skincare": 78, "fashion": 70, "parenting": 72, "wellness": 70, "home": 66,
    "books": 72, "dance": 64, "gaming": 28, "automotive": 22, "sports": 32, "finance": 40,
    "tech": 30, "business": 42, "science": 42,
}
# Niches whose audiences skew young (13-24) or older (35+).
YOUNG_NICHES = {"gaming", "dance", "comedy", "music", "fashion", "beauty", "education"}
OLDER_NICHES = {"parenting", "finance", "home", "automotive", "business", "outdoors"}
# Price of a deliverable relative to one short video.
DELIVERABLE_FACTOR = {"short_video": 1.0, "long_video": 2.4, "story": 0.35, "post": 0.6,
                      "live": 1.5, "ugc": 0.5}
PLATFORM_DELIVERABLES = {
    "tiktok": ("short_video", "short_video", "live", "ugc"),
    "instagram": ("short_video", "story", "post", "ugc"),
    "youtube": ("short_video", "long_video", "long_video"),
}
DELIVERABLE_TITLE = {
    "short_video": "{n} {platform} video{s}, 30-60 s",
    "long_video": "{n} {platform} video{s}, 5-10 min",
    "story": "{n} {platform} stor{ies}", "post": "{n} {platform} photo post{s}",
    "live": "{n} {platform} live stream{s}, 30 min", "ugc": "{n} UGC video{s} for your ads",
}


@dataclass
class SeedResult:
    creators: list[CreatorProfile] = field(default_factory=list)
    brands: list[BrandProfile] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    admin: User | None = None
    outcomes: int = 0


# -- small helpers -----------------------------------------------------------------------------

def database_is_empty() -> bool:
    """True when no account exists yet (`flask seed --if-empty` seeds only then)."""
    return not db.session.scalar(select(func.count(User.id)))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _weighted(rng: random.Random, weights: dict[str, int | float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sample_weighted(rng: random.Random, weights: dict[str, int | float], k: int) -> list[str]:
    """k distinct keys, likelier ones first more often."""
    pool = dict(weights)
    picked = []
    for _ in range(min(k, len(pool))):
        key = _weighted(rng, pool)
        picked.append(key)
        del pool[key]
    return picked


def _round_price(cents: float) -> int:
    """Prices people would quote: $5 steps under $500, $25 under $5,000, $100 above."""
    dollars = max(cents / 100, 50)
    step = 5 if dollars < 500 else 25 if dollars < 5000 else 100
    return int(round(dollars / step) * step) * 100


def _percentages(rng: random.Random, keys, weights) -> dict[str, int]:
    """Integer percentages over `keys` that sum to exactly 100."""
    raw = [w * rng.uniform(0.6, 1.4) for w in weights]
    total = sum(raw)
    shares = [int(r / total * 100) for r in raw]
    shares[raw.index(max(raw))] += 100 - sum(shares)
    return dict(zip(keys, shares, strict=True))


def _random_id(rng: random.Random, length: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _user(email: str, role: Role, password_hash: str, created_at: datetime) -> User:
    return User(email=email, role=role, password_hash=password_hash, created_at=created_at,
                session_token=secrets.token_hex(16))


@functools.cache
def password_hash(password: str) -> str:
    """Hash each demo password once per process (scrypt is slow on purpose)."""
    return generate_password_hash(password)


def _demo_user(role: Role, created_at: datetime) -> User:
    email, password = DEMO_LOGINS[role]
    return _user(email, role, password_hash(password), created_at)


def _past(rng: random.Random, now: datetime, max_days: int) -> datetime:
    return now - timedelta(days=rng.uniform(1, max_days), seconds=rng.randint(0, 86_399))


AVATAR_COLOURS = ((79, 70, 229), (219, 39, 119), (13, 148, 136), (234, 88, 12), (37, 99, 235),
                  (124, 58, 237), (22, 163, 74), (190, 18, 60), (8, 145, 178), (71, 85, 105))


def make_avatar(key: str, label: str, upload_dir: str) -> str:
    """A coloured square with initials, stored like an uploaded image; returns its name.
    The colour comes from `key` (not the main generator), so images never change the data."""
    size = 192
    image = Image.new("RGB", (size, size), random.Random(key).choice(AVATAR_COLOURS))
    font = ImageFont.load_default(size=84)
    ImageDraw.Draw(image).text((size / 2, size / 2), label.upper()[:2], font=font, anchor="mm",
                               fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return uploads.write_image(uploads.CleanImage(out.getvalue(), size, size), upload_dir)


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]) or "?"


# -- creators ----------------------------------------------------------------------------------

def _followers(rng: random.Random) -> int:
    """Log-normal around ~40K, clipped to 2K-5M: many small creators, a few stars."""
    value = 10 ** rng.gauss(4.6, 0.65)
    return int(min(max(value, MIN_FOLLOWERS), MAX_FOLLOWERS))


def _engagement(rng: random.Random, followers: int) -> float:
    """Smaller accounts engage more: ~9% at 2K, ~6% at 40K, down to ~1% at 5M."""
    rate = 9 - 2.4 * (math.log10(followers) - 3.3) + rng.gauss(0, 1.2)
    return round(min(max(rate, 1.0), 12.0), 2)


def _creator_identity(rng: random.Random, country: str, taken: set[str]) -> tuple[str, str, str]:
    language, _, _ = COUNTRY_INFO[country]
    first = rng.choice(FIRST_NAMES[language])
    last = rng.choice(LAST_NAMES[language])
    base_first, base_last = _ascii(first).replace(" ", ""), _ascii(last).replace(" ", "")
    patterns = (f"{base_first}{base_last}", f"{base_first}_{base_last}", f"{base_first}.creates",
                f"its{base_first}", f"{base_first}{base_last[0]}", f"{base_first}_films")
    handle = rng.choice(patterns).replace(".", "_")[:30]
    while handle in taken:
        handle = f"{handle[:26]}{rng.randint(10, 999)}"
    taken.add(handle)
    return first, last, handle


def _bio(rng: random.Random, first: str, city: str, niches: list[str]) -> str:
    lines = [rng.choice(BIO_OPENERS).format(first=first, city=city)]
    lines.append(rng.choice(NICHE_TEXT[niches[0]].bio))
    if len(niches) > 1:
        lines.append(rng.choice(NICHE_TEXT[niches[1]].bio))
    lines.append(rng.choice(BIO_CLOSERS))
    return " ".join(lines)


def _accounts(rng: random.Random, handle: str, primary: str, count: int) -> list[PlatformAccount]:
    platforms = [primary] + [p for p in _sample_weighted(rng, PLATFORM_WEIGHTS, 3)
                             if p != primary][: count - 1]
    size = _followers(rng)
    accounts = []
    for i, platform in enumerate(platforms):
        followers = size if i == 0 else max(MIN_FOLLOWERS, int(size * rng.uniform(0.05, 0.8)))
        engagement = _engagement(rng, followers)
        views = int(followers * rng.uniform(0.08, 0.4) * (engagement / 6))
        accounts.append(PlatformAccount(platform=platform, handle=f"@{handle}",
                                        followers=followers, avg_views=max(views, 200),
                                        engagement_rate=engagement))
    return accounts


def _audience(rng: random.Random, home: str) -> list[AudienceCountry]:
    """Home country first, then 1-3 others; shares sum to at most 100."""
    home_share = round(rng.uniform(30, 75), 1)
    weights = {c: w for c, (_, _, w) in COUNTRY_INFO.items() if c != home}
    rows = [AudienceCountry(country=home, share=home_share)]
    left = 100 - home_share
    for country in _sample_weighted(rng, weights, rng.randint(1, 3)):
        share = round(left * rng.uniform(0.2, 0.6), 1)
        if share < 1:
            break
        rows.append(AudienceCountry(country=country, share=share))
        left -= share
    return rows


def _audience_ages(rng: random.Random, niches: list[str]) -> dict[str, int]:
    weights = [8, 30, 32, 18, 12]
    if niches[0] in YOUNG_NICHES:
        weights = [18, 42, 24, 10, 6]
    elif niches[0] in OLDER_NICHES:
        weights = [3, 18, 36, 26, 17]
    return _percentages(rng, AGE_BANDS, weights)


def _audience_gender(rng: random.Random, niches: list[str]) -> dict[str, int]:
    female = min(max(int(FEMALE_SHARE.get(niches[0], 55) + rng.gauss(0, 6)), 5), 95)
    other = rng.randint(0, 3)
    return {"female": female, "male": 100 - female - other, "other": other}


def _samples(rng: random.Random, handle: str, niches: list[str],
             accounts: list[PlatformAccount]) -> list[SamplePost]:
    posts = []
    for position in range(rng.randint(2, 6)):
        platform = rng.choice(accounts).platform
        if platform == "tiktok":
            url = f"https://www.tiktok.com/@{handle}/video/{rng.randint(7 * 10**18, 8 * 10**18)}"
        elif platform == "instagram":
            url = f"https://www.instagram.com/reel/{_random_id(rng, 11, string.ascii_letters)}/"
        else:
            url = f"https://www.youtube.com/shorts/{_random_id(rng, 11, string.ascii_letters)}"
        topic = rng.choice(NICHE_TEXT[rng.choice(niches)].captions)
        caption = (topic[0].upper() + topic[1:] + rng.choice(CAPTION_TAILS))[:300]
        posts.append(SamplePost(position=position, url=url, caption=caption))
    return posts


def _packages(rng: random.Random, accounts: list[PlatformAccount]) -> list[Package]:
    """1-4 rate-card lines priced from followers (about $8-20 per 1K) and engagement."""
    lines: list[Package] = []
    seen: set[tuple[str, str, int]] = set()
    for _ in range(rng.randint(1, 4)):
        account = rng.choice(accounts)
        kind = rng.choice(PLATFORM_DELIVERABLES[account.platform])
        quantity = 1 if kind in ("long_video", "live") else rng.choice((1, 1, 1, 2, 3))
        if (account.platform, kind, quantity) in seen:
            continue
        seen.add((account.platform, kind, quantity))
        per_follower = rng.uniform(0.8, 2.0) * (0.7 + account.engagement_rate / 12)
        cents = account.followers * per_follower * DELIVERABLE_FACTOR[kind] * quantity
        if kind == "ugc":  # UGC is paid for the footage, not the reach
            cents = rng.uniform(150, 600) * 100 * quantity
        platform_label = PLATFORMS[account.platform]
        title = DELIVERABLE_TITLE[kind].format(
            n=quantity, platform=platform_label, s="" if quantity == 1 else "s",
            ies="y" if quantity == 1 else "ies")
        usage = rng.choice(("organic", "organic", "organic", "paid_30", "paid_90"))
        if usage != "organic":
            cents *= 1.3
        lines.append(Package(
            title=title, platform=account.platform, deliverable_type=kind,
            price_cents=_round_price(cents), currency="USD",
            turnaround_days=rng.choice((3, 5, 7, 7, 10, 14)), revisions=rng.choice((0, 1, 1, 2)),
            usage_rights=usage,
            description=f"Concept, filming and editing; {'one' if quantity == 1 else quantity} "
                        f"round{'s' if quantity != 1 else ''} of feedback included."[:500],
        ))
    return lines


def _denormalise(profile: CreatorProfile) -> None:
    profile.total_followers = sum(a.followers for a in profile.accounts)
    profile.top_engagement = max((a.engagement_rate for a in profile.accounts), default=0.0)
    profile.min_price_cents = min((p.price_cents for p in profile.packages), default=None)


def build_creator(rng: random.Random, *, user: User, primary_niche: str, taken: set[str],
                  now: datetime, complete: bool = False,
                  extra_niches: list[str] | None = None) -> CreatorProfile:
    """One creator with everything a profile page shows; `complete` fills every section."""
    country = _weighted(rng, {c: w for c, (_, _, w) in COUNTRY_INFO.items()})
    language, city, _ = COUNTRY_INFO[country]
    first, last, handle = _creator_identity(rng, country, taken)
    others = [n for n in NICHES if n != primary_niche]
    if extra_niches is None:
        extra_niches = rng.sample(others, rng.choice((0, 1, 1, 2)))
    niches = [primary_niche, *extra_niches]
    languages = [language] + (["en"] if language != "en" and rng.random() < 0.6 else [])
    if rng.random() < 0.15:
        languages.append(rng.choice([code for code in ("es", "fr", "de", "pt") if code
                                     not in languages]))
    primary = _weighted(rng, PLATFORM_WEIGHTS)
    accounts = _accounts(rng, handle, primary, 3 if complete else rng.choice((1, 1, 2, 2, 3)))
    created = user.created_at
    profile = CreatorProfile(
        user=user, handle=handle, display_name=f"{first} {last}",
        bio=_bio(rng, first, city, niches), country=country, languages=languages,
        audience_ages=_audience_ages(rng, niches), audience_gender=_audience_gender(rng, niches),
        created_at=created, updated_at=created + (now - created) * rng.random(),
    )
    profile.niches.extend(niches)
    profile.accounts.extend(accounts)
    profile.audience_countries.extend(_audience(rng, country))
    profile.samples.extend(_samples(rng, handle, niches, accounts))
    packages = _packages(rng, accounts)
    while complete and len(packages) < 3:
        packages += _packages(rng, accounts)
    profile.packages.extend(packages[:4])
    _denormalise(profile)
    return profile


def seed_creators(rng: random.Random, count: int, *, password_hash: str,
                  now: datetime | None = None, upload_dir: str | None = None,
                  ) -> list[CreatorProfile]:
    """`count` creators; niches go round-robin so every niche gets its share. The first is the
    demo creator (creator@demo.duet) with a complete skincare/beauty profile. Most creators get
    an initials avatar written to `upload_dir` (skipped when it is None)."""
    now = now or utcnow()
    order = list(NICHES)
    rng.shuffle(order)
    taken: set[str] = set()
    creators = []
    for i in range(count):
        created = _past(rng, now, 400)
        if i == 0:
            user = _demo_user(Role.CREATOR, created)
            profile = build_creator(rng, user=user, primary_niche="skincare", taken=taken,
                                    now=now, complete=True, extra_niches=["beauty"])
        else:
            primary_niche = order[i % len(order)]
            user = _user("", Role.CREATOR, password_hash, created)
            profile = build_creator(rng, user=user, primary_niche=primary_niche, taken=taken,
                                    now=now)
            user.email = f"{profile.handle}@creators.demo.duet"
        if upload_dir and (i == 0 or random.Random(profile.handle).random() < 0.85):
            profile.avatar = make_avatar(profile.handle, _initials(profile.display_name),
                                         upload_dir)
        creators.append(profile)
    db.session.add_all(creators)
    return creators


# -- brands ------------------------------------------------------------------------------------

def build_brand(rng: random.Random, *, user: User, industry: str, taken: set[str]) -> BrandProfile:
    word = rng.choice(BRAND_WORDS)
    name = f"{word} {rng.choice(BRAND_SUFFIX[industry])}"
    handle = _ascii(name).replace(" ", "_").replace(".", "")
    while handle in taken:
        handle = f"{handle}_{rng.randint(2, 99)}"
    taken.add(handle)
    product = rng.choice(NICHE_TEXT[INDUSTRY_NICHES[industry][0]].products)
    pitch = rng.choice(BRAND_PITCH).format(product=product, n=rng.randint(2, 90),
                                           year=rng.randint(2008, 2023))
    description = (f"{name} is a {INDUSTRIES[industry].lower()} brand. {pitch} "
                   f"{rng.choice(BRAND_CREATOR_ASK)}")
    country = _weighted(rng, {"US": 12, "GB": 5, "CA": 2, "AU": 2, "DE": 2, "FR": 2, "NL": 1,
                              "SE": 1, "ES": 1, "BR": 1, "SG": 1})
    return BrandProfile(user=user, handle=handle, company_name=name,
                        website=f"https://www.{handle.replace('_', '')}.example.com",
                        industry=industry, description=description, country=country,
                        created_at=user.created_at)


def seed_brands(rng: random.Random, count: int, *, password_hash: str,
                now: datetime | None = None, upload_dir: str | None = None,
                ) -> list[BrandProfile]:
    """`count` brands spread over the industries; the first is the demo brand (beauty).
    Each gets an initials logo written to `upload_dir` (skipped when it is None)."""
    now = now or utcnow()
    industries = list(INDUSTRIES)
    rng.shuffle(industries)
    taken: set[str] = set()
    brands = []
    for i in range(count):
        created = _past(rng, now, 500)
        if i == 0:
            user, industry = _demo_user(Role.BRAND, created), "beauty"
        else:
            user = _user("", Role.BRAND, password_hash, created)
            industry = industries[(i - 1) % len(industries)]
        brand = build_brand(rng, user=user, industry=industry, taken=taken)
        if i:
            user.email = f"team@{brand.handle.replace('_', '-')}.brands.demo.duet"
        if upload_dir:
            brand.logo = make_avatar(brand.handle, _initials(brand.company_name), upload_dir)
        brands.append(brand)
    db.session.add_all(brands)
    return brands


# -- campaigns ---------------------------------------------------------------------------------

DEMO_BRAND_STATES = (CampaignStatus.OPEN, CampaignStatus.OPEN, CampaignStatus.DRAFT,
                     CampaignStatus.PAUSED, CampaignStatus.CLOSED)
STATUS_WEIGHTS = {CampaignStatus.OPEN: 72, CampaignStatus.DRAFT: 10, CampaignStatus.PAUSED: 8,
                  CampaignStatus.CLOSED: 10}
FOLLOWER_TIERS = (0, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000)


def _budget(rng: random.Random, min_followers: int, deliverables: list[CampaignDeliverable],
            ) -> tuple[int, int]:
    """Per-creator budget in line with what creators just above the follower floor charge."""
    reach = max(min_followers, 8_000) * rng.uniform(1.5, 4.0)
    units = sum(DELIVERABLE_FACTOR[d.deliverable_type] * d.quantity for d in deliverables)
    top = _round_price(reach * rng.uniform(1.0, 1.8) * max(units, 0.5))
    bottom = _round_price(top * rng.uniform(0.4, 0.75))
    return min(bottom, top), top


def build_campaign(rng: random.Random, *, brand: BrandProfile, status: CampaignStatus,
                   today: date, now: datetime) -> Campaign:
    niche_pool = INDUSTRY_NICHES[brand.industry]
    niches = rng.sample(niche_pool, rng.choice((1, 1, 2)))
    main = niches[0]
    # What the brand sells comes from its industry; who should film it, from the niches.
    product = rng.choice(NICHE_TEXT[niche_pool[0]].products)
    platforms = _sample_weighted(rng, PLATFORM_WEIGHTS, rng.choice((1, 1, 2)))
    deliverables = []
    for platform in platforms:
        kind = rng.choice(PLATFORM_DELIVERABLES[platform][:2])
        deliverables.append(CampaignDeliverable(platform=platform, deliverable_type=kind,
                                                quantity=rng.choice((1, 1, 2))))
    home = brand.country or "US"
    countries = [home] + [c for c in _sample_weighted(
        rng, {"US": 8, "GB": 4, "CA": 3, "AU": 2, "DE": 2, "FR": 1, "IE": 1}, rng.randint(0, 2))
        if c != home]
    min_followers = rng.choice(FOLLOWER_TIERS)
    budget_min, budget_max = _budget(rng, min_followers, deliverables)
    niche_label = NICHES[main]
    words = {"product": product, "Product": product[0].upper() + product[1:],
             "Season": rng.choice(SEASONS), "niche_label": niche_label}
    title = rng.choice(CAMPAIGN_TITLES).format(**words)[:120]
    brief = rng.choice(CAMPAIGN_BRIEF).format(
        product=product, niche_label_lower=niche_label.lower(),
        deliverable=deliverables[0].deliverable_type.replace("_", " "),
        niche_bio=rng.choice(NICHE_TEXT[main].bio))
    deadline = today + timedelta(days=rng.randint(7, 45))
    created = _past(rng, now, 60)
    tag = brand.handle.split("_")[0]
    campaign = Campaign(
        brand=brand, title=title, brief=brief, status=status, min_followers=min_followers,
        budget_min_cents=budget_min, budget_max_cents=budget_max, currency="USD",
        creators_wanted=rng.choice((1, 2, 3, 3, 5, 8, 10)), application_deadline=deadline,
        content_due=deadline + timedelta(days=rng.randint(10, 40)),
        usage_rights=rng.choice(("organic", "organic", "paid_30", "paid_60", "paid_90")),
        required_disclosure=rng.choice(("#ad", "#ad", "#sponsored", "#partner")),
        required_hashtags=f"#{tag}{main} #{tag}",
        required_mentions=f"@{brand.handle}",
        created_at=created, updated_at=created,
        published_at=None if status == CampaignStatus.DRAFT else created + timedelta(hours=2),
    )
    campaign.niches.extend(niches)
    campaign.countries.extend(countries)
    campaign.platforms.extend(platforms)
    campaign.deliverables.extend(deliverables)
    return campaign


def seed_campaigns(rng: random.Random, brands: list[BrandProfile], count: int, *,
                   now: datetime | None = None) -> list[Campaign]:
    """`count` campaigns, mostly open; the demo brand (brands[0]) gets one in every state."""
    now = now or utcnow()
    today = now.date()
    campaigns = []
    for i in range(count):
        if i < len(DEMO_BRAND_STATES):
            brand, status = brands[0], DEMO_BRAND_STATES[i]
        else:
            brand = brands[1 + (i % (len(brands) - 1))] if len(brands) > 1 else brands[0]
            status = _weighted(rng, STATUS_WEIGHTS)
        campaigns.append(build_campaign(rng, brand=brand, status=status, today=today, now=now))
    db.session.add_all(campaigns)
    return campaigns


# -- everything --------------------------------------------------------------------------------

def seed_admin(now: datetime | None = None) -> User:
    admin = _demo_user(Role.ADMIN, now or utcnow())
    db.session.add(admin)
    return admin


def seed_all(seed: int = DEFAULT_SEED, *, creators: int = 300, brands: int = 30,
             campaigns: int = 60, images: bool = True) -> SeedResult:
    """Build the whole demo marketplace in one transaction and commit it. `images` writes
    avatars and logos into the app's UPLOAD_DIR."""
    if creators < 1 or brands < 1 or campaigns < 0:
        raise ValueError("need at least one creator and one brand")
    rng = random.Random(seed)
    now = utcnow()
    shared_hash = password_hash(OTHER_PASSWORD)
    result = SeedResult()
    result.admin = seed_admin(now)
    upload_dir = current_app.config["UPLOAD_DIR"] if images else None
    result.creators = seed_creators(rng, creators, password_hash=shared_hash, now=now,
                                    upload_dir=upload_dir)
    result.brands = seed_brands(rng, brands, password_hash=shared_hash, now=now,
                                upload_dir=upload_dir)
    result.campaigns = seed_campaigns(rng, result.brands, campaigns, now=now)
    db.session.flush()  # ids for the outcome log
    result.outcomes = seed_outcomes(rng, result.creators, result.campaigns)
    db.session.commit()
    return result
