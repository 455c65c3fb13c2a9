"""Creator and brand profiles: every change to them goes through here.

After each committed creator change the denormalised columns (total_followers,
top_engagement, min_price_cents) are recomputed and `creator_changed` is sent, so the
discovery filters and the matching index never see stale numbers.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.models import (
    AudienceCountry,
    BrandProfile,
    CreatorProfile,
    Package,
    PlatformAccount,
    SamplePost,
    User,
)
from marketplace.services.accounts import uploads
from marketplace.services.errors import Conflict, DomainError, NotAllowed
from marketplace.signals import brand_changed, creator_changed

HANDLE_RE = re.compile(r"^[a-z0-9_.]{3,30}$")
RESERVED_HANDLES = frozenset({
    "me", "media", "new", "edit", "admin", "api", "static", "auth", "login", "logout", "signup",
    "settings", "dashboard", "packages", "search", "help", "support", "about", "duet", "brands",
    "creators", "campaigns",
})
MAX_NICHES = 5
MAX_SAMPLES = 6
MAX_AUDIENCE_COUNTRIES = 5
MAX_PACKAGES = 12
MAX_PRICE_CENTS = 100_000_000  # 1,000,000.00
MAX_COUNT = 1_000_000_000  # followers / views: far above any real account, below INT max
GENDERS = ("female", "male", "other")


# ---------------------------------------------------------------- shared checks


def normalise_handle(handle: str, model: type[CreatorProfile] | type[BrandProfile],
                     current_id: int | None = None) -> str:
    """Lower-case, check the pattern, the reserved words and that nobody else has it."""
    handle = (handle or "").strip().lower()
    if not HANDLE_RE.fullmatch(handle):
        raise DomainError("Use 3-30 lowercase letters, digits, '_' or '.'.", field="handle")
    if handle in RESERVED_HANDLES:
        raise DomainError(f'"{handle}" is reserved; choose another handle.', field="handle")
    taken = db.session.scalar(select(model.id).where(model.handle == handle))
    if taken is not None and taken != current_id:
        raise Conflict("That handle is already taken.", field="handle")
    return handle


def check_web_url(url: str, field_name: str, *, max_length: int = 500) -> str:
    """Only absolute http(s) links with a host: no javascript:, data: or relative paths."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        raise DomainError("Enter a full link starting with http:// or https://.", field=field_name)
    if len(url) > max_length:
        raise DomainError(f"Links can be at most {max_length} characters.", field=field_name)
    return url


def _text(value: str | None, field_name: str, max_length: int, *, required: bool = False,
          label: str = "This field") -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label} is required.", field=field_name)
    if len(value) > max_length:
        raise DomainError(f"{label} can be at most {max_length} characters.", field=field_name)
    return value


def _choice(value: str | None, vocab, field_name: str, *, optional: bool = False) -> str | None:
    if optional and not value:
        return None
    if value not in vocab:
        raise DomainError("Not a valid choice.", field=field_name)
    return value


def _percent(value: float | None, field_name: str) -> float:
    if value is None or not math.isfinite(value) or not 0 <= value <= 100:
        raise DomainError("Enter a percentage between 0 and 100.", field=field_name)
    return round(float(value), 2)


def _count(value: int | None, field_name: str) -> int:
    if value is None or not 0 <= value <= MAX_COUNT:
        raise DomainError(f"Enter a whole number between 0 and {MAX_COUNT:,}.", field=field_name)
    return int(value)


@contextmanager
def _handle_race(field_name: str = "handle"):
    """Two people saving the same handle at once: the loser gets a clear Conflict."""
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("That handle is already taken.", field=field_name) from exc


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _commit_with_image(new_image: uploads.CleanImage | None, set_name, old_name: str | None,
                       handle_field: str = "handle") -> None:
    """Write the new image, commit, then remove the replaced one (or the new one on failure)."""
    name = uploads.write_image(new_image, _upload_dir()) if new_image else None
    if name:
        set_name(name)
    try:
        with _handle_race(handle_field):
            db.session.commit()
    except Conflict:
        uploads.delete_image(name, _upload_dir())
        raise
    if name:
        uploads.delete_image(old_name, _upload_dir())


# ---------------------------------------------------------------- creators


