"""The pages the accessibility check visits, on the demo marketplace.

`demo_site()` serves the demo data set (deals in every state paid through the local Stripe,
messages, reviews, disputes) and finds the ids the pages need; `PAGES` lists every main page
as (role, name, url builder). Adding a page to the axe check is one line in `PAGES`:

    AxePage("creator", "connected accounts", lambda ids: "/creators/me/accounts"),

`bench/a11y_counts.py` prints the per-page violation counts over the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from marketplace.demo.commands import run_seed
from marketplace.demo.seed import DEMO_LOGINS
from marketplace.extensions import db
from marketplace.models import (
    Application,
    Campaign,
    CampaignStatus,
    Conversation,
    Deal,
    DealState,
    OfferThread,
    Role,
    User,
)
from marketplace.models.document import DocumentKind, DocumentStatus
from marketplace.models.offer import ThreadStatus
from marketplace.services.documents import request_pdf
from marketplace.services.matching import recommendations
from tests.e2e.conftest import make_e2e_app, serve
from tests.support.documents import stored_document

ROLES = ("visitor", "brand", "creator", "admin")
WEBHOOK_SECRET = "whsec_a11y"
Ids = dict[str, int | str]


@dataclass(frozen=True)
class AxePage:
    role: str  # who looks: visitor (logged out), brand, creator, admin
    name: str
    url: Callable[[Ids], str]
    status: int = 200  # the HTTP status the page answers with

    @property
    def key(self) -> str:
        return f"{self.role}: {self.name}"


def deal(key: str) -> Callable[[Ids], str]:
    return lambda ids: f"/deals/{ids[key]}"


PAGES: list[AxePage] = [
    AxePage("visitor", "home", lambda ids: "/"),
    AxePage("visitor", "log in", lambda ids: "/auth/login"),
    AxePage("visitor", "sign up", lambda ids: "/auth/signup"),
    AxePage("visitor", "creators directory", lambda ids: "/creators/"),
    AxePage("visitor", "creator profile", lambda ids: f"/creators/{ids['creator_handle']}"),
    AxePage("visitor", "campaigns list", lambda ids: "/campaigns/"),
    AxePage("visitor", "campaign page", lambda ids: f"/campaigns/{ids['campaign']}"),
    AxePage("visitor", "brand profile", lambda ids: f"/brands/{ids['brand_handle']}"),
    AxePage("visitor", "page not found", lambda ids: "/no-such-page", status=404),
    AxePage("brand", "dashboard", lambda ids: "/dashboard"),
    AxePage("brand", "my campaigns", lambda ids: "/campaigns/mine"),
    AxePage("brand", "campaign page", lambda ids: f"/campaigns/{ids['matched_campaign']}"),
    AxePage("brand", "campaign matches",
            lambda ids: f"/campaigns/{ids['matched_campaign']}/matches"),
    AxePage("brand", "campaign applicants",
            lambda ids: f"/campaigns/{ids['applied_campaign']}/applicants"),
    AxePage("brand", "campaign form (new)", lambda ids: "/campaigns/new"),
    AxePage("brand", "campaign form (edit)", lambda ids: f"/campaigns/{ids['campaign']}/edit"),
    AxePage("brand", "creators directory", lambda ids: "/creators/?niche=beauty"),
    AxePage("brand", "creator profile (reviews)",
            lambda ids: f"/creators/{ids['creator_handle']}"),
    AxePage("brand", "invite form",
            lambda ids: f"/deals/invite?creator={ids['creator_handle']}"),
    AxePage("brand", "offer thread", lambda ids: f"/deals/offers/{ids['brand_open_thread']}"),
    AxePage("brand", "deals list", lambda ids: "/deals/"),
    AxePage("brand", "deal agreed", deal("brand_agreed")),
    AxePage("brand", "pay page", lambda ids: f"/deals/{ids['brand_agreed']}/pay"),
    AxePage("brand", "deal funded", deal("brand_funded")),
    AxePage("brand", "deal submitted", deal("brand_submitted")),
    AxePage("brand", "deal revision requested", deal("brand_revision_requested")),
    AxePage("brand", "deal approved", deal("brand_approved")),
    AxePage("brand", "deal posted (payout pending)", deal("brand_posted")),
    AxePage("brand", "deal completed", deal("brand_completed")),
    AxePage("brand", "deal disputed", deal("brand_disputed")),
    AxePage("brand", "deal cancelled", deal("brand_cancelled")),
    AxePage("brand", "invoice", lambda ids: f"/deals/{ids['brand_completed']}/invoice"),
    AxePage("brand", "campaign report", lambda ids: f"/campaigns/{ids['campaign']}/report"),
    AxePage("brand", "PDF being prepared", lambda ids: f"/documents/{ids['pdf_preparing']}"),
    AxePage("brand", "PDF ready", lambda ids: f"/documents/{ids['pdf_ready']}"),
    AxePage("brand", "PDF failed", lambda ids: f"/documents/{ids['pdf_failed']}"),
    AxePage("brand", "deal results", lambda ids: f"/deals/{ids['brand_completed']}/results"),
    AxePage("brand", "thank-you bonus", lambda ids: f"/deals/{ids['brand_completed']}/bonus"),
    AxePage("brand", "library", lambda ids: "/library"),
    AxePage("brand", "messages inbox", lambda ids: "/messages/"),
    AxePage("brand", "conversation", lambda ids: f"/messages/{ids['conversation']}"),
    AxePage("brand", "notifications", lambda ids: "/notifications/"),
    AxePage("brand", "notification settings", lambda ids: "/notifications/settings"),
    AxePage("brand", "payments and invoices", lambda ids: "/payments"),
    AxePage("brand", "billing details", lambda ids: "/brands/me/billing"),
    AxePage("brand", "brand profile form", lambda ids: "/brands/me/profile"),
    AxePage("brand", "account settings", lambda ids: "/auth/settings"),
    AxePage("creator", "dashboard", lambda ids: "/dashboard"),
    AxePage("creator", "profile form", lambda ids: "/creators/me/profile"),
    AxePage("creator", "audience form", lambda ids: "/creators/me/audience"),
    AxePage("creator", "platforms form", lambda ids: "/creators/me/platforms"),
    AxePage("creator", "samples form", lambda ids: "/creators/me/samples"),
    AxePage("creator", "packages", lambda ids: "/creators/me/packages"),
    AxePage("creator", "package form", lambda ids: "/creators/me/packages/new"),
    AxePage("creator", "campaigns list", lambda ids: "/campaigns/"),
    AxePage("creator", "apply form", lambda ids: f"/campaigns/{ids['open_campaign']}/apply"),
    AxePage("creator", "my applications", lambda ids: "/deals/applications"),
    AxePage("creator", "offer thread", lambda ids: f"/deals/offers/{ids['creator_open_thread']}"),
    AxePage("creator", "deals list", lambda ids: "/deals/"),
    AxePage("creator", "deal funded", deal("creator_funded")),
    AxePage("creator", "deal submitted", deal("creator_submitted")),
    AxePage("creator", "deal revision requested", deal("creator_revision_requested")),
    AxePage("creator", "deal approved (posts to link)", deal("creator_approved")),
    AxePage("creator", "deal completed", deal("creator_completed")),
    AxePage("creator", "deal results", lambda ids: f"/deals/{ids['creator_completed']}/results"),
    AxePage("creator", "connected accounts", lambda ids: "/creators/me/connections"),
    AxePage("creator", "payout statement",
            lambda ids: f"/deals/{ids['creator_completed']}/statement"),
    AxePage("creator", "review form", lambda ids: f"/deals/{ids['creator_unreviewed']}/review"),
    AxePage("creator", "earnings", lambda ids: "/payments"),
    AxePage("creator", "payouts", lambda ids: "/payouts"),
    AxePage("creator", "my work", lambda ids: "/library/my-work"),
    AxePage("creator", "messages inbox", lambda ids: "/messages/"),
    AxePage("creator", "conversation", lambda ids: f"/messages/{ids['conversation']}"),
    AxePage("creator", "notifications", lambda ids: "/notifications/"),
    AxePage("admin", "dashboard", lambda ids: "/dashboard"),
    AxePage("admin", "disputes queue", lambda ids: "/admin/disputes"),
    AxePage("admin", "disputed deal", deal("brand_disputed")),
    AxePage("admin", "e-mail outbox", lambda ids: "/notifications/outbox"),
    AxePage("admin", "failed jobs", lambda ids: "/admin/jobs"),
    AxePage("admin", "invoice", lambda ids: f"/deals/{ids['brand_completed']}/invoice"),
]


@dataclass
class DemoSite:
    url: str
    app: object
    ids: Ids


def find_ids() -> Ids:
    """The ids the pages need, read from the seeded demo data (inside an app context)."""
    brand_user = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.BRAND][0]))
    creator_user = db.session.scalar(select(User).where(
        User.email == DEMO_LOGINS[Role.CREATOR][0]))
    brand, me = brand_user.brand, creator_user.creator
    ids: Ids = {"brand_handle": brand.handle, "creator_handle": me.handle}
    for side, column, owner in (("brand", Deal.brand_id, brand.id),
                                ("creator", Deal.creator_id, me.id)):
        for state in DealState:
            found = db.session.scalar(select(Deal.id).where(column == owner, Deal.state == state)
                                      .order_by(Deal.id).limit(1))
            if found is not None:
                ids[f"{side}_{state.value}"] = found
    ids["campaign"] = db.session.scalar(select(Deal.campaign_id).where(
        Deal.id == ids["brand_completed"]))
    ids["matched_campaign"] = next(
        (c.id for c in db.session.scalars(select(Campaign).where(
            Campaign.brand_id == brand.id, Campaign.status == CampaignStatus.OPEN)
            .order_by(Campaign.id)) if recommendations.top_creators(c, k=1)), None)
    ids["applied_campaign"] = db.session.scalar(
        select(Application.campaign_id).join(Campaign, Campaign.id == Application.campaign_id)
        .where(Campaign.brand_id == brand.id).order_by(Application.id).limit(1))
    worked_with = select(Deal.campaign_id).where(Deal.creator_id == me.id)
    ids["open_campaign"] = db.session.scalar(
        select(Campaign.id).where(Campaign.status == CampaignStatus.OPEN,
                                  Campaign.id.not_in(worked_with))
        .order_by(Campaign.id).limit(1))
    for side, column, owner in (("brand", OfferThread.brand_id, brand.id),
                                ("creator", OfferThread.creator_id, me.id)):
        ids[f"{side}_open_thread"] = db.session.scalar(
            select(OfferThread.id).where(column == owner,
                                         OfferThread.status == ThreadStatus.OPEN)
            .order_by(OfferThread.id).limit(1))
    ids["conversation"] = db.session.scalar(select(Conversation.id).where(
        Conversation.brand_user_id == brand_user.id,
        Conversation.creator_user_id == creator_user.id))
    reviewed = db.session.scalar(select(Deal.id).where(
        Deal.creator_id == me.id, Deal.brand_id == brand.id, Deal.state == DealState.COMPLETED))
    ids["creator_unreviewed"] = db.session.scalar(
        select(Deal.id).where(Deal.creator_id == me.id, Deal.state == DealState.COMPLETED,
                              Deal.id != reviewed).order_by(Deal.id).limit(1)) or reviewed
    ids["year"] = dt.date.today().year
    ids.update(report_pdfs(brand_user, ids["campaign"]))
    missing = [key for key, value in ids.items() if value is None]
    assert not missing, f"the demo data lacks: {missing}"
    return ids


def report_pdfs(owner: User, campaign_id: int) -> Ids:
    """The brand's campaign report as a PDF in three states: printed (its job runs in-process
    here), still being prepared and failed (rows with no job)."""
    kind = DocumentKind.CAMPAIGN_REPORT
    names = {"filename": f"duet-campaign-{campaign_id}-report.pdf",
             "title": "Campaign report · demo"}
    ready = request_pdf(owner, kind, campaign_id, html="<h1>Campaign report</h1>", **names)
    preparing = stored_document(owner, kind, campaign_id, html="<p>being prepared</p>",
                                **names)
    failed = stored_document(owner, kind, campaign_id, html="<p>failed</p>",
                             status=DocumentStatus.FAILED, **names)
    return {"pdf_ready": ready.document.id, "pdf_preparing": preparing.id,
            "pdf_failed": failed.id}


@contextmanager
def demo_site(folder: Path, *, creators: int = 80, brands: int = 12,
              campaigns: int = 30) -> Iterator[DemoSite]:
    """Serve a smaller demo marketplace, funded and paid out through its own local Stripe."""
    from devtools.stripe_process import start_stripe_server

    app = make_e2e_app(folder)
    # The "PDF being prepared" page keeps saying so (it turns into "taking longer" after this).
    app.config["DOCUMENT_STALE_SECONDS"] = 24 * 3600
    with serve(app) as url:
        stripe_base, stop = start_stripe_server(webhook_url=f"{url}/webhooks/stripe",
                                                webhook_secret=WEBHOOK_SECRET)
        try:
            app.config.update(STRIPE_API_BASE=stripe_base,
                              STRIPE_JS_URL=f"{stripe_base}/js.stripe.com/v3/",
                              STRIPE_SECRET_KEY="sk_test_a11y",
                              STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
            with app.app_context():
                run_seed(if_empty=False, creators=creators, brands=brands,
                         campaigns=campaigns, local_stripe=True)
                ids = find_ids()
                db.session.remove()
            yield DemoSite(url=url, app=app, ids=ids)
        finally:
            stop()


def logged_in_context(browser: Browser, base_url: str, role: str, **options) -> BrowserContext:
    """A browser context for `role`: logged out for "visitor", else through the log-in form."""
    context = browser.new_context(base_url=base_url,
                                  viewport=options.pop("viewport", {"width": 1280, "height": 900}),
                                  **options)
    if role != "visitor":
        email, password = DEMO_LOGINS[Role(role)]
        page = context.new_page()
        page.goto("/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        page.close()
    return context


def open_page(context: BrowserContext, path: str) -> tuple[Page, int]:
    page = context.new_page()
    response = page.goto(path)
    page.wait_for_load_state("load")
    return page, response.status if response else 0
