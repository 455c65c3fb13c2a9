"""The creator's money (defects 1 and 5): net amounts everywhere (never $0.00 while held, never
the gross price), states held / pending set-up / on the way / paid with expected arrival,
every waiting payout linked to payout set-up, Payouts and Earnings in the navigation,
statements and the yearly summary, payout_summary for dashboards, query budgets."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import DealState
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from tests.support import factories
from tests.support.documents import download_pdf
from tests.support.payments import (
    QueryCounter,
    make_deal,
    money_in_state,
    ready_payout_account,
    saved_card,
)

YEAR = utcnow().year


def test_creator_net_in_every_state(app_ctx, brand, creator):
    expected = {"held": 45000, "pending set-up": 45000, "on the way": 45000, "paid": 45000,
                "refunded": 0}
    for state, net in expected.items():
        assert payments.creator_net(money_in_state(brand, creator, state)) == net, state
    assert payments.creator_net(make_deal(brand, creator, price_cents=30000)) == 27000


def test_held_money_says_held_with_the_expected_net_not_zero(app_ctx, brand, creator,
                                                             creator_client):
    deal = money_in_state(brand, creator, "held")
    statement = creator_client.get(f"/deals/{deal.id}/statement").get_data(as_text=True)
    assert "Expected payout (held)" in statement and "$450.00" in statement
    assert "$0.00" not in statement
    earnings = creator_client.get("/payments").get_data(as_text=True)
    assert "held" in earnings and "$450.00" in earnings and "$500.00" not in earnings


def test_payouts_page_shows_net_amounts_states_and_expected_arrival(app_ctx, brand, creator,
                                                                   creator_client):
    pending = money_in_state(brand, creator, "pending set-up")
    on_way = money_in_state(brand, creator, "on the way", price_cents=30000)
    money_in_state(brand, creator, "paid", price_cents=20000)
    money_in_state(brand, creator, "held", price_cents=10000)
    page = creator_client.get("/payouts").get_data(as_text=True)
    upcoming = page.split('id="upcoming-payouts"')[1].split("</table>")[0]
    assert f"#{pending.id}" in upcoming and "$450.00" in upcoming and "$500.00" not in upcoming
    assert "pending set-up" in upcoming and 'href="#payout-account"' in upcoming
    transfer = payments.statement(on_way).transfer
    assert f"by {transfer.expected_arrival_at.strftime('%d %b %Y')}" in upcoming
    assert "$270.00" in upcoming and "when the brand approves" in upcoming
    paid = page.split('id="paid-payouts"')[1].split("</table>")[0]
    assert "$180.00" in paid
    assert 'id="total-held">$90.00' in page and 'id="total-pending_setup">$450.00' in page
    assert 'id="total-on_the_way">$270.00' in page and 'id="total-paid">$180.00' in page
    assert "1 approved deal is waiting for your payout set-up" in page


def test_payout_summary_totals_by_state(app_ctx, brand, creator):
    for state, price in (("held", 10000), ("held", 20000), ("pending set-up", 30000),
                         ("on the way", 40000), ("paid", 50000), ("refunded", 60000)):
        money_in_state(brand, creator, state, price_cents=price)
    summary = payments.payout_summary(creator)
    (usd,) = summary.totals
    assert (usd.currency, usd.held, usd.pending_setup, usd.on_the_way, usd.paid) == (
        "USD", 27000, 27000, 36000, 45000)
    assert summary.needs_setup and summary.waiting_for_setup == 1
    ready_payout_account(creator)
    assert not payments.payout_summary(creator).needs_setup
    assert payments.SETUP_ENDPOINT == "payments.payouts"


def test_a_waiting_payout_links_to_payout_set_up_everywhere(app_ctx, brand, creator,
                                                            creator_client):
    deal = make_deal(brand, creator)
    payments.fund(deal, brand.user, saved_card(brand.user))
    deal.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(deal, "approve", brand.user)  # no payout account yet
    assert payments.payment_for(deal.id).status == "payout_pending"
    for url in ("/payments", f"/deals/{deal.id}/statement", "/payouts"):
        page = creator_client.get(url).get_data(as_text=True)
        assert "pending set-up" in page, url
        assert ('href="/payouts"' in page and "Set up payouts" in page) or (
            'href="#payout-account"' in page), url


def test_creator_and_brand_navigation_link_the_money_pages(app_ctx, creator_client,
                                                           brand_client):
    page = creator_client.get("/dashboard").get_data(as_text=True)
    nav = page.split("<main", 1)[0]
    assert 'href="/payouts"' in nav and 'href="/payments"' in nav
    assert ">Earnings<" in nav and ">Payouts<" in nav
    nav = brand_client.get("/dashboard").get_data(as_text=True).split("<main", 1)[0]
    assert 'href="/payments"' in nav and 'href="/brands/me/billing"' in nav


def test_onboarding_return_sends_waiting_payouts_and_says_so(app_ctx, brand, creator,
                                                            creator_client):
    deal = make_deal(brand, creator)
    payments.fund(deal, brand.user, saved_card(brand.user))
    deal.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(deal, "approve", brand.user)
    account = ready_payout_account(creator)
    account.ready = False  # Stripe says ready on the next read
    db.session.commit()
    page = creator_client.get("/payouts/return", follow_redirects=True).get_data(as_text=True)
    assert "Payouts are set up. 1 waiting payout(s) sent" in page
    db.session.expire_all()
    assert payments.statement(deal).state in ("on the way", "paid")


def test_statement_pdf_and_yearly_summary(app_ctx, brand, creator, creator_client):
    paid = money_in_state(brand, creator, "paid", price_cents=20000)
    money_in_state(brand, creator, "on the way", price_cents=30000)
    money_in_state(brand, creator, "held", price_cents=40000)  # not paid: not in the year
    pdf = download_pdf(creator_client, f"/deals/{paid.id}/statement.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert (f'filename="duet-payout-statement-deal-{paid.id}.pdf"'
            in pdf.headers["Content-Disposition"])
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Payout statement" in text and f"#{paid.id}" in text and "$180.00" in text
    rows = list(csv.reader(io.StringIO(
        creator_client.get(f"/earnings/{YEAR}.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["paid_on", "expected_arrival", "deal_id"]
    assert len(rows) == 4 and rows[-1][:1] == ["total"]
    assert rows[-1][6:9] == ["500.00", "50.00", "450.00"]  # gross, fee, net
    year_pdf = download_pdf(creator_client, f"/earnings/{YEAR}.pdf")
    assert year_pdf.data.startswith(b"%PDF")
    assert f'filename="duet-earnings-{YEAR}.pdf"' in year_pdf.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(year_pdf.data)).pages)
    assert f"Earnings {YEAR}" in text and "$450.00" in text
    assert creator_client.get(f"/earnings/{YEAR - 1}.csv").status_code == 200  # empty year
    for bad in ("/earnings/1.csv", "/earnings/99999.pdf"):
        assert creator_client.get(bad).status_code == 404
    assert creator_client.post("/earnings/99999.pdf").status_code == 404
    assert creator_client.get(f"/earnings/{YEAR}.pdf").headers["Location"].endswith(
        "/payments#yearly-summaries")  # an old link: the page with the buttons


def test_yearly_summary_is_the_creators_own(app_ctx, brand, creator, brand_client, login_as):
    money_in_state(brand, creator, "paid")
    other = login_as(factories.make_creator().user)
    rows = list(csv.reader(io.StringIO(other.get(f"/earnings/{YEAR}.csv").get_data(
        as_text=True))))
    assert len(rows) == 1  # the header only: nothing of another creator's
    assert brand_client.get(f"/earnings/{YEAR}.csv").status_code == 403


@pytest.mark.parametrize("url, budget", [("/payouts", 14), ("/payments", 18)])
def test_creator_money_pages_have_a_query_budget(app, app_ctx, brand, creator, creator_client,
                                                 url, budget):
    money_in_state(brand, creator, "paid")
    with QueryCounter(db.engine) as few:
        assert creator_client.get(url).status_code == 200
    for state in ("held", "pending set-up", "on the way", "paid", "refunded") * 2:
        money_in_state(brand, creator, state)
    with QueryCounter(db.engine) as many:
        assert creator_client.get(url).status_code == 200
    assert many.count == few.count and many.count <= budget, (few.count, many.count)


def test_brand_payments_page_has_a_query_budget(app, app_ctx, brand, creator, brand_client):
    money_in_state(brand, creator, "held")
    with QueryCounter(db.engine) as few:
        assert brand_client.get("/payments").status_code == 200
    for state in ("held", "paid", "refunded") * 3:
        money_in_state(brand, creator, state)
    with QueryCounter(db.engine) as many:
        page = brand_client.get("/payments").get_data(as_text=True)
    assert many.count == few.count and many.count <= 12, (few.count, many.count)
    assert "released to creator" in page and "refunded" in page
