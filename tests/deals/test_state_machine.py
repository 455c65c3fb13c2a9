"""The deal state machine, table-driven: every state x action x actor. Allowed moves succeed
and are audited; everything else is refused with a clear error and changes nothing.

The 650 cases share one app and one set of users (module scope) so the table runs in seconds;
each case gets a fresh deal."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import event, select
from werkzeug.security import generate_password_hash

from marketplace import create_app
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import DealEvent, DealState, Side
from marketplace.models import user as user_module
from marketplace.services.deals import posts
from marketplace.services.deals.state_machine import TRANSITIONS, Action, perform
from marketplace.services.errors import DomainError, InvalidTransition, NotAllowed
from tests.conftest import _clear_tables, _test_config
from tests.support import factories
from tests.support.deals import event_count, make_deal, snapshot
from tests.support.jobs import TRACKER

ACTORS = ("brand", "creator", "admin", "system", "outsider")
SIDE = {"brand": Side.BRAND, "creator": Side.CREATOR, "admin": Side.ADMIN,
        "system": Side.SYSTEM, "outsider": None}
OTHER = {"brand": "creator", "creator": "brand"}

PAYLOADS = {
    Action.SUBMIT: {"post_links": ["https://www.tiktok.com/@me/video/1"],
                    "caption": "My morning routine #ad"},
    Action.REQUEST_REVISION: {"note": "Please show the product in the first 3 seconds."},
    Action.DISPUTE: {"note": "The posted video does not show the product as agreed."},
    Action.RESOLVE: {"outcome": "split", "creator_amount_cents": 30000,
                     "brand_refund_cents": 10000, "note": "Partly delivered: 75/25 split."},
    Action.EXTEND_DUE_DATE: {"content_due": date.today() + timedelta(days=40)},
    Action.CONFIRM_LIVE: {"via": "silence"},  # the system's reason; the brand's is its own
}
POSTING = (Action.ADD_POST_LINK, Action.CONFIRM_LIVE)


def payload_for(deal, action: Action) -> dict:
    payload = dict(PAYLOADS.get(action, {}))
    if action == Action.ADD_POST_LINK:
        payload.update(deliverable_id=deal.deliverable_items[0].id,
                       url=f"https://www.tiktok.com/@{deal.creator.handle}/video/7301234567890")
    return payload


@pytest.fixture(scope="module")
def parties(_schema, job_worker, tmp_path_factory):
    """One app context and one cast for the whole table (these tests never log in, so the
    password hashes can be cheap). On PostgreSQL the session's worker runs the jobs the moves
    queue (payouts, refunds, mail), in this app."""
    app = create_app(_test_config(_schema, tmp_path_factory.mktemp("state_machine")))
    TRACKER.register(app)
    with app.app_context(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(user_module, "generate_password_hash",
                   partial(generate_password_hash, method="pbkdf2:sha256:1"))
        if db.engine.dialect.name == "sqlite":  # 650 small commits: skip fsync in this module
            event.listen(db.engine, "connect",
                         lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))
            db.engine.dispose()
        _clear_tables()
        brand = factories.make_brand()
        creator = factories.make_creator()
        admin = factories.make_user(role="admin")
        outsider = factories.make_brand().user
        yield {"brand": brand.user, "creator": creator.user, "admin": admin, "system": None,
               "outsider": outsider, "brand_profile": brand, "creator_profile": creator}
        if job_worker is not None:
            TRACKER.wait()
        TRACKER.apps.pop(str(id(app)), None)
        db.session.remove()
        _clear_tables()
        db.session.remove()
        db.engine.dispose()


def deal_for(parties, state: DealState, action: Action, actor: str):
    """A deal in `state` whose guards pass for `action` taken by `actor`."""
    now = utcnow()
    fields = {"agreed_at": now - timedelta(days=8)}
    if state == DealState.SUBMITTED:
        fields["auto_approve_at"] = now - timedelta(hours=1)
    if action == Action.ACCEPT_CANCEL:
        fields["cancel_proposed_by"] = OTHER.get(actor, "brand")
    if state == DealState.DISPUTED:
        fields["state_before_dispute"] = DealState.SUBMITTED
    if action == Action.CANCEL_LATE:  # the content is late (its guard)
        fields["content_due"] = date.today() - timedelta(days=2)
    deal = make_deal(parties["brand_profile"], parties["creator_profile"], state=state.value,
                     **fields)
    if action in POSTING:  # a deal with a post to make (and, to confirm, already linked)
        posts.make_rows(deal)
        if action == Action.CONFIRM_LIVE:
            item = deal.deliverable_items[0]
            item.live_url, item.post_id = "https://www.tiktok.com/@x/video/7301234567890", "1"
            item.linked_at = now - timedelta(days=3)
            deal.posts_linked_at = now - timedelta(days=3)
        db.session.commit()
    if action == Action.DISPUTE and state in (DealState.PAID_OUT, DealState.COMPLETED):
        posts.make_rows(deal)  # after the payout: only over a post taken down early (guard)
        item = deal.deliverable_items[0]
        item.live_url, item.post_id = "https://www.tiktok.com/@x/video/7301234567890", "1"
        item.verified_at, item.removed_at = now - timedelta(days=3), now - timedelta(days=1)
        db.session.commit()
    return deal


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(DealState))
def test_every_state_action_actor(parties, state, action, actor):
    deal = deal_for(parties, state, action, actor)
    move = TRANSITIONS.get((state, action))
    allowed = move is not None and SIDE[actor] in move.actors
    before, events_before = snapshot(deal), event_count(deal.id)
    payload = payload_for(deal, action)
    if allowed:
        result = perform(deal, action, parties[actor], **payload)
        expected = move.to["split"] if isinstance(move.to, dict) else (move.to or state)
        assert result.state == expected
        assert event_count(deal.id) == events_before + 1
        event = db.session.scalars(select(DealEvent).where(DealEvent.deal_id == deal.id)
                                   .order_by(DealEvent.id.desc())).first()
        assert (event.action, event.from_state, event.to_state) == (action, state, expected)
        assert event.actor_side == str(SIDE[actor])
    else:
        with pytest.raises((InvalidTransition, NotAllowed)) as exc:
            perform(deal, action, parties[actor], **payload)
        assert exc.value.message  # a sentence for the user, not a stack trace
        assert snapshot(deal) == before
        assert event_count(deal.id) == events_before


def test_table_only_uses_known_sides():
    for move in TRANSITIONS.values():
        assert move.actors and move.actors <= set(Side)
        assert move.event


# --------------------------------------------------------------------------- late content

def test_extend_due_date_is_the_brands_while_content_is_owed():
    owed = {DealState.FUNDED, DealState.REVISION_REQUESTED}
    for action in (Action.EXTEND_DUE_DATE, Action.CANCEL_LATE):
        states = {state for (state, a) in TRANSITIONS if a == action}
        assert states == owed
        assert all(TRANSITIONS[(s, action)].actors == {Side.BRAND} for s in states)
    assert TRANSITIONS[(DealState.FUNDED, Action.EXTEND_DUE_DATE)].to is None  # state stays
    assert TRANSITIONS[(DealState.FUNDED, Action.CANCEL_LATE)].to == DealState.CANCELLED


def test_extend_due_date_moves_the_date_and_clears_late(parties):
    today = date.today()
    deal = make_deal(parties["brand_profile"], parties["creator_profile"], state="funded",
                     content_due=today - timedelta(days=1), is_late=True)
    new_due = today + timedelta(days=7)
    perform(deal, Action.EXTEND_DUE_DATE, parties["brand"], content_due=new_due)
    db.session.refresh(deal)
    assert (deal.content_due, deal.is_late, deal.state) == (new_due, False, DealState.FUNDED)
    event = deal.events[-1]
    assert event.action == "extend_due_date" and "to " + new_due.strftime("%d %b %Y") in event.note


@pytest.mark.parametrize("new_due, message", [
    (None, "Choose the new due date"),
    ("2027-01-01", "Choose the new due date"),  # a string is not a date
    (date.today() - timedelta(days=40), "after the current due date"),
    (date.today() - timedelta(days=1), "from today on"),
    (date.today() + timedelta(days=400), "within a year"),
])
def test_extend_due_date_refuses_bad_dates(parties, new_due, message):
    deal = make_deal(parties["brand_profile"], parties["creator_profile"], state="funded",
                     content_due=date.today() - timedelta(days=3))
    before = snapshot(deal)
    with pytest.raises(DomainError) as exc:
        perform(deal, Action.EXTEND_DUE_DATE, parties["brand"], content_due=new_due)
    assert message in exc.value.message and exc.value.field == "content_due"
    assert snapshot(deal) == before


def test_cancel_late_only_once_the_content_is_late(parties):
    on_time = make_deal(parties["brand_profile"], parties["creator_profile"], state="funded",
                        content_due=date.today())
    with pytest.raises(InvalidTransition, match="not late"):
        perform(on_time, Action.CANCEL_LATE, parties["brand"])
    late = make_deal(parties["brand_profile"], parties["creator_profile"], state="funded",
                     content_due=date.today() - timedelta(days=1))
    perform(late, Action.CANCEL_LATE, parties["brand"])
    db.session.refresh(late)
    assert late.state == DealState.CANCELLED and "content was due" in late.cancel_reason
