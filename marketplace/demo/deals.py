"""Demo deals in every state, made through the real services (offers, deal state machine,
payments, reviews), so the demo's messages, notifications, ledger and Stripe objects agree.

Funding and payouts need a Stripe server: `make run` starts a local one first and passes a
`LocalStripe` helper (it saves a test card and completes Connect onboarding the way a person
would in the browser). Without it only the states before funding are seeded."""

from __future__ import annotations

import io
import random
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from marketplace.demo import post_results
from marketplace.demo.seed import AVATAR_COLOURS, DEMO_LOGINS
from marketplace.extensions import db
from marketplace.models import (
    BrandProfile,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    PlatformAccount,
    Role,
    User,
)
from marketplace.services import payments
from marketplace.services.deals import applications, offers, posts, reviews
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
    post_results: post_results.PostResults | None = None


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _caption(campaign: Campaign) -> str:
    tags = " ".join([campaign.required_disclosure, campaign.required_hashtags,
                     campaign.required_mentions]).strip()
    return f"Trying this for two weeks, honest thoughts inside! {tags}"


def _draft(campaign: Campaign, creator: CreatorProfile, take: int) -> io.BytesIO:
    """A portrait "video frame" JPEG standing in for the creator's draft (no video encoder
    needed); its colour comes from the names, so it never changes the random data."""
    colour = random.Random(f"{campaign.id}-{creator.handle}").choice(AVATAR_COLOURS)
    image = Image.new("RGB", (540, 960), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 620, 500, 900), fill=(255, 255, 255))
    draw.text((270, 300), f"TAKE {take}", font=ImageFont.load_default(size=72), anchor="mm",
              fill=(255, 255, 255))
    small = ImageFont.load_default(size=28)
    draw.text((270, 700), f"@{creator.handle}"[:28], font=small, anchor="mm", fill=(20, 20, 20))
    draw.text((270, 760), campaign.title[:30], font=small, anchor="mm", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=75)
    out.seek(0)
    return out


def _post_links(deal: Deal) -> list[str]:
    """One published post per platform the deal pays for (the brief checklist wants them)."""
    handle = deal.creator.handle
    links = {"tiktok": f"https://www.tiktok.com/@{handle}/video/{deal.id}",
             "instagram": f"https://www.instagram.com/reel/{handle}{deal.id}/",
             "youtube": f"https://www.youtube.com/shorts/{handle}{deal.id}"}
    return [links[p] for p in posting_platforms(deal)] or [links["tiktok"]]


def _live_url(deal: Deal, item, n: int) -> str:
    handle = deal.creator.account(item.platform).handle.lstrip("@")
    video = 7301000000000000000 + deal.id * 10 + n
    return {"tiktok": f"https://www.tiktok.com/@{handle}/video/{video}",
            "instagram": f"https://www.instagram.com/reel/Dm{deal.id}x{n}demo/",
            "youtube": f"https://www.youtube.com/shorts/{f'dm{deal.id}x{n}':_<11}"}[item.platform]


def link_posts(deal: Deal) -> Deal:
    """The creator posts the approved content and links every post (demo creators get an
    account on the platform if their profile lacks one)."""
    for n, item in enumerate(posts.posted_items(deal)):
        if deal.creator.account(item.platform) is None:
            deal.creator.accounts.append(PlatformAccount(
                platform=item.platform, handle=f"@{deal.creator.handle}", followers=8_000,
                avg_views=2_000, engagement_rate=4.0))
            db.session.commit()
        deals.perform(deal, "add_post_link", deal.creator.user, deliverable_id=item.id,
                      url=_live_url(deal, item, n))
    return deal


