"""Deal guards and side effects (revision limits, auto-approval, cancel by agreement,
disputes, resolution), next_step wording and the brief checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import DealState, Dispute, MatchEvent
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.checklist import checklist, contains_token, split_tags
from marketplace.services.deals.state_machine import perform
from marketplace.services.errors import DomainError, InvalidTransition
from tests.support import factories
from tests.support.deals import event_count, make_deal, snapshot


@pytest.fixture
def two(app_ctx):
    return factories.make_brand(), factories.make_creator()


def test_full_happy_path_records_timeline_and_completion(two):
    brand, creator = two
    deal = make_deal(brand, creator)
    perform(deal, "fund", None)
    perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@me/video/1"],
            caption="Hi #ad")
    assert deal.auto_approve_at is not None and deal.submitted_at is not None
    perform(deal, "request_revision", brand.user, note="Please add the discount code.")
    assert deal.revisions_used == 1 and deal.auto_approve_at is None
    perform(deal, "submit", creator.user, post_links=["https://vm.tiktok.com/ZM2"],
            caption="Code X #ad")
    perform(deal, "approve", brand.user)
    perform(deal, "release", None)
    perform(deal, "complete", None)
    assert deal.state == DealState.COMPLETED and deal.reviews_open
    assert [s.number for s in deal.submissions] == [1, 2]
    actions = [e.action for e in deal.events]
    assert actions == ["fund", "submit", "request_revision", "submit", "approve", "release",
                       "complete"]
    assert db.session.scalar(select(MatchEvent).where(MatchEvent.event == "completed"))


def test_revision_refused_when_all_used(two):
    brand, creator = two
    deal = make_deal(brand, creator, state="submitted", revisions_included=1, revisions_used=1)
    with pytest.raises(InvalidTransition, match="revision"):
        perform(deal, "request_revision", brand.user, note="Change the music please.")
    assert snapshot(deal)["state"] == DealState.SUBMITTED


def test_auto_approve_refused_before_due(two):
    deal = make_deal(*two, state="submitted", auto_approve_at=utcnow() + timedelta(hours=2))
    with pytest.raises(InvalidTransition, match="not due"):
        perform(deal, "auto_approve", None)
    perform(deal, "auto_approve", None, now=utcnow() + timedelta(hours=3))
    assert deal.state == DealState.APPROVED


def test_expire_refused_inside_funding_window(two):
    deal = make_deal(*two)
    with pytest.raises(InvalidTransition, match="still open"):
        perform(deal, "expire", None)


def test_cancel_by_agreement(two):
    brand, creator = two
    deal = make_deal(brand, creator, state="funded")
    with pytest.raises(InvalidTransition, match="Nobody proposed"):
        perform(deal, "accept_cancel", creator.user)
    perform(deal, "propose_cancel", brand.user, note="Product launch postponed.")
    assert deal.state == DealState.FUNDED and deal.cancel_proposed_by == "brand"
    with pytest.raises(InvalidTransition, match="already proposed"):
        perform(deal, "propose_cancel", brand.user)
    with pytest.raises(InvalidTransition, match="other side"):
        perform(deal, "accept_cancel", brand.user)
    perform(deal, "accept_cancel", creator.user)
    assert deal.state == DealState.CANCELLED and deal.cancelled_at


def test_dispute_pauses_auto_approval_and_keeps_previous_state(two):
    brand, creator = two
    deal = make_deal(brand, creator, state="submitted", auto_approve_at=utcnow())
    perform(deal, "dispute", creator.user, note="The brand keeps asking for unpaid extras.")
    assert deal.state == DealState.DISPUTED
    assert deal.auto_approve_at is None
    assert deal.state_before_dispute == DealState.SUBMITTED
    assert deal.dispute.opened_by_side == "creator"
    deals.add_dispute_response(deal, brand.user, "We only asked for what the brief said.")
    assert deal.dispute.response.startswith("We only")
    with pytest.raises(InvalidTransition):
        deals.add_dispute_response(deal, creator.user, "Another statement from me here.")


@pytest.mark.parametrize("note", ["", "too short"])
def test_dispute_needs_a_statement(two, note):
    deal = make_deal(*two, state="submitted")
    with pytest.raises(DomainError, match="Explain"):
        perform(deal, "dispute", two[0].user, note=note)
    assert snapshot(deal)["state"] == DealState.SUBMITTED
    assert db.session.scalar(select(Dispute)) is None


@pytest.mark.parametrize("outcome,expected,creator_cents", [
    ("release", DealState.PAID_OUT, 40000),
    ("refund", DealState.CANCELLED, 0),
    ("split", DealState.PAID_OUT, 25000),
])
def test_resolve_outcomes(two, outcome, expected, creator_cents):
    admin = factories.make_user(role="admin")
    deal = make_deal(*two, state="disputed")
    perform(deal, "resolve", admin, outcome=outcome, creator_amount_cents=25000,
            brand_refund_cents=15000, note="Decided after reading both statements.")
    assert deal.state == expected
    assert deal.dispute.outcome == outcome
    assert deal.dispute.creator_amount_cents == creator_cents
    assert deal.dispute.creator_amount_cents + deal.dispute.brand_refund_cents == 40000


@pytest.mark.parametrize("payload,field", [
    ({"outcome": "maybe"}, "outcome"),
    ({"outcome": "split", "creator_amount_cents": 30000, "brand_refund_cents": 5000},
     "creator_amount"),
    ({"outcome": "split", "creator_amount_cents": 0, "brand_refund_cents": 40000},
     "creator_amount"),
    ({"outcome": "split", "creator_amount_cents": "abc", "brand_refund_cents": 1},
     "creator_amount"),
    ({"outcome": "release", "note": "short"}, "note"),
])
def test_resolve_bad_input(two, payload, field):
    admin = factories.make_user(role="admin")
    deal = make_deal(*two, state="disputed")
    payload.setdefault("note", "A long enough explanation.")
    with pytest.raises(DomainError) as exc:
        perform(deal, "resolve", admin, **payload)
    assert exc.value.field == field
    assert snapshot(deal)["state"] == DealState.DISPUTED


@pytest.mark.parametrize("payload,field", [
    ({"post_links": [], "caption": "x #ad"}, "post_links"),
    ({"post_links": ["not a url"], "caption": "x #ad"}, "post_links"),
    ({"post_links": ["javascript:alert(1)"], "caption": "x #ad"}, "post_links"),
    ({"post_links": [f"https://x.com/{i}" for i in range(7)], "caption": "x"}, "post_links"),
    ({"post_links": ["https://x.com/a"], "caption": ""}, "caption"),
    ({"post_links": ["https://x.com/a"], "caption": "x" * 2201}, "caption"),
    ({"post_links": ["https://x.com/a"], "caption": "ok", "notes": "n" * 2001}, "notes"),
])
def test_submit_bad_input_changes_nothing(two, payload, field):
    deal = make_deal(*two, state="funded")
    before = snapshot(deal)
    with pytest.raises(DomainError) as exc:
        perform(deal, "submit", two[1].user, **payload)
    assert exc.value.field == field
    assert snapshot(deal) == before
    assert event_count(deal.id) == 0


def test_unknown_action_is_refused(two):
    deal = make_deal(*two)
    with pytest.raises(InvalidTransition, match="Unknown"):
        perform(deal, "teleport", None)


def test_double_approve_second_is_refused(two):
    brand, creator = two
    deal = make_deal(brand, creator, state="submitted")
    perform(deal, "approve", brand.user)
    with pytest.raises(InvalidTransition, match="approved"):
        perform(deal, "approve", brand.user)
    assert event_count(deal.id) == 1


def test_next_step_speaks_to_each_side(two):
    brand, creator = two
    deal = make_deal(brand, creator)
    assert deals.next_step(deal, brand.user).startswith("Fund the deal")
    assert "Waiting for" in deals.next_step(deal, creator.user)
    deal.state = DealState.FUNDED
    assert deals.next_step(deal, creator.user).startswith("Create the content")


# --- brief checklist ---

@pytest.mark.parametrize("caption,token,expected", [
    ("Loving this #ad", "#ad", True),
    ("LOVING THIS #AD!", "#ad", True),
    ("#adventure time", "#ad", False),
    ("x#ad", "#ad", False),
    ("In paid partnership with @glow", "paid partnership", True),
    ("Paid Partnership", "paid partnership", True),
    ("unpaid partnership", "paid partnership", False),
    ("#sponsored, yes", "#sponsored", True),
    ("thanks @glowco", "@glow", False),
    ("thanks @GlowCo.", "@glowco", True),
])
def test_contains_token(caption, token, expected):
    assert contains_token(caption, token) is expected


def test_split_tags_normalises():
    assert split_tags("summer, #glow  skincare,,#glow", "#") == ["#summer", "#glow", "#skincare"]
    assert split_tags("", "@") == []


def test_checklist_pass_and_fail(two):
    brand, creator = two
    campaign = factories.make_campaign(brand)
    campaign.required_disclosure = "#ad"
    campaign.required_hashtags = "#glow, spf"
    campaign.required_mentions = "@glowco"
    db.session.commit()
    deal = make_deal(brand, creator, campaign=campaign, state="funded")
    perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@me/video/1"],
            caption="Morning routine with @GlowCo #glow #ad",
            acknowledgements={"hashtag:#spf": "The SPF tag is in the first comment."})
    items = {i.label: i.passed for i in checklist(deal, deal.latest_submission)}
    assert items == {"Disclosure “#ad”": True, "Hashtag #glow": True, "Hashtag #spf": False,
                     "Mention @glowco": True, "TikTok post link": True}
    failing = [i for i in checklist(deal, deal.latest_submission) if not i.passed]
    assert failing[0].detail == "Add #spf to the caption."
    assert failing[0].acknowledgement == "The SPF tag is in the first comment."
