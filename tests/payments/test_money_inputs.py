"""One money parser for every amount a person types (defect 9: "1e308" in any money field
was a 500, `decimal.InvalidOperation` escaping `to_cents`). The parser is checked on its own
(with hypothesis), then every money form is fed hostile amounts: each answer is a 4xx with a
message, and nothing is created or changed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    Campaign,
    OfferThread,
    OfferVersion,
    Package,
)
from marketplace.money import MAX_CENTS, MoneyError, parse_money, to_cents
from marketplace.services.deals import applications, offers
from tests.support import factories
from tests.support.deals import terms
from tests.support.profiles import package

HOSTILE = ["1e308", "1E5", "-1e308", "NaN", "nan", "Infinity", "-inf", "1.234", "0.001",
           "9" * 40, "99999999999", "10000000.01", "-5", "+5", "0x10", "1_000", "١٢٣",
           "1,25", "12,3456", "$$5", "5 000", "\u00a0", "1e-2", "--1", "1..2", "€", " "]


# --- the parser ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_parser_refuses_what_is_not_a_sane_amount(text):
    with pytest.raises(MoneyError) as info:
        parse_money(text)
    assert info.value.message  # something to show beside the field


@pytest.mark.parametrize("text, cents", [
    ("250", 25000), ("250.5", 25050), ("250.05", 25005), ("1,250.50", 125050),
    ("$1,250", 125000), ("€ 99.99", 9999), ("CA$12", 1200), (" 42 ", 4200), ("0", 0),
    (".5", 50), ("10,000,000.00", MAX_CENTS), (Decimal("12.30"), 1230), (7, 700)])
def test_parser_reads_plain_amounts(text, cents):
    assert parse_money(text) == cents == to_cents(text)


def test_parser_refuses_floats_and_honours_a_tighter_limit():
    with pytest.raises(MoneyError):
        parse_money(0.1)  # a float is already an approximation
    with pytest.raises(MoneyError, match="too high"):
        parse_money("1,000,000.01", max_cents=100_000_000)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_parser_never_raises_anything_but_money_error(text):
    try:
        cents = parse_money(text)
    except MoneyError:
        return
    assert isinstance(cents, int) and 0 <= cents <= MAX_CENTS


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_parser_round_trips_every_amount_it_accepts(cents):
    major, minor = divmod(cents, 100)
    assert parse_money(f"{major}.{minor:02d}") == cents
    assert parse_money(f"{major:,}.{minor:02d}") == cents


# --- every money form ----------------------------------------------------------------------------

def _campaign_form(**changes) -> dict:
    today = date.today()
    data = {"title": "Morning routine with our SPF",
            "brief": "Show our new SPF serum as part of your morning routine, natural light.",
            "deliverables-0-platform": "tiktok", "deliverables-0-deliverable_type": "short_video",
            "deliverables-0-quantity": "2", "niches": ["beauty"], "countries": ["US"],
            "platforms": ["tiktok"], "min_followers": "10000", "budget_min": "250",
            "budget_max": "1,000.50", "currency": "USD", "creators_wanted": "3",
            "application_deadline": (today + timedelta(days=10)).isoformat(),
            "content_due": (today + timedelta(days=30)).isoformat(), "usage_rights": "paid_30"}
    data.update(changes)
    return data


def _terms_form(**changes) -> dict:
    data = {"price": "450.00", "deliverables-0-platform": "tiktok",
            "deliverables-0-deliverable_type": "short_video", "deliverables-0-quantity": "2",
            "content_due": (date.today() + timedelta(days=20)).isoformat(),
            "usage_rights": "paid_30", "revisions_included": "1", "message": "Hi!"}
    data.update(changes)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot() -> tuple:
    db.session.expire_all()
    return (_count(Campaign), _count(Package), _count(OfferThread), _count(OfferVersion),
            _count(Application),
            tuple(db.session.execute(select(Campaign.budget_min_cents, Campaign.budget_max_cents)
                                     .order_by(Campaign.id)).all()),
            tuple(db.session.execute(select(Package.price_cents).order_by(Package.id)).all()))


@pytest.fixture
def forms(app_ctx, brand, creator, brand_client, creator_client):
    """(name, client, url, data for a hostile amount) for every form with a money field."""
    campaign = factories.make_campaign(brand)
    thread = offers.invite(brand.user, factories.make_campaign(brand), creator, terms(campaign))
    application = applications.apply(
        factories.make_creator().user, campaign,
        pitch="I film a calm morning routine that fits your serum.", proposed_price_cents=35000)
    own_package = creator.packages[0]
    return {
        "campaign new budget_min": (brand_client, "/campaigns/new",
                                    lambda v: _campaign_form(budget_min=v)),
        "campaign new budget_max": (brand_client, "/campaigns/new",
                                    lambda v: _campaign_form(budget_max=v)),
        "campaign edit budget": (brand_client, f"/campaigns/{campaign.id}/edit",
                                 lambda v: _campaign_form(budget_min="100", budget_max=v)),
        "package new price": (creator_client, "/creators/me/packages/new",
                              lambda v: package(price=v)),
        "package edit price": (creator_client, f"/creators/me/packages/{own_package.id}/edit",
                               lambda v: package(price=v)),
        "offer (invite) price": (brand_client, f"/deals/invite?creator={creator.handle}",
                                 lambda v: _terms_form(price=v, campaign=str(campaign.id))),
        "counter-offer price": (creator_client, f"/deals/offers/{thread.id}/counter",
                                lambda v: _terms_form(price=v)),
        "offer to applicant price": (brand_client,
                                     f"/deals/applications/{application.id}/offer",
                                     lambda v: _terms_form(price=v)),
        "application proposed price": (
            creator_client, f"/campaigns/{campaign.id}/apply",
            lambda v: {"pitch": "I film a calm morning routine that fits your serum.",
                       "proposed_price": v}),
    }


FORMS = ["campaign new budget_min", "campaign new budget_max", "campaign edit budget",
         "package new price", "package edit price", "offer (invite) price",
         "counter-offer price", "offer to applicant price", "application proposed price"]


@pytest.mark.parametrize("name", FORMS)
def test_hostile_amounts_get_a_4xx_and_change_nothing(forms, name):
    client, url, data = forms[name]
    before = _snapshot()
    for value in ["1e308", "NaN", "-inf", "1.234", "9" * 40, "99999999999", "-5", "١٢٣",
                  "0x10"]:
        response = client.post(url, data=data(value))
        assert 400 <= response.status_code < 500, (name, value, response.status_code)
        page = response.get_data(as_text=True)
        assert ("Enter an amount" in page or "too high" in page or "two decimals" in page
                or "above zero" in page or "at most" in page), (name, value)
    assert _snapshot() == before


def test_every_money_form_is_listed(forms):
    assert sorted(forms) == sorted(FORMS)
