"""Small builders for test data (written straight to the database, bypassing forms)."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, timedelta

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

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(email: str | None = None, role: str = "creator", password: str = PASSWORD) -> User:
    user = User(email=(email or f"user{next(_seq)}@example.com").lower(), role=Role(role),
                session_token=secrets.token_hex(16))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_creator(handle: str | None = None, *, niches=("beauty",), country="US",
                 followers: dict[str, int] | None = None, engagement: float = 4.5,
                 price_cents: int | None = 30000, email: str | None = None,
                 display_name: str | None = None, bio: str = "I make skincare videos.",
                 audience: dict[str, float] | None = None) -> CreatorProfile:
    n = next(_seq)
    handle = handle or f"creator{n}"
    user = make_user(email or f"{handle}@example.com", "creator")
    profile = CreatorProfile(user=user, handle=handle, display_name=display_name or handle.title(),
                             bio=bio, country=country, languages=["en"])
    profile.niches.extend(niches)
    for platform, count in (followers or {"tiktok": 50_000}).items():
        profile.accounts.append(PlatformAccount(platform=platform, handle=f"@{handle}",
                                                followers=count, avg_views=count // 5,
                                                engagement_rate=engagement))
    for code, share in (audience or {country: 60.0}).items():
        profile.audience_countries.append(AudienceCountry(country=code, share=share))
    profile.samples.append(SamplePost(url=f"https://www.tiktok.com/@{handle}/video/1", position=0))
    if price_cents is not None:
        profile.packages.append(Package(title="1 TikTok video, 30-60 s", platform="tiktok",
                                        deliverable_type="short_video", price_cents=price_cents,
                                        currency="USD", turnaround_days=7, revisions=1,
                                        usage_rights="organic"))
    profile.total_followers = sum(a.followers for a in profile.accounts)
    profile.top_engagement = max((a.engagement_rate for a in profile.accounts), default=0.0)
    profile.min_price_cents = min((p.price_cents for p in profile.packages), default=None)
    db.session.add(profile)
    db.session.commit()
    return profile


def make_brand(handle: str | None = None, *, email: str | None = None,
               company_name: str | None = None) -> BrandProfile:
    n = next(_seq)
    handle = handle or f"brand{n}"
    user = make_user(email or f"{handle}@example.com", "brand")
    profile = BrandProfile(user=user, handle=handle, company_name=company_name or f"Brand {n}",
                           website="https://example.com", industry="beauty",
                           description="We make gentle skincare.", country="US")
    db.session.add(profile)
    db.session.commit()
    return profile


def make_campaign(brand: BrandProfile | None = None, *, status: str = "open",
                  title: str = "Summer glow launch", niches=("beauty",), countries=("US",),
                  platforms=("tiktok",), min_followers: int = 10_000,
                  budget=(20000, 50000), brief: str = "Show our new SPF serum in your routine.",
                  ) -> Campaign:
    brand = brand or make_brand()
    today = date.today()
    campaign = Campaign(brand=brand, title=title, brief=brief, status=CampaignStatus(status),
                        min_followers=min_followers, budget_min_cents=budget[0],
                        budget_max_cents=budget[1], currency="USD", creators_wanted=3,
                        application_deadline=today + timedelta(days=14),
                        content_due=today + timedelta(days=30), usage_rights="organic")
    campaign.niches.extend(niches)
    campaign.countries.extend(countries)
    campaign.platforms.extend(platforms)
    campaign.deliverables.append(CampaignDeliverable(
        platform=platforms[0] if platforms else "tiktok", deliverable_type="short_video",
        quantity=1))
    db.session.add(campaign)
    db.session.commit()
    return campaign