def profile_changed(profile: CreatorProfile) -> None:
    """Hook called after every committed creator change; the matching index subscribes."""
    creator_changed.send(profile)


def refresh_denormalised(profile: CreatorProfile) -> None:
    """Recompute the summary columns discovery sorts and filters on (caller commits)."""
    db.session.flush()
    db.session.refresh(profile, ["accounts", "packages"])
    profile.total_followers = sum(a.followers for a in profile.accounts)
    profile.top_engagement = max((a.engagement_rate for a in profile.accounts), default=0.0)
    profile.min_price_cents = min((p.price_cents for p in profile.packages), default=None)


def _commit_creator(profile: CreatorProfile, new_image=None, old_image=None) -> None:
    refresh_denormalised(profile)
    _commit_with_image(new_image, lambda n: setattr(profile, "avatar", n), old_image)
    profile_changed(profile)


def save_creator_basics(user: User, *, display_name: str, handle: str, bio: str = "",
                        country: str | None = None, languages: list[str] | None = None,
                        niches: list[str] | None = None,
                        avatar: IO[bytes] | None = None) -> CreatorProfile:
    """Create the creator's profile on first save, or update its basics."""
    if not user.is_creator:
        raise NotAllowed("Only creators have a creator profile.")
    image = uploads.clean_image(avatar, field="avatar") if avatar is not None else None
    profile = user.creator
    handle = normalise_handle(handle, CreatorProfile, profile.id if profile else None)
    display_name = _text(display_name, "display_name", 80, required=True, label="Display name")
    bio = _text(bio, "bio", 1000, label="Bio")
    country = _choice(country, taxonomy.COUNTRIES, "country", optional=True)
    languages = list(dict.fromkeys(languages or []))
    for code in languages:
        _choice(code, taxonomy.LANGUAGES, "languages")
    niches = list(dict.fromkeys(niches or []))
    if not 1 <= len(niches) <= MAX_NICHES:
        raise DomainError(f"Choose between 1 and {MAX_NICHES} niches.", field="niches")
    for niche in niches:
        _choice(niche, taxonomy.NICHES, "niches")
    if profile is None:
        profile = CreatorProfile(user=user, handle=handle, display_name=display_name)
        db.session.add(profile)
    old_avatar = profile.avatar
    profile.handle, profile.display_name, profile.bio = handle, display_name, bio
    profile.country, profile.languages = country, languages
    with _handle_race():
        if sorted(profile.niches) != sorted(niches):
            profile.niche_links.clear()
            db.session.flush()
            profile.niches.extend(niches)
        refresh_denormalised(profile)
    _commit_creator(profile, image, old_avatar)
    return profile


def remove_avatar(profile: CreatorProfile) -> None:
    old, profile.avatar = profile.avatar, None
    db.session.commit()
    uploads.delete_image(old, _upload_dir())
    profile_changed(profile)


@dataclass(frozen=True)
class AccountInput:
    handle: str = ""
    followers: int | None = None
    avg_views: int | None = None
    engagement_rate: float | None = None

    @property
    def is_blank(self) -> bool:
        return not self.handle.strip() and all(
            v in (None, 0) for v in (self.followers, self.avg_views, self.engagement_rate))


def save_platform_accounts(profile: CreatorProfile, accounts: dict[str, AccountInput]) -> None:
    """Replace the self-reported accounts; a blank platform removes that account."""
    clean: dict[str, dict] = {}
    for platform, data in accounts.items():
        _choice(platform, taxonomy.PLATFORMS, f"{platform}_handle")
        if data.is_blank:
            continue
        handle = _text(data.handle, f"{platform}_handle", 64)
        if not handle:
            raise DomainError("Add the account handle for these numbers.",
                              field=f"{platform}_handle")
        clean[platform] = {
            "handle": handle,
            "followers": _count(data.followers or 0, f"{platform}_followers"),
            "avg_views": _count(data.avg_views or 0, f"{platform}_avg_views"),
            "engagement_rate": _percent(data.engagement_rate or 0.0, f"{platform}_engagement"),
        }
    for account in list(profile.accounts):
        if account.platform not in clean:
            profile.accounts.remove(account)
    for platform, values in clean.items():
        account = profile.account(platform)
        if account is None:
            profile.accounts.append(PlatformAccount(platform=platform, **values))
        else:
            for key, value in values.items():
                setattr(account, key, value)
    _commit_creator(profile)


