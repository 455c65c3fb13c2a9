"""Every GET page, opened by a logged-in brand or creator who has not made a profile yet
(defect 9: /payments, /payouts, /payouts/return answered 500). The routes are read from the
app's URL map, so a page added later is covered without touching this file. A page may send
such a user to finish the profile (redirect), refuse (403/404) or show itself; never a 500."""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import Rule

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Application, Notification
from tests.conftest import IsolatedClient, _clear_tables, _test_config
from tests.support import factories
from tests.support.jobs import TRACKER
from tests.support.payments import make_deal

SKIP = {"static", "bootstrap.static"}
QUERIES = {"payments.history": ["", "?format=csv", "?page=2"]}
PROFILE_PAGES = {"brand": "/brands/me/profile", "creator": "/creators/me/profile"}
# Pages whose whole point is the missing profile's data: they must send the user to make one.
NEEDS_PROFILE = {"payments.history", "payments.payouts", "payments.onboarding_return",
                 "payments.year_csv", "payments.year_pdf_link", "brands.billing"}


def _get_rules() -> list[Rule]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "MATCHING_ENABLED": False})
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.endpoint not in SKIP), key=lambda r: r.rule)


RULES = _get_rules()
CASES = [(role, rule.endpoint, query) for role in ("brand", "creator") for rule in RULES
         for query in QUERIES.get(rule.endpoint, [""])]


def _url(rule: Rule, ids: dict) -> str:
    values = {name: ids.get(name, ids["default"]) for name in rule.arguments}
    if "action" in rule.arguments:
        values["action"] = "hide"
    return url_for(rule.endpoint, **values)


@pytest.fixture(scope="module")
def site(_schema, job_worker, tmp_path_factory):
    """One app and one world for the module (the pages only read): someone else's brand,
    creator, campaign, deal, application and notification, and a logged-in brand and
    creator who have no profile."""
    app = create_app(_test_config(_schema, tmp_path_factory.mktemp("profileless")))
    app.test_client_class = IsolatedClient
    TRACKER.register(app)  # the session's worker (PostgreSQL) runs its jobs in this app
    with app.app_context():
        brand = factories.make_brand()
        creator = factories.make_creator()
        deal = make_deal(brand, creator)
        application = Application(campaign_id=deal.campaign_id, creator_id=creator.id,
                                  pitch="I would love to film this for you.", package_ids=[],
                                  proposed_price_cents=30000, currency="USD")
        db.session.add_all([application, Notification(user_id=brand.user_id, kind="deal",
                                                       text="Hello")])
        db.session.commit()
        ids = {"default": deal.id, "deal_id": deal.id, "campaign_id": deal.campaign_id,
               "thread_id": deal.thread_id, "creator_id": creator.id,
               "user_id": brand.user_id, "package_id": creator.packages[0].id,
               "application_id": application.id, "handle": creator.handle,
               "name": "missing.png", "year": 2026, "submission_id": 1,
               "conversation_id": 1, "message_id": 1, "notification_id": 1}
        clients = {}
        for role in ("brand", "creator"):
            clients[role] = app.test_client()
            user = factories.make_user(role=role)
            assert clients[role].post("/auth/login", data={
                "email": user.email, "password": factories.PASSWORD}).status_code == 302
        db.session.remove()
    yield app, ids, clients
    if job_worker is not None:
        TRACKER.wait()
    TRACKER.apps.pop(str(id(app)), None)
    with app.app_context():
        _clear_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("role,endpoint,query", CASES)
def test_page_for_a_user_without_profile_is_never_a_500(site, role, endpoint, query):
    app, ids, clients = site
    rule = next(r for r in RULES if r.endpoint == endpoint)
    with app.test_request_context():
        url = _url(rule, ids)
    response = clients[role].get(url + query)
    assert response.status_code in (200, 302, 303, 403, 404), response.status_code
    if endpoint in NEEDS_PROFILE and response.status_code != 403:
        assert response.status_code == 302
        assert response.headers["Location"].endswith(PROFILE_PAGES[role])


def test_payout_set_up_without_profile_is_sent_to_make_one(site):
    _, _, clients = site
    response = clients["creator"].post("/payouts/start")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PROFILE_PAGES["creator"])


def test_every_get_route_is_covered():
    assert {"payments.history", "payments.payouts", "payments.onboarding_return",
            "payments.invoice", "payments.statement", "deals.detail"} <= {
        endpoint for _, endpoint, _ in CASES}
