"""Demo deals in every state, made through the real services (offers, deal state machine,
payments, reviews), so the demo's messages, notifications, ledger and Stripe objects agree.

Funding and payouts need a Stripe server: `make run` starts a local one first and passes a
`LocalStripe` helper (it saves a test card and completes Connect onboarding the way a person
would in the browser). Without it only the states before funding are seeded."""

from __future__ import annotations

import random
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from marketplace.demo.seed import DEMO_LOGINS
from marketplace.extensions import db
from marketplace.models import (
    BrandProfile,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    Role,
    User,
)
from marketplace.services import payments
from marketplace.services.deals import applications, offers, reviews
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.checklist import posting_platforms
from marketplace.services.errors import DomainError
from marketplace.services.payments import stripe_gateway as gateway


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LocalStripe:
    """What a person does in the browser against the local Stripe, done from the server."""

    def save_card(self, user: User, card: str = "pm_card_visa") -> str:
        customer = payments.customer_id_for(user)
        client = gateway.client()
        setup = client.v1.setup_intents.create(params={"customer": customer})
        setup = client.v1.setup_intents.confirm(setup.id, params={"payment_method": card})
        return setup.payment_method

    def onboard(self, creator: CreatorProfile) -> None:
        url = payments.onboarding_url(creator, return_url="http://127.0.0.1/payouts/return",
                                      refresh_url="http://127.0.0.1/payouts")
        try:  # the local onboarding page's "Complete onboarding" button
            urllib.request.build_opener(_NoRedirect).open(urllib.request.Request(url, data=b""))
        except urllib.error.HTTPError as exc:
            if exc.code not in (302, 303):
                raise
        payments.refresh_payout_account(payments.payout_account(creator).stripe_account_id)


@dataclass
class DealSeed:
    by_state: dict[str, int] = field(default_factory=dict)
    open_offers: int = 0
    applications: int = 0
    skipped: list[str] = field(default_factory=list)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _caption(campaign: Campaign) -> str:
    tags = " ".join([campaign.required_disclosure, campaign.required_hashtags,
                     campaign.required_mentions]).strip()
    return f"Trying this for two weeks, honest thoughts inside! {tags}"


def _post_links(deal: Deal) -> list[str]:
    """One published post per platform the deal pays for (the brief checklist wants them)."""
    handle = deal.creator.handle
    links = {"tiktok": f"https://www.tiktok.com/@{handle}/video/{deal.id}",
             "instagram": f"https://www.instagram.com/reel/{handle}{deal.id}/",
             "youtube": f"https://www.youtube.com/shorts/{handle}{deal.id}"}
    return [links[p] for p in posting_platforms(deal)] or [links["tiktok"]]