def save_audience(profile: CreatorProfile, *, countries: list[tuple[str, float]],
                  ages: dict[str, float], gender: dict[str, float]) -> None:
    """Top audience countries, age bands and gender split; each group sums to at most 100%."""
    if len(countries) > MAX_AUDIENCE_COUNTRIES:
        raise DomainError(f"List at most {MAX_AUDIENCE_COUNTRIES} countries.", field="country_1")
    seen: dict[str, float] = {}
    for i, (code, share) in enumerate(countries, start=1):
        _choice(code, taxonomy.COUNTRIES, f"country_{i}")
        if code in seen:
            raise DomainError("Each country can appear once.", field=f"country_{i}")
        seen[code] = _percent(share, f"share_{i}")
    if sum(seen.values()) > 100:
        raise DomainError("Country shares add up to more than 100%.", field="share_1")
    clean_ages = {band: _percent(v, age_field(band)) for band, v in ages.items() if v}
    if any(band not in taxonomy.AGE_BANDS for band in clean_ages):
        raise DomainError("Unknown age band.", field=age_field(taxonomy.AGE_BANDS[0]))
    if sum(clean_ages.values()) > 100:
        raise DomainError("Age bands add up to more than 100%.",
                          field=age_field(taxonomy.AGE_BANDS[0]))
    clean_gender = {g: _percent(v, f"gender_{g}") for g, v in gender.items() if v}
    if any(g not in GENDERS for g in clean_gender):
        raise DomainError("Unknown gender group.", field="gender_female")
    if sum(clean_gender.values()) > 100:
        raise DomainError("The gender split adds up to more than 100%.", field="gender_female")
    profile.audience_countries.clear()
    db.session.flush()
    for code, share in seen.items():
        profile.audience_countries.append(AudienceCountry(country=code, share=share))
    profile.audience_ages, profile.audience_gender = clean_ages, clean_gender
    _commit_creator(profile)


def age_field(band: str) -> str:
    return "age_" + band.replace("-", "_").replace("+", "_plus")


def save_samples(profile: CreatorProfile, samples: list[tuple[str, str]]) -> None:
    """Up to six links to posts the creator is proud of, in the given order."""
    if len(samples) > MAX_SAMPLES:
        raise DomainError(f"Add at most {MAX_SAMPLES} sample posts.", field="url_1")
    clean = []
    for i, (url, caption) in enumerate(samples, start=1):
        clean.append((check_web_url(url, f"url_{i}"),
                      _text(caption, f"caption_{i}", 300, label="Caption")))
    profile.samples.clear()
    db.session.flush()
    for position, (url, caption) in enumerate(clean):
        profile.samples.append(SamplePost(position=position, url=url, caption=caption))
    _commit_creator(profile)


@dataclass(frozen=True)
class PackageInput:
    title: str
    platform: str
    deliverable_type: str
    price_cents: int
    currency: str = "USD"
    turnaround_days: int = 7
    revisions: int = 1
    usage_rights: str = "organic"
    description: str = ""


def _clean_package(data: PackageInput) -> dict:
    if not isinstance(data.price_cents, int) or not 0 < data.price_cents <= MAX_PRICE_CENTS:
        raise DomainError("Enter a price above 0 and at most 1,000,000.00.", field="price")
    if not isinstance(data.turnaround_days, int) or not 1 <= data.turnaround_days <= 90:
        raise DomainError("Turnaround must be 1 to 90 days.", field="turnaround_days")
    if not isinstance(data.revisions, int) or not 0 <= data.revisions <= 10:
        raise DomainError("Revisions must be 0 to 10.", field="revisions")
    return {
        "title": _text(data.title, "title", 120, required=True, label="Title"),
        "platform": _choice(data.platform, taxonomy.PLATFORMS, "platform"),
        "deliverable_type": _choice(data.deliverable_type, taxonomy.DELIVERABLE_TYPES,
                                    "deliverable_type"),
        "price_cents": data.price_cents,
        "currency": _choice(data.currency, taxonomy.CURRENCIES, "currency"),
        "turnaround_days": data.turnaround_days,
        "revisions": data.revisions,
        "usage_rights": _choice(data.usage_rights, taxonomy.USAGE_RIGHTS, "usage_rights"),
        "description": _text(data.description, "description", 500, label="Description"),
    }