def seed_deals(rng: random.Random, stripe: LocalStripe | None = None) -> DealSeed:
    """Negotiations and deals in every state of the deal state machine for the demo brand and
    for the demo creator (with each other where one active deal per campaign allows, else
    with other brands and creators), including a completed deal between the two with a
    revision history and draft files, so the library and both dashboards have content."""
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
        .order_by(Campaign.id).limit(8)).all()
    others = db.session.scalars(select(CreatorProfile).where(CreatorProfile.id != me.id)
                                .order_by(CreatorProfile.id)).all()
    pool = iter(rng.sample(list(others), k=min(40, len(others))))
    cards: dict[int, str] = {}
    if stripe:
        stripe.onboard(me)

    def agreed(creator: CreatorProfile, campaign: Campaign, counter: bool = False,
               usage: str | None = None) -> Deal:
        brand_user = campaign.brand.user
        terms = offers.OfferTerms.from_campaign(campaign)
        terms.usage_rights = usage or terms.usage_rights
        thread = offers.invite(brand_user, campaign, creator, terms)
        if counter:
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

    def hand_in(deal: Deal, take: int = 1, draft: bool = False) -> Deal:
        creator, campaign = deal.creator, deal.campaign
        return deals.perform(
            deal, "submit", creator.user,
            post_links=_post_links(deal),
            caption=_caption(campaign),
            notes="Draft cut, happy to tweak." if take == 1 else "New hook as asked.",
            draft=_draft(campaign, creator, take) if draft else None)

    def submitted(creator, campaign, draft: bool = False, **kw) -> Deal:
        return hand_in(funded(creator, campaign, **kw), draft=draft)

    def completed(creator, campaign, *, revised: bool = False, **kw) -> Deal:
        account = payments.payout_account(creator)
        if account is None or not account.ready:
            stripe.onboard(creator)  # the payout goes out, so the deal completes
        deal = submitted(creator, campaign, draft=True, **kw)
        if revised:
            deals.perform(deal, "request_revision", deal.brand.user,
                          note="Love it! Please show the product label in the first 3 seconds.")
            hand_in(deal, take=2, draft=True)
        posted(deal)  # pays out and completes
        db.session.refresh(deal)
        return deal

    def approved(deal: Deal) -> Deal:
        return deals.perform(deal, "approve", deal.brand.user)

    def posted(deal: Deal) -> Deal:
        """Approved, posted and confirmed live by the brand (the payout follows)."""
        approved(deal)
        if deal.posts_required:
            deals.perform(link_posts(deal), "confirm_live", deal.brand.user)
        return deal

    def count(state: str) -> None:
        out.by_state[state] = out.by_state.get(state, 0) + 1

    camp = lambda i: campaigns[i % len(campaigns)]  # noqa: E731
    spare = iter(elsewhere)  # one campaign of another brand per deal of the demo creator

    def with_me(make, state: str) -> None:
        """A deal of the demo creator with another brand, when one is left to use."""
        campaign = next(spare, None)
        if campaign is None:
            out.skipped.append(f"no other brand's open campaign left for a {state} deal")
            return
        make(campaign)
        count(state)
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
    # Before funding, for the brand and for the demo creator.
    agreed(next(pool), camp(3))
    count("agreed")
    with_me(lambda c: agreed(me, c), "agreed")
    deals.perform(agreed(next(pool), camp(4)), "cancel", brand_user,
                  note="Budget moved to next quarter.")
    count("cancelled")
    with_me(lambda c: deals.perform(agreed(me, c), "cancel", c.brand.user,
                                    note="The launch was postponed."), "cancelled")

    def expire(deal: Deal) -> None:
        deals.perform(deal, "expire", None, now=deal.agreed_at + timedelta(days=8))

    expire(agreed(next(pool), camp(5)))
    count("expired")
    with_me(lambda c: expire(agreed(me, c)), "expired")
    if stripe is None:
        out.skipped.append("funded and later states need a Stripe server")
        return out
    # The demo pair's finished deal: two submissions (a revision) with draft files, paid
    # use for 30 days; then the brand hires the creator again on the same campaign.
    deal = completed(me, camp(0), revised=True, usage="paid_30")
    reviews.write_review(deal, brand_user, 5, "On brief, on time, great energy.")
    reviews.write_review(deal, creator_user, 5, "Clear brief and fast approval.")
    count(deal.state.value)
    funded(me, camp(0))
    count("funded")
    # More of the brand's library, with other usage rights.
    count(completed(next(pool), camp(1), usage="perpetual").state.value)
    count(completed(next(pool), camp(0), usage="organic").state.value)
    submitted(next(pool), camp(7), counter=True)
    count("submitted")
    with_me(lambda c: submitted(me, c), "submitted")
    deal = submitted(next(pool), camp(8))
    deals.perform(deal, "request_revision", brand_user,
                  note="Great start! Could you mention the SPF number out loud?")
    count("revision_requested")
    with_me(lambda c: deals.perform(
        submitted(me, c), "request_revision", c.brand.user,
        note="Love it! Please show the product label in the first 3 seconds."),
        "revision_requested")
    posted(submitted(next(pool), camp(9), draft=True))  # no payout account: payout pending
    count("posted (payout pending)")
    approved(submitted(next(pool), camp(10), draft=True))
    count("approved (creator to post)")
    link_posts(approved(submitted(next(pool), camp(6), draft=True)))
    count("approved (posts linked, brand to check)")
    with_me(lambda c: approved(submitted(me, c, draft=True)), "approved (to post)")
    with_me(lambda c: completed(me, c), "completed")
    deal = submitted(next(pool), camp(11))
    deals.perform(deal, "dispute", brand_user, note=(
        "The video never shows the product and the required #ad disclosure is missing."))
    count("disputed")
    with_me(lambda c: deals.perform(submitted(me, c), "dispute", me.user, note=(
        "The brand asked for a second video that was never in the agreed deliverables.")),
        "disputed")
    # The live posts' numbers over time, one taken down early, one Story reported by hand.
    out.post_results = post_results.seed_post_results(rng, brand_user_id=brand_user.id)
    return out