def seed_deals(rng: random.Random, stripe: LocalStripe | None = None) -> DealSeed:
    """Negotiations and deals between the demo brand and creators (the demo creator among
    them) in every state of the deal state machine."""
    out = DealSeed()
    brand_user = _user(DEMO_LOGINS[Role.BRAND][0])
    creator_user = _user(DEMO_LOGINS[Role.CREATOR][0])
    brand: BrandProfile = brand_user.brand
    me: CreatorProfile = creator_user.creator
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.brand_id == brand.id, Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.id)).all()
    if not campaigns:
        out.skipped.append("the demo brand has no open campaign")
        return out
    # The demo creator also works with other brands (one deal per campaign and creator).
    elsewhere = db.session.scalars(select(Campaign).where(
        Campaign.brand_id != brand.id, Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.id).limit(2)).all()
    others = db.session.scalars(select(CreatorProfile).where(CreatorProfile.id != me.id)
                                .order_by(CreatorProfile.id)).all()
    pool = iter(rng.sample(list(others), k=min(40, len(others))))
    cards: dict[int, str] = {}
    if stripe:
        stripe.onboard(me)

    def agreed(creator: CreatorProfile, campaign: Campaign, counter: bool = False) -> Deal:
        brand_user = campaign.brand.user
        thread = offers.invite(brand_user, campaign, creator, offers.OfferTerms.from_campaign(
            campaign))
        if counter:
            terms = offers.OfferTerms.from_campaign(campaign)
            terms.price_cents = int(campaign.budget_max_cents * 1.15)
            terms.message = "Could we do a little more? I'd add a second hook variant."
            offers.counter(creator.user, thread, terms)
            return offers.accept(brand_user, thread)
        return offers.accept(creator.user, thread)

    def funded(creator, campaign, **kw) -> Deal:
        deal = agreed(creator, campaign, **kw)
        payer = campaign.brand.user
        if payer.id not in cards:
            cards[payer.id] = stripe.save_card(payer)
        payments.fund(deal, payer, cards[payer.id])
        db.session.refresh(deal)
        return deal

    def submitted(creator, campaign, **kw) -> Deal:
        deal = funded(creator, campaign, **kw)
        return deals.perform(deal, "submit", creator.user, post_links=_post_links(deal),
                             caption=_caption(campaign), notes="Draft cut, happy to tweak.")

    def count(state: str) -> None:
        out.by_state[state] = out.by_state.get(state, 0) + 1

    # The demo creator: an open offer on campaign 1, a funded deal on campaign 0.
    camp = lambda i: campaigns[i % len(campaigns)]  # noqa: E731
    other = lambda i: (elsewhere or campaigns)[i % len(elsewhere or campaigns)]  # noqa: E731
    # Negotiations still open: one waiting on the demo creator, one countered.
    offers.invite(brand_user, camp(1), me, offers.OfferTerms.from_campaign(camp(1)))
    thread = offers.invite(brand_user, camp(1), next(pool),
                           offers.OfferTerms.from_campaign(camp(1)))
    terms = offers.OfferTerms.from_campaign(camp(1))
    terms.price_cents += 5000
    offers.counter(thread.creator.user, thread, terms)
    out.open_offers = 2
    # Applications waiting for the brand.
    for creator in [next(pool) for _ in range(3)]:
        try:
            applications.apply(creator.user, camp(2), pitch=(
                f"Hi! I'm {creator.display_name}; my audience loves honest routines and "
                "I'd make this feel native to my feed."), proposed_price_cents=camp(2)
                .budget_min_cents)
            out.applications += 1
        except DomainError:
            pass
    # Before funding.
    agreed(next(pool), camp(3))
    count("agreed")
    deals.perform(agreed(next(pool), camp(4)), "cancel", brand_user,
                  note="Budget moved to next quarter.")
    count("cancelled")
    stale = agreed(next(pool), camp(5))
    deals.perform(stale, "expire", None, now=stale.agreed_at + timedelta(days=8))
    count("expired")
    if stripe is None:
        out.skipped.append("funded and later states need a Stripe server")
        return out
    funded(me, camp(6))
    count("funded")
    submitted(next(pool), camp(7), counter=True)
    count("submitted")
    deal = submitted(me, other(0))
    deals.perform(deal, "request_revision", deal.brand.user,
                  note="Love it! Please show the product label in the first 3 seconds.")
    count("revision_requested")
    deals.perform(submitted(next(pool), camp(9)), "approve", brand_user)  # no payout account
    count("approved (payout pending)")
    deal = submitted(me, other(1))
    deals.perform(deal, "approve", deal.brand.user)  # pays out and completes
    db.session.refresh(deal)
    reviews.write_review(deal, deal.brand.user, 5, "On brief, on time, great energy.")
    reviews.write_review(deal, creator_user, 5, "Clear brief and fast approval.")
    count(deal.state.value)
    deal = submitted(next(pool), camp(11))
    deals.perform(deal, "dispute", brand_user, note=(
        "The video never shows the product and the required #ad disclosure is missing."))
    count("disputed")
    return out