def add_package(profile: CreatorProfile, data: PackageInput) -> Package:
    values = _clean_package(data)
    count = db.session.scalar(select(func.count(Package.id))
                              .where(Package.creator_id == profile.id))
    if count >= MAX_PACKAGES:
        raise DomainError(f"A rate card holds at most {MAX_PACKAGES} packages.", field="title")
    package = Package(**values)
    profile.packages.append(package)
    _commit_creator(profile)
    return package


def _own(profile: CreatorProfile, package: Package) -> None:
    if package.creator_id != profile.id:
        raise NotAllowed("That package is not on your rate card.")


def update_package(profile: CreatorProfile, package: Package, data: PackageInput) -> None:
    _own(profile, package)
    for key, value in _clean_package(data).items():
        setattr(package, key, value)
    _commit_creator(profile)


def delete_package(profile: CreatorProfile, package: Package) -> None:
    _own(profile, package)
    db.session.delete(package)
    _commit_creator(profile)


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProfileLists:
    """Whether the profile has each of its lists: all `completeness` needs of them, so a
    page can ask the database (`EXISTS`) instead of loading the rows."""

    niches: bool
    accounts: bool
    audience_countries: bool
    samples: bool
    packages: bool

    @classmethod
    def of(cls, profile: CreatorProfile) -> ProfileLists:
        return cls(bool(profile.niche_links), bool(profile.accounts),
                   bool(profile.audience_countries), bool(profile.samples),
                   bool(profile.packages))


def completeness(profile: CreatorProfile | None, lists: ProfileLists | None = None
                 ) -> Completeness:
    """How far the profile is from one brands can judge, with what to do next (`lists`:
    which lists it has, when the caller knows without loading them)."""
    if profile is None:
        return Completeness(0, ["Choose a handle and set up your profile"])
    has = lists or ProfileLists.of(profile)
    checks = [
        (bool(profile.display_name and profile.handle), "Choose a handle and display name"),
        (bool(profile.avatar), "Add a profile photo"),
        (len(profile.bio or "") >= 40, "Write a short bio (a sentence or two)"),
        (bool(profile.country and profile.languages), "Add your country and languages"),
        (has.niches, "Pick your niches"),
        (has.accounts, "Connect a platform account"),
        (has.audience_countries or bool(profile.audience_ages), "Describe your audience"),
        (has.samples, "Add sample posts"),
        (has.packages, "Add at least one package to your rate card"),
    ]
    done = sum(ok for ok, _ in checks)
    return Completeness(round(100 * done / len(checks)), [hint for ok, hint in checks if not ok])


# ---------------------------------------------------------------- brands


def save_brand_profile(user: User, *, company_name: str, handle: str, website: str = "",
                       industry: str = "other", description: str = "",
                       country: str | None = None,
                       logo: IO[bytes] | None = None) -> BrandProfile:
    """Create the brand's profile on first save, or update it."""
    if not user.is_brand:
        raise NotAllowed("Only brands have a brand profile.")
    image = uploads.clean_image(logo, field="logo") if logo is not None else None
    profile = user.brand
    handle = normalise_handle(handle, BrandProfile, profile.id if profile else None)
    company_name = _text(company_name, "company_name", 120, required=True, label="Company name")
    website = check_web_url(website, "website", max_length=300) if (website or "").strip() else ""
    industry = _choice(industry, taxonomy.INDUSTRIES, "industry")
    description = _text(description, "description", 2000, label="Description")
    country = _choice(country, taxonomy.COUNTRIES, "country", optional=True)
    if profile is None:
        profile = BrandProfile(user=user, handle=handle, company_name=company_name)
        db.session.add(profile)
    old_logo = profile.logo
    profile.handle, profile.company_name, profile.website = handle, company_name, website
    profile.industry, profile.description, profile.country = industry, description, country
    _commit_with_image(image, lambda n: setattr(profile, "logo", n), old_logo)
    brand_changed.send(profile)
    return profile
