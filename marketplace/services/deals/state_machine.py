"""THE deal state machine. Every change of a deal's state goes through `perform`, which
checks the TRANSITIONS table (state, action) -> Move(to, actors), the actor's side and the
move's guard, applies it, writes a DealEvent, commits, then sends `deal_event`.

Concurrency: the deal row is re-read with SELECT ... FOR UPDATE (PostgreSQL; SQLite
serialises writers anyway), so of two simultaneous identical requests (a double-clicked
"Approve") the second sees the new state and is REFUSED with InvalidTransition ("already
approved") — never applied twice. Refusals roll back and change nothing.

Money: fund (payment captured), release (payout sent) and the refunds implied by cancel /
accept_cancel / resolve(refund|split) are the moments the payments code drives or reacts to;
here they are plain `system`/`admin` moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Deal, DealEvent, DealState, Dispute, Side, Submission, User
from marketplace.models.deal import DisputeOutcome, SubmissionCheck
from marketplace.models.deliverable import VerifiedVia
from marketplace.models.payment import PayoutAccount
from marketplace.models.review import Review
from marketplace.money import format_money
from marketplace.services.deals import checklist as brief
from marketplace.services.deals import files as deal_files
from marketplace.services.deals import posts, schedule
from marketplace.services.deals.parties import now_or, setting, side_of
from marketplace.services.errors import DomainError, InvalidTransition, NotAllowed
from marketplace.services.matching import outcome_log as match_log
from marketplace.signals import deal_event

S = DealState


class Action(StrEnum):
    FUND = "fund"
    SUBMIT = "submit"
    REQUEST_REVISION = "request_revision"
    APPROVE = "approve"
    AUTO_APPROVE = "auto_approve"
    RELEASE = "release"
    COMPLETE = "complete"
    CANCEL = "cancel"
    PROPOSE_CANCEL = "propose_cancel"
    ACCEPT_CANCEL = "accept_cancel"
    DISPUTE = "dispute"
    RESOLVE = "resolve"
    EXPIRE = "expire"
    EXTEND_DUE_DATE = "extend_due_date"
    CANCEL_LATE = "cancel_late"
    ADD_POST_LINK = "add_post_link"
    CONFIRM_LIVE = "confirm_live"
    RECORD_BONUS = "record_bonus"


@dataclass(frozen=True)
class Move:
    """Where an action leads and who may take it. `to` is a dict for resolve (by outcome);
    None means the state does not change (a proposal is only recorded)."""

    to: DealState | dict[str, DealState] | None
    actors: frozenset[Side]
    event: str = ""


BRAND, CREATOR, ADMIN, SYSTEM = Side.BRAND, Side.CREATOR, Side.ADMIN, Side.SYSTEM
PARTIES = frozenset({BRAND, CREATOR})

TRANSITIONS: dict[tuple[DealState, Action], Move] = {
    (S.AGREED, Action.FUND): Move(S.FUNDED, frozenset({SYSTEM}), "deal_funded"),
    (S.AGREED, Action.CANCEL): Move(S.CANCELLED, PARTIES, "deal_cancelled"),
    (S.AGREED, Action.EXPIRE): Move(S.EXPIRED, frozenset({SYSTEM}), "deal_expired"),
    (S.FUNDED, Action.SUBMIT): Move(S.SUBMITTED, frozenset({CREATOR}), "deal_submitted"),
    (S.REVISION_REQUESTED, Action.SUBMIT): Move(S.SUBMITTED, frozenset({CREATOR}),
                                                "deal_submitted"),
    (S.SUBMITTED, Action.REQUEST_REVISION): Move(S.REVISION_REQUESTED, frozenset({BRAND}),
                                                 "revision_requested"),
    (S.SUBMITTED, Action.APPROVE): Move(S.APPROVED, frozenset({BRAND}), "deal_approved"),
    (S.SUBMITTED, Action.AUTO_APPROVE): Move(S.APPROVED, frozenset({SYSTEM}),
                                             "deal_auto_approved"),
    (S.APPROVED, Action.RELEASE): Move(S.PAID_OUT, frozenset({SYSTEM}), "deal_paid_out"),
    # Deals with posted deliverables: the creator links each live post, then the platform
    # (system), the brand, or the brand's silence (system) confirms them; the payout follows.
    (S.APPROVED, Action.ADD_POST_LINK): Move(None, frozenset({CREATOR}), "post_linked"),
    (S.APPROVED, Action.CONFIRM_LIVE): Move(S.POSTED, frozenset({BRAND, SYSTEM}), "deal_posted"),
    (S.POSTED, Action.RELEASE): Move(S.PAID_OUT, frozenset({SYSTEM}), "deal_paid_out"),
    # A thank-you bonus (charged and sent by the payments code) is recorded on the deal.
    **{(state, Action.RECORD_BONUS): Move(None, frozenset({SYSTEM}), "bonus_paid")
       for state in (S.PAID_OUT, S.COMPLETED)},
    (S.PAID_OUT, Action.COMPLETE): Move(S.COMPLETED, frozenset({SYSTEM}), "deal_completed"),
    # After funding, money is held: cancelling needs an admin ("refund") or both parties.
    **{(state, Action.CANCEL): Move(S.CANCELLED, frozenset({ADMIN}), "deal_cancelled")
       for state in (S.FUNDED, S.SUBMITTED, S.REVISION_REQUESTED)},
    **{(state, Action.PROPOSE_CANCEL): Move(None, PARTIES, "cancel_proposed")
       for state in (S.FUNDED, S.SUBMITTED, S.REVISION_REQUESTED)},
    **{(state, Action.ACCEPT_CANCEL): Move(S.CANCELLED, PARTIES, "deal_cancelled")
       for state in (S.FUNDED, S.SUBMITTED, S.REVISION_REQUESTED)},
    **{(state, Action.DISPUTE): Move(S.DISPUTED, PARTIES, "deal_disputed")
       for state in (S.SUBMITTED, S.REVISION_REQUESTED, S.APPROVED, S.POSTED)},
    # After the payout, the brand may still dispute a post taken down before its live period
    # ended (the guard checks one was; the takedown evidence joins the statement).
    **{(state, Action.DISPUTE): Move(S.DISPUTED, frozenset({BRAND}), "deal_disputed")
       for state in (S.PAID_OUT, S.COMPLETED)},
    # While content is owed the brand may give more time; once it is late, the brand may also
    # cancel on its own (the payments hook refunds everything charged).
    **{(state, Action.EXTEND_DUE_DATE): Move(None, frozenset({BRAND}), "due_date_extended")
       for state in (S.FUNDED, S.REVISION_REQUESTED)},
    **{(state, Action.CANCEL_LATE): Move(S.CANCELLED, frozenset({BRAND}), "deal_cancelled")
       for state in (S.FUNDED, S.REVISION_REQUESTED)},
    (S.DISPUTED, Action.RESOLVE): Move(
        {"release": S.PAID_OUT, "refund": S.CANCELLED, "split": S.PAID_OUT},
        frozenset({ADMIN}), "dispute_resolved"),
}

ACTION_LABELS: dict[str, str] = {
    "agree": "Offer accepted", "fund": "Funded", "submit": "Content submitted",
    "request_revision": "Revision requested", "approve": "Approved",
    "auto_approve": "Approved automatically", "release": "Paid out to the creator",
    "complete": "Completed", "cancel": "Cancelled", "propose_cancel": "Cancellation proposed",
    "accept_cancel": "Cancelled by agreement", "dispute": "Dispute opened",
    "resolve": "Dispute resolved", "expire": "Expired unfunded",
    "extend_due_date": "Due date extended", "cancel_late": "Cancelled: the content was late",
    "add_post_link": "Live post linked", "confirm_live": "Posts confirmed live",
    "record_bonus": "Bonus sent",
}

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.EXPIRED})
SIDE_NAMES = {BRAND: "the brand", CREATOR: "the creator", ADMIN: "an admin", SYSTEM: "Duet"}

MAX_LINKS = 6
CAPTION_MAX = 2200
NOTES_MAX = 2000
STATEMENT_MIN, STATEMENT_MAX = 20, 4000
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass
class _Context:
    deal: Deal
    action: Action
    side: Side
    user: User | None
    now: datetime
    note: str
    payload: dict[str, Any]
    to: DealState | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def allowed_actions(deal: Deal, viewer: User | None) -> set[Action]:
    """Actions the table lets `viewer` take on the deal now (guards not evaluated)."""
    side = side_of(viewer, deal.brand_id, deal.creator_id)
    allowed = {action for (state, action), move in TRANSITIONS.items()
               if state == deal.state and side in move.actors}
    if Action.DISPUTE in allowed and deal.state in AFTER_PAYOUT and not _takedown_dispute(deal):
        allowed.discard(Action.DISPUTE)
    return allowed


AFTER_PAYOUT = frozenset({S.PAID_OUT, S.COMPLETED})


def _takedown_dispute(deal: Deal) -> bool:
    """A paid-out deal can be disputed only over a post taken down early, and only once."""
    return deal.dispute is None and deal.posts_required and bool(posts.early_takedowns(deal))


def _lock(deal: Deal) -> Deal:
    return db.session.execute(
        select(Deal).where(Deal.id == deal.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _refuse(exc: DomainError):
    db.session.rollback()  # release the lock; nothing was changed
    raise exc


def _actors_text(actors: frozenset[Side]) -> str:
    return " or ".join(sorted(SIDE_NAMES[a] for a in actors))


def perform(deal: Deal, action: Action | str, actor: User | None, *, note: str = "",
            now: datetime | None = None, **payload: Any) -> Deal:
    """Take `action` on `deal` as `actor` (None = the system). Raises NotAllowed (wrong
    party or side), InvalidTransition (not from this state, guard fails) or DomainError
    (bad payload); in every such case the deal and its events are unchanged."""
    try:
        action = Action(action)
    except ValueError as exc:
        raise InvalidTransition(f"Unknown action “{action}”.") from exc
    now = now_or(now)
    deal = _lock(deal)
    side = side_of(actor, deal.brand_id, deal.creator_id)
    if side is None:
        _refuse(NotAllowed("You are not part of this deal."))
    move = TRANSITIONS.get((deal.state, action))
    if move is None:
        _refuse(InvalidTransition(f"You cannot {action.replace('_', ' ')} a deal that is "
                                  f"{deal.state_label.lower()}."))
    if side not in move.actors:
        _refuse(NotAllowed(f"Only {_actors_text(move.actors)} can "
                           f"{action.replace('_', ' ')} at this stage."))
    ctx = _Context(deal=deal, action=action, side=side, user=actor, now=now,
                   note=(note or "").strip(), payload=payload,
                   to=move.to if not isinstance(move.to, dict) else None)
    try:
        GUARDS.get(action, _no_guard)(ctx)
        if isinstance(move.to, dict):
            ctx.to = move.to[ctx.payload["outcome"]]
        from_state = deal.state
        APPLY.get(action, _no_apply)(ctx)
    except DomainError as exc:
        for undo in ctx.cleanup:
            undo()
        _refuse(exc)
    if ctx.to is not None:
        deal.state = ctx.to
    db.session.add(DealEvent(deal_id=deal.id, actor_user_id=actor.id if actor else None,
                             actor_side=str(side), action=str(action), from_state=from_state,
                             to_state=deal.state, note=ctx.note, created_at=now))
    if deal.state == S.COMPLETED:
        match_log.record(deal.campaign_id, deal.creator_id, "completed")
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for undo in ctx.cleanup:
            undo()
        raise
    deal_event.send(deal, event=move.event, actor=actor, note=ctx.note, action=str(action))
    return deal


# --- guards: validate the payload and the move's condition; raise, never change anything ---

def _no_guard(ctx: _Context) -> None:
    return None


def _guard_submit(ctx: _Context) -> None:
    links = [str(u).strip() for u in ctx.payload.get("post_links") or [] if str(u).strip()]
    if not links:
        raise DomainError("Add the link to at least one post (or a private preview link).",
                          field="post_links")
    if len(links) > MAX_LINKS:
        raise DomainError(f"At most {MAX_LINKS} links.", field="post_links")
    for url in links:
        if len(url) > 500 or not URL_RE.match(url):
            raise DomainError(f"“{url[:60]}” is not a web address (http:// or https://).",
                              field="post_links")
    caption = (ctx.payload.get("caption") or "").strip()
    if not caption:
        raise DomainError("Paste the caption you posted (or will post).", field="caption")
    if len(caption) > CAPTION_MAX:
        raise DomainError(f"Captions are at most {CAPTION_MAX} characters.", field="caption")
    notes = (ctx.payload.get("notes") or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(f"Keep notes under {NOTES_MAX} characters.", field="notes")
    links = list(dict.fromkeys(links))
    # Every failing brief item is fixed or acknowledged with a reason, or nothing is stored.
    checks = brief.apply_acknowledgements(brief.evaluate(ctx.deal, caption, links),
                                          ctx.payload.get("acknowledgements"))
    ctx.payload.update(post_links=links, caption=caption, notes=notes, checks=checks)
    draft = ctx.payload.get("draft")
    ctx.payload["draft_name"] = ctx.payload["draft_mimetype"] = None
    if draft is not None:
        name, mimetype = deal_files.store_draft(draft, setting("DRAFT_MAX_MB") * 1024 * 1024)
        ctx.payload.update(draft_name=name, draft_mimetype=mimetype)
        ctx.cleanup.append(lambda: deal_files.remove_draft(name))
    elif ctx.payload.get("keep_draft"):
        previous = _latest_submission(ctx.deal)
        if previous is not None and deal_files.draft_path(previous.draft_file or ""):
            ctx.payload.update(draft_name=previous.draft_file,
                               draft_mimetype=previous.draft_mimetype)


def _latest_submission(deal: Deal) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.deal_id == deal.id)
                             .order_by(Submission.number.desc()).limit(1))


def _guard_request_revision(ctx: _Context) -> None:
    if ctx.deal.revisions_used >= ctx.deal.revisions_included:
        raise InvalidTransition(
            f"All {ctx.deal.revisions_included} revision(s) in the terms are used; approve, "
            "or open a dispute if the content does not meet the brief.")
    if len(ctx.note) < 10:
        raise DomainError("Say what should change (at least 10 characters).", field="note")
    if len(ctx.note) > NOTES_MAX:
        raise DomainError(f"Keep it under {NOTES_MAX} characters.", field="note")


def _guard_auto_approve(ctx: _Context) -> None:
    latest = _latest_submission(ctx.deal)
    if latest is not None and latest.failing_checks:
        raise InvalidTransition("Automatic approval is paused: the submission misses a brief "
                                "item, so the brand decides.")
    due = ctx.deal.auto_approve_at
    if due is None or ctx.now < due:
        raise InvalidTransition("This submission is not due for automatic approval yet.")


def _guard_release(ctx: _Context) -> None:
    if ctx.deal.state == S.APPROVED and ctx.deal.posts_required:
        raise InvalidTransition("The payout waits until the posts are confirmed live.")


def _guard_add_post_link(ctx: _Context) -> None:
    if not ctx.deal.posts_required:
        raise InvalidTransition("This deal has nothing to post: the content is handed over as "
                                "files.")
    item, ref = posts.check_link(ctx.deal, ctx.payload.get("deliverable_id"),
                                 ctx.payload.get("url"))
    ctx.payload.update(item=item, ref=ref)


def _guard_confirm_live(ctx: _Context) -> None:
    deal = ctx.deal
    if not deal.posts_required:
        raise InvalidTransition("This deal has nothing to post.")
    waiting = [i for i in posts.posted_items(deal) if not i.linked_at]
    if waiting:
        raise InvalidTransition(f"{len(waiting)} post(s) have no live link yet.")
    if ctx.side == SYSTEM:
        via = ctx.payload.get("via")
        if via == VerifiedVia.PLATFORM:
            if any(i.verified_at is None for i in posts.posted_items(deal)):
                raise InvalidTransition("Not every post is verified by its platform yet.")
        elif via == VerifiedVia.SILENCE:
            confirm_by = schedule.live_confirm_by(deal)
            if confirm_by is None or ctx.now < confirm_by:
                raise InvalidTransition("The brand still has time to check the posts.")
        else:
            raise DomainError("Say how the posts were confirmed.")
        ctx.payload["via"] = via
    else:
        ctx.payload["via"] = VerifiedVia.BRAND


def _guard_expire(ctx: _Context) -> None:
    if ctx.now < schedule.funding_deadline(ctx.deal):
        raise InvalidTransition("The funding window of this deal is still open.")


MAX_DUE_AHEAD = timedelta(days=366)


def _guard_extend_due_date(ctx: _Context) -> None:
    new_due = ctx.payload.get("content_due")
    if not isinstance(new_due, date) or isinstance(new_due, datetime):
        raise DomainError("Choose the new due date.", field="content_due")
    today = ctx.now.date()
    if new_due <= ctx.deal.content_due:
        raise DomainError(f"Choose a date after the current due date, "
                          f"{schedule.format_when(ctx.deal.content_due)}.", field="content_due")
    if new_due < today:
        raise DomainError("Choose a date from today on.", field="content_due")
    if new_due > today + MAX_DUE_AHEAD:
        raise DomainError("Choose a date within a year.", field="content_due")
    if len(ctx.note) > NOTES_MAX:
        raise DomainError(f"Keep the note under {NOTES_MAX} characters.", field="note")


def _guard_cancel_late(ctx: _Context) -> None:
    if not schedule.is_content_late(ctx.deal, ctx.now):
        raise InvalidTransition(
            f"The content is not late: it is due by the end of "
            f"{schedule.format_when(ctx.deal.content_due)} (UTC). Until then, propose "
            "cancelling and the creator can accept.")


def _guard_propose_cancel(ctx: _Context) -> None:
    proposer = ctx.deal.cancel_proposed_by
    if proposer == ctx.side:
        raise InvalidTransition("You already proposed cancelling; waiting for the other side.")
    if proposer is not None:
        raise InvalidTransition("The other side already proposed cancelling; accept it instead.")
    if len(ctx.note) > NOTES_MAX:
        raise DomainError(f"Keep the reason under {NOTES_MAX} characters.", field="note")


def _guard_accept_cancel(ctx: _Context) -> None:
    proposer = ctx.deal.cancel_proposed_by
    if proposer is None:
        raise InvalidTransition("Nobody proposed cancelling this deal.")
    if proposer == ctx.side:
        raise InvalidTransition("You proposed cancelling; the other side has to accept it.")


def _guard_dispute(ctx: _Context) -> None:
    if ctx.deal.state in AFTER_PAYOUT and not _takedown_dispute(ctx.deal):
        raise InvalidTransition("After the payout, a dispute can only be opened over a post "
                                "taken down before its required live period ended.")
    if not STATEMENT_MIN <= len(ctx.note) <= STATEMENT_MAX:
        raise DomainError(f"Explain what went wrong in {STATEMENT_MIN}-{STATEMENT_MAX} "
                          "characters.", field="note")


def _guard_resolve(ctx: _Context) -> None:
    outcome = ctx.payload.get("outcome")
    if outcome not in {o.value for o in DisputeOutcome}:
        raise DomainError("Choose release, refund or split.", field="outcome")
    price = ctx.deal.price_cents
    if outcome == DisputeOutcome.SPLIT:
        creator_cents = ctx.payload.get("creator_amount_cents")
        brand_cents = ctx.payload.get("brand_refund_cents")
        for value, name in ((creator_cents, "creator_amount"), (brand_cents, "brand_refund")):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise DomainError("Both parts of a split must be more than zero.", field=name)
        if creator_cents + brand_cents != price:
            raise DomainError(f"The two parts must add up to the deal price, "
                              f"{format_money(price, ctx.deal.currency)}.",
                              field="creator_amount")
    else:
        creator_cents = price if outcome == DisputeOutcome.RELEASE else 0
        brand_cents = price - creator_cents
    if len(ctx.note) < 10:
        raise DomainError("Explain the decision to both sides (at least 10 characters).",
                          field="note")
    ctx.payload.update(creator_amount_cents=creator_cents, brand_refund_cents=brand_cents)


GUARDS: dict[Action, Callable[[_Context], None]] = {
    Action.SUBMIT: _guard_submit, Action.REQUEST_REVISION: _guard_request_revision,
    Action.AUTO_APPROVE: _guard_auto_approve, Action.EXPIRE: _guard_expire,
    Action.PROPOSE_CANCEL: _guard_propose_cancel, Action.ACCEPT_CANCEL: _guard_accept_cancel,
    Action.DISPUTE: _guard_dispute, Action.RESOLVE: _guard_resolve,
    Action.EXTEND_DUE_DATE: _guard_extend_due_date, Action.CANCEL_LATE: _guard_cancel_late,
    Action.RELEASE: _guard_release, Action.ADD_POST_LINK: _guard_add_post_link,
    Action.CONFIRM_LIVE: _guard_confirm_live,
}


# --- appliers: the side effects of a move that passed its guard ---

def _no_apply(ctx: _Context) -> None:
    return None


def _apply_fund(ctx: _Context) -> None:
    ctx.deal.funded_at = ctx.now


def _apply_submit(ctx: _Context) -> None:
    deal = ctx.deal
    number = (db.session.scalar(select(func.max(Submission.number))
                                .where(Submission.deal_id == deal.id)) or 0) + 1
    checks: list[brief.CheckItem] = ctx.payload["checks"]
    db.session.add(Submission(
        deal_id=deal.id, number=number, post_links=ctx.payload["post_links"],
        caption=ctx.payload["caption"], notes=ctx.payload["notes"],
        draft_file=ctx.payload["draft_name"], draft_mimetype=ctx.payload["draft_mimetype"],
        created_at=ctx.now,
        checks=[SubmissionCheck(position=i, key=c.key, label=c.label[:320], passed=c.passed,
                                detail=c.detail[:400], acknowledgement=c.acknowledgement)
                for i, c in enumerate(checks)]))
    deal.submitted_at = ctx.now
    if any(not c.passed for c in checks):
        # The brand decides: no date is set, so neither the sweeper nor any page promises one.
        deal.auto_approve_at = None
        ctx.note = brief.pause_summary(checks)
    else:
        deal.auto_approve_at = schedule.auto_approve_after(ctx.now)


def _apply_request_revision(ctx: _Context) -> None:
    ctx.deal.revisions_used += 1
    ctx.deal.auto_approve_at = None


def _apply_approve(ctx: _Context) -> None:
    ctx.deal.approved_at = ctx.now
    ctx.deal.auto_approve_at = None


def _apply_release(ctx: _Context) -> None:
    ctx.deal.paid_out_at = ctx.now


def _apply_add_post_link(ctx: _Context) -> None:
    item, ref = ctx.payload["item"], ctx.payload["ref"]
    posts.store_link(ctx.deal, item, ref, ctx.now)
    ctx.note = f"{item.label}: {ref.url}" if ref.url else f"{item.label}: marked as posted"


def _apply_confirm_live(ctx: _Context) -> None:
    via = ctx.payload["via"]
    for item in posts.posted_items(ctx.deal):
        if item.verified_at is None:
            posts.mark_live(item, ctx.now, via)
    ctx.deal.posted_at = ctx.now
    ctx.note = ctx.note or {VerifiedVia.PLATFORM: "Every post was verified live on its platform.",
                            VerifiedVia.BRAND: "The brand confirmed the posts are live.",
                            VerifiedVia.SILENCE: "Confirmed automatically: the brand did not "
                                                 "object within the checking time."}[via]


def _apply_complete(ctx: _Context) -> None:
    ctx.deal.completed_at = ctx.now


def _apply_cancel(ctx: _Context) -> None:
    ctx.deal.cancelled_at = ctx.now
    ctx.deal.auto_approve_at = None
    if ctx.note:
        ctx.deal.cancel_reason = ctx.note[:500]


def _apply_extend_due_date(ctx: _Context) -> None:
    deal, new_due = ctx.deal, ctx.payload["content_due"]
    moved = (f"Content due moved from {schedule.format_when(deal.content_due)} to "
             f"{schedule.format_when(new_due)}.")
    ctx.note = f"{moved} {ctx.note}".strip()
    deal.content_due = new_due
    deal.is_late = schedule.is_content_late(deal, ctx.now)


def _apply_cancel_late(ctx: _Context) -> None:
    late = (f"Cancelled by the brand: the content was due on "
            f"{schedule.format_when(ctx.deal.content_due)} and had not arrived.")
    ctx.note = f"{late} {ctx.note}".strip()
    _apply_cancel(ctx)


def _apply_propose_cancel(ctx: _Context) -> None:
    ctx.deal.cancel_proposed_by = str(ctx.side)
    ctx.deal.cancel_proposed_at = ctx.now
    ctx.deal.cancel_reason = ctx.note[:500]


def _apply_dispute(ctx: _Context) -> None:
    deal = ctx.deal
    deal.state_before_dispute = deal.state
    deal.disputed_at = ctx.now
    deal.auto_approve_at = None  # a dispute pauses automatic approval
    evidence = posts.takedown_evidence(deal) if deal.posts_required else ""
    statement = f"{ctx.note}\n\nEvidence recorded by Duet:\n{evidence}" if evidence else ctx.note
    db.session.add(Dispute(deal_id=deal.id, opened_by_side=str(ctx.side),
                           opened_by_user_id=ctx.user.id if ctx.user else None,
                           statement=statement, created_at=ctx.now))


def _apply_resolve(ctx: _Context) -> None:
    deal = ctx.deal
    dispute = db.session.scalar(select(Dispute).where(Dispute.deal_id == deal.id))
    if dispute is None:  # a deal put into "disputed" by hand; keep the record complete
        dispute = Dispute(deal_id=deal.id, opened_by_side="admin", statement="")
        db.session.add(dispute)
    dispute.outcome = DisputeOutcome(ctx.payload["outcome"])
    dispute.creator_amount_cents = ctx.payload["creator_amount_cents"]
    dispute.brand_refund_cents = ctx.payload["brand_refund_cents"]
    dispute.resolution_note = ctx.note
    dispute.resolved_by_user_id = ctx.user.id if ctx.user else None
    dispute.resolved_at = ctx.now
    if ctx.to == S.PAID_OUT:
        deal.paid_out_at = ctx.now
    else:
        deal.cancelled_at = ctx.now


def _apply_expire(ctx: _Context) -> None:
    ctx.deal.expired_at = ctx.now


APPLY: dict[Action, Callable[[_Context], None]] = {
    Action.FUND: _apply_fund, Action.SUBMIT: _apply_submit,
    Action.REQUEST_REVISION: _apply_request_revision, Action.APPROVE: _apply_approve,
    Action.AUTO_APPROVE: _apply_approve, Action.RELEASE: _apply_release,
    Action.COMPLETE: _apply_complete, Action.CANCEL: _apply_cancel,
    Action.ACCEPT_CANCEL: _apply_cancel, Action.PROPOSE_CANCEL: _apply_propose_cancel,
    Action.DISPUTE: _apply_dispute, Action.RESOLVE: _apply_resolve, Action.EXPIRE: _apply_expire,
    Action.EXTEND_DUE_DATE: _apply_extend_due_date, Action.CANCEL_LATE: _apply_cancel_late,
    Action.ADD_POST_LINK: _apply_add_post_link, Action.CONFIRM_LIVE: _apply_confirm_live,
}


# --- outside the state machine ---

def add_dispute_response(deal: Deal, user: User, statement: str) -> Dispute:
    """The side that did not open the dispute gives its account (once, before the decision)."""
    side = side_of(user, deal.brand_id, deal.creator_id)
    if side not in PARTIES:
        raise NotAllowed("Only the brand and the creator of this deal can answer a dispute.")
    dispute = deal.dispute
    if deal.state != S.DISPUTED or dispute is None or dispute.resolved_at is not None:
        raise InvalidTransition("This deal has no open dispute.")
    if dispute.opened_by_side == side:
        raise InvalidTransition("You opened this dispute; the other side answers it.")
    if dispute.response:
        raise InvalidTransition("Your statement is already recorded.")
    statement = (statement or "").strip()
    if not STATEMENT_MIN <= len(statement) <= STATEMENT_MAX:
        raise DomainError(f"Write {STATEMENT_MIN}-{STATEMENT_MAX} characters.",
                          field="statement")
    dispute.response = statement
    dispute.response_at = now_or(None)
    db.session.commit()
    return dispute


# Kept for callers written before the schedule module existed; the rule lives there.
funding_deadline = schedule.funding_deadline


@dataclass(frozen=True)
class NextStep:
    """Who must act next, what, and by when — phrased for the person looking. `action` names
    the button the deal page offers: fund, review, submit, payout_setup, leave_review,
    late_options (extend the due date or cancel), or "" for none."""

    actor: str
    text: str
    due: date | datetime | None = None
    action: str = ""


def _payout_account_ready(deal: Deal) -> bool:
    return bool(db.session.scalar(select(PayoutAccount.ready)
                                  .where(PayoutAccount.creator_id == deal.creator_id)))


def _has_reviewed(deal: Deal, side: Side | None) -> bool:
    if side not in PARTIES:
        return False
    return db.session.scalar(select(func.count(Review.id)).where(
        Review.deal_id == deal.id, Review.author_side == str(side))) > 0


def _content_step(deal: Deal, side: Side | None, now: datetime) -> NextStep:
    brand, creator = deal.brand.company_name, deal.creator.display_name
    due, due_text = deal.content_due, schedule.format_when(deal.content_due)
    revising = deal.state == S.REVISION_REQUESTED
    if schedule.is_content_late(deal, now):
        if side == CREATOR:
            return NextStep("You", f"Your content was due on {due_text} and is late: submit it "
                            f"as soon as you can. {brand} may now extend the due date or cancel "
                            "the deal with a full refund.", due, "submit")
        if side == BRAND:  # the brand decides now: no deadline of its own
            return NextStep("You", f"The content was due on {due_text} and has not arrived. "
                            f"Give {creator} more time by extending the due date, or cancel the "
                            "deal with a full refund.", None, "late_options")
        return NextStep(creator, f"The content was due on {due_text} and is late.", due)
    if side == CREATOR:
        return NextStep("You", (f"Make the requested changes and submit again by {due_text}."
                                if revising else
                                f"Create the content and submit it by {due_text}."), due,
                        "submit")
    return NextStep(creator, (f"Waiting for {creator} to submit the revision (due {due_text})."
                              if revising else
                              f"{creator} is creating the content; due {due_text}."), due)


def _posting_step(deal: Deal, side: Side | None, now: datetime) -> NextStep:
    """Approved, posts owed: the creator posts and links; then the brand checks (or not)."""
    brand, creator = deal.brand.company_name, deal.creator.display_name
    confirm_by = schedule.live_confirm_by(deal)
    if confirm_by is not None:
        by = schedule.format_when(confirm_by)
        if side == BRAND:
            return NextStep("You", f"{creator} linked every post. Check they are live and "
                            f"confirm; after {by} they count as confirmed and {creator} is "
                            "paid.", confirm_by, "confirm_live")
        if side == CREATOR:
            return NextStep(brand, f"Every post is linked. Your payout is released when "
                            f"{brand} confirms, automatically on {by} at the latest.", confirm_by)
        return NextStep(brand, f"Posts linked; confirmed automatically on {by}.", confirm_by)
    due = schedule.post_due(deal, now)
    due_text = schedule.format_when(due)
    left = sum(1 for i in posts.posted_items(deal) if not i.linked_at)
    late = schedule.is_post_late(deal, now)
    if side == CREATOR:
        lead = "Approved! " if not late else f"Your posts were due on {due_text}: "
        return NextStep("You", f"{lead}Post the content on your account and add the live "
                        f"link{'s' if left != 1 else ''} of {left} post{'s' if left != 1 else ''}"
                        f"{'' if late else f' by {due_text}'}. You are paid as soon as they are "
                        "confirmed live.", due, "add_post_link")
    return NextStep(creator, f"Approved. Waiting for {creator} to post and link "
                    f"{left} post{'s' if left != 1 else ''} (due {due_text}).", due)


def _approved_step(deal: Deal, side: Side | None) -> NextStep:
    creator = deal.creator.display_name
    done = "Posts confirmed live" if deal.state == S.POSTED else "Approved"
    if not _payout_account_ready(deal):
        if side == CREATOR:
            return NextStep("You", f"{done}! Set up your payout account to receive the payment: "
                            "it goes out as soon as the account is ready.", None, "payout_setup")
        return NextStep(creator, f"{done}. The payment is released to {creator} as soon as "
                        "they finish setting up payouts.")
    arrival = schedule.payout_arrival(deal)
    return NextStep("Duet", f"{done}. Duet is sending the payout to {creator}; it should "
                    f"arrive around {schedule.format_when(arrival, with_time=False)}.", arrival)


def _completed_step(deal: Deal, side: Side | None, now: datetime) -> NextStep:
    closes = schedule.review_window_closes_at(deal)
    if side not in PARTIES or closes is None:
        return NextStep("", "Done. Both sides can review each other.")
    closes_text = schedule.format_when(closes)
    if _has_reviewed(deal, side):
        return NextStep("", "Done. You reviewed this deal; reviews show once both sides have "
                        f"written, or when the review window closes on {closes_text}.")
    if now >= closes:
        return NextStep("", f"Done. The review window closed on {closes_text}.")
    other = deal.creator.display_name if side == BRAND else deal.brand.company_name
    return NextStep("You", f"Done! Leave a review of {other} by {closes_text}.", closes,
                    "leave_review")


def next_step_for(deal: Deal, viewer: User | None, now: datetime | None = None) -> NextStep:
    """Who acts next, what and by when, for the person looking (dates from the schedule)."""
    now = now_or(now)
    side = side_of(viewer, deal.brand_id, deal.creator_id)
    brand, creator = deal.brand.company_name, deal.creator.display_name
    state = deal.state
    if state == S.AGREED:
        deadline = schedule.funding_deadline(deal)
        when = schedule.format_when(deadline)
        step = {BRAND: NextStep("You", f"Fund the deal by {when} so {creator} can start.",
                                deadline, "fund"),
                CREATOR: NextStep(brand, f"Waiting for {brand} to fund the deal (by {when}). "
                                  "Do not start before it is funded.", deadline)}.get(
            side, NextStep(brand, f"Waiting for {brand} to fund the deal by {when}.", deadline))
    elif state in (S.FUNDED, S.REVISION_REQUESTED):
        step = _content_step(deal, side, now)
    elif state == S.SUBMITTED and deal.auto_approval_paused:
        step = {BRAND: NextStep("You", "Review the submission: approve it or request a revision "
                                "(it misses a brief item, so it is not approved automatically).",
                                None, "review"),
                CREATOR: NextStep(brand, f"Waiting for {brand} to review (it misses a brief "
                                  "item, so it is not approved automatically).")}.get(
            side, NextStep(brand, f"Waiting for {brand} to review (automatic approval paused)."))
    elif state == S.SUBMITTED and schedule.review_by(deal) is None:
        step = {BRAND: NextStep("You", "Review the submission: approve it or request a revision.",
                                None, "review")}.get(
            side, NextStep(brand, f"Waiting for {brand} to review."))
    elif state == S.SUBMITTED:
        review_by = schedule.review_by(deal)
        auto = schedule.format_when(review_by)
        step = {BRAND: NextStep("You", f"Review the submission: approve it or request a revision "
                                f"by {auto}. After that it is approved automatically and the "
                                f"payment is released to {creator}.", review_by, "review"),
                CREATOR: NextStep(brand, f"Waiting for {brand} to review. If they do nothing it "
                                  f"is approved automatically on {auto}.", review_by)}.get(
            side, NextStep(brand, f"Waiting for {brand} to review (approved automatically on "
                           f"{auto}).", review_by))
    elif state == S.APPROVED and deal.posts_required:
        step = _posting_step(deal, side, now)
    elif state in (S.APPROVED, S.POSTED):
        step = _approved_step(deal, side)
    elif state == S.PAID_OUT:
        arrival = schedule.payout_arrival(deal)
        step = NextStep("Duet", f"{creator} has been paid (expected in their bank around "
                        f"{schedule.format_when(arrival, with_time=False)}); the deal completes "
                        "shortly.", arrival)
    elif state == S.COMPLETED:
        step = _completed_step(deal, side, now)
    elif state == S.DISPUTED:
        step = (NextStep("You", "Decide the dispute: release, refund or split.") if side == ADMIN
                else NextStep("An admin", "An admin is reviewing the dispute; both sides can add "
                              "a statement."))
    elif state == S.CANCELLED:
        step = NextStep("", "This deal was cancelled. Any payment made is refunded to the brand.")
    else:
        step = NextStep("", "This deal expired because it was not funded by "
                        f"{schedule.format_when(schedule.funding_deadline(deal))}.")
    return replace(step, text=_cancel_prefix(deal, side) + step.text)


def _cancel_prefix(deal: Deal, side: Side | None) -> str:
    if not deal.cancel_proposed_by or deal.state in TERMINAL:
        return ""
    if deal.cancel_proposed_by == side:
        return "You proposed cancelling; waiting for the other side to accept. "
    if side in PARTIES:
        return "The other side proposed cancelling: accept it below, or keep going. "
    return ""


def next_step(deal: Deal, viewer: User | None) -> str:
    """The next step as one sentence (see `next_step_for`)."""
    return next_step_for(deal, viewer).text
