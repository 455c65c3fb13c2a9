"""The deal pages: my deals, one deal with its next step, submitting work, the brand's and the
creator's actions, draft files."""


from __future__ import annotations

from functools import cache

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import Executable, Integer, bindparam, inspect, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import RequestEntityTooLarge

from marketplace.access import creator_required
from marketplace.deals import bp
from marketplace.deals.forms import (
    DisputeResponseForm,
    ExtendDueDateForm,
    MetricReportForm,
    NoteForm,
    PostLinkForm,
    SubmitWorkForm,
    UsageCodeForm,
    read_acknowledgements,
)
from marketplace.deals.helpers import (
    my_deal,
    my_deal_by,
    refused,
    until,
)
from marketplace.extensions import csrf, db
from marketplace.forms import EmptyForm
from marketplace.models import (
    Deal,
    DealDeliverable,
    DealEvent,
    DealState,
    MetricSnapshot,
    OfferThread,
    Side,
    Submission,
    ThreadStatus,
)
from marketplace.models.deal import STATE_LABELS
from marketplace.request_args import page_number
from marketplace.services.deals import checklist as brief
from marketplace.services.deals import files as deal_files
from marketplace.services.deals import (
    history,
    posts,
    reported_metrics,
    reviews,
    schedule,
    timeline,
    usage_codes,
)
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.parties import setting, side_of
from marketplace.services.errors import DomainError

SIMPLE_ACTIONS = {  # POST /deals/<id>/do/<action>: buttons without a form of their own
    "approve": "Approved. The payout goes to the creator as soon as their payout account "
               "is ready.",
    "cancel": "The deal is cancelled.",
    "propose_cancel": "You proposed cancelling; the other side has to accept.",
    "accept_cancel": "The deal is cancelled by agreement; any payment is refunded.",
}


@bp.route("/deals/")
@login_required
def index():
    state = request.args.get("state") or None
    if current_user.is_brand and current_user.brand:
        mine = Deal.brand_id == current_user.brand.id
        thread_filter = OfferThread.brand_id == current_user.brand.id
    elif current_user.is_creator and current_user.creator:
        mine = Deal.creator_id == current_user.creator.id
        thread_filter = OfferThread.creator_id == current_user.creator.id
    elif current_user.is_admin:
        return redirect(url_for("deals.disputes"))
    else:
        mine = thread_filter = or_(False)
    # The rows' campaign and parties are to-one: joined to each row, not fetched apart.
    query = (select(Deal).where(mine)
             .options(joinedload(Deal.campaign), joinedload(Deal.brand),
                      joinedload(Deal.creator))
             .order_by(Deal.agreed_at.desc(), Deal.id.desc()))
    if state in STATE_LABELS:
        query = query.where(Deal.state == state)
    page = db.paginate(query, page=page_number(),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    open_threads = list(db.session.scalars(
        select(OfferThread).where(thread_filter, OfferThread.status == ThreadStatus.OPEN)
        .options(joinedload(OfferThread.campaign), joinedload(OfferThread.brand),
                 joinedload(OfferThread.creator))
        .order_by(OfferThread.expires_at)))
    return render_template("deals/index.html", page=page, state=state, states=STATE_LABELS,
                           open_threads=open_threads)


@bp.route("/deals/<int:deal_id>")
@login_required
def detail(deal_id: int):
    return _render_detail_with(my_deal_by(_detail_statement(), deal_id))


@cache
def _detail_statement():
    """The deal page's statement, built once per process with the id bound (building it
    cost more than running it)."""
    return (select(Deal).where(Deal.id == bindparam("deal_id", type_=Integer))
            .options(*_PAGE_LOAD))


@bp.route("/deals/<int:deal_id>/submit", methods=["POST"])
@csrf.exempt  # checked by SubmitWorkForm itself, after the upload limit below is raised
@creator_required
def submit_work(deal_id: int):
    """The creator hands in a version: links, caption, notes, an optional draft, and a reason
    for each brief item they submit without."""
    deal = my_deal(deal_id)
    max_mb = setting("DRAFT_MAX_MB")
    # This form may carry a large video: allow it here only, not app-wide (the app-wide CSRF
    # check would read the body under the small limit first, hence the exemption above).
    request.max_content_length = (max_mb + 1) * 1024 * 1024
    try:
        form = SubmitWorkForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = _resubmit_form(deal)
        form.draft.errors = [f"The draft is larger than {max_mb} MB. Upload a shorter or more "
                             "compressed file."]
        return _render_detail_with(deal, submit_form=form), 413
    keys = [item.key for item in brief.requirements(deal)]
    acknowledged = read_acknowledgements(request.form, keys)
    problems: dict[str, str] = {}
    attempt: dict[str, brief.CheckItem] = {}
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        flash("Your form expired or was not sent from this site. Reload the page and try "
              "again.", "danger")
    elif valid:
        draft = form.draft.data if form.draft.data and form.draft.data.filename else None
        links = [line.strip() for line in (form.post_links.data or "").splitlines()]
        try:
            deals.perform(deal, "submit", current_user, post_links=links,
                          caption=form.caption.data or "", notes=form.notes.data or "",
                          draft=draft.stream if draft else None,
                          keep_draft=bool(form.keep_draft.data), acknowledgements=acknowledged)
        except brief.ChecklistIncomplete as exc:
            problems = exc.problems  # shown beside each item, with what this attempt found
            attempt = {item.key: item for item in brief.evaluate(
                deal, (form.caption.data or "").strip(), [u for u in links if u])}
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash("Submitted. The brand reviews it next.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, submit_form=form, acknowledged=acknowledged,
                               ack_problems=problems, attempt=attempt), 400


def _resubmit_form(deal: Deal) -> SubmitWorkForm:
    """An empty submit form, or after a revision request one that starts from the previous
    version (the draft file itself cannot be pre-filled: "keep the draft" reuses it)."""
    previous = deal.latest_submission
    if previous is None:
        return SubmitWorkForm(formdata=None)
    return SubmitWorkForm(formdata=None, data={
        "post_links": "\n".join(previous.post_links), "caption": previous.caption,
        "notes": previous.notes, "keep_draft": True})


def _my_review_at(deal: Deal, side: Side | None):
    """When the viewer reviewed this deal (reviews exist only once it is completed)."""
    if deal.state != DealState.COMPLETED or side not in (Side.BRAND, Side.CREATOR):
        return None
    mine = reviews.reviews_of_deal(deal).get(str(side))
    return mine.created_at if mine else None


def _render_detail_with(deal: Deal, **forms):
    side = side_of(current_user, deal.brand_id, deal.creator_id)
    _load_history(deal)
    other_user_id = deal.creator.user_id if side == Side.BRAND else deal.brand.user_id
    next_step = deals.next_step_for(deal, current_user)
    versions = history.versions(deal)
    latest = versions[0] if versions else None
    context = dict(
        deal=deal, side=side, submission=deal.latest_submission, versions=versions,
        checklist=versions[0].checks if versions else brief.requirements(deal),
        requirements=brief.requirements(deal), ack_problems={},
        # A resubmission starts from the previous version: its results and reasons.
        attempt={item.key: item for item in latest.checks} if latest else {},
        acknowledged={item.key: item.acknowledgement for item in latest.failing}
        if latest else {},
        revision_request=history.latest_revision_request(deal),
        paused_reason=brief.auto_approval_paused_reason(deal, side),
        draft_max_mb=setting("DRAFT_MAX_MB"),
        next=next_step, next_step=next_step.text,
        tracker=schedule.tracker(deal, reviewed_at=_my_review_at(deal, side)),
        timeline=timeline.entries(deal), extend_form=ExtendDueDateForm(formdata=None),
        allowed={a.value for a in deals.allowed_actions(deal, current_user)},
        submit_form=_resubmit_form(deal), note_form=NoteForm(formdata=None),
        response_form=DisputeResponseForm(formdata=None), form=EmptyForm(formdata=None),
        conversation_url=(url_for("messages.conversation_with", user_id=other_user_id)
                          if side in (Side.BRAND, Side.CREATOR) else None),
        funding_deadline=schedule.funding_deadline(deal), action_labels=deals.ACTION_LABELS,
        payment_url=url_for("payments.fund", deal_id=deal.id), open_form=None,
        until=until, link_form=PostLinkForm(formdata=None), link_item_id=None,
        confirm_by=schedule.live_confirm_by(deal), post_placeholders=posts.LINK_PLACEHOLDERS,
        report_form=MetricReportForm(formdata=None), report_item_id=None,
        can_report=reported_metrics.can_report,
        asks_watch_time=reported_metrics.asks_watch_time,
        usage_codes_allowed=usage_codes.allowed(deal),
        usage_codes=usage_codes.codes_for([deal.id]).get(deal.id, [])
        if usage_codes.allowed(deal) else [],
        usage_form=UsageCodeForm(formdata=None))
    context.update(forms)
    return render_template("deals/detail.html", **context)


# What the page shows beside the history: both parties, the campaign and any dispute,
# joined to the deal's own row.
_PAGE_LOAD = (joinedload(Deal.creator), joinedload(Deal.brand), joinedload(Deal.campaign),
              joinedload(Deal.dispute))


@cache
def _history_statements() -> dict[str, Executable]:
    """The deal's lists the page shows, a statement each with the deal's id bound, built
    once per process. Loading them by hand (`set_committed_value`) costs half what
    `selectinload` did for the same rows."""
    deal_id = bindparam("deal_id", type_=Integer)
    return {
        "events": select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id),
        "deliverable_items": select(DealDeliverable).where(DealDeliverable.deal_id == deal_id)
        .order_by(DealDeliverable.position),
        "submissions": select(Submission).where(Submission.deal_id == deal_id)
        .options(joinedload(Submission.checks)).order_by(Submission.number),
        "snapshots": select(MetricSnapshot)
        .where(MetricSnapshot.deliverable_id.in_(bindparam("items", expanding=True)))
        .order_by(MetricSnapshot.taken_at, MetricSnapshot.id),
    }


def _load_list(deal: Deal, name: str, *, skip: bool = False) -> None:
    """Load one of the deal's lists with its statement, unless loaded already; `skip`: it is
    known to be empty (or not shown), so it is set empty without asking."""
    if name not in inspect(deal).unloaded:
        return
    rows = [] if skip else list(db.session.scalars(_history_statements()[name],
                                                   {"deal_id": deal.id}).unique())
    set_committed_value(deal, name, rows)


def _load_history(deal: Deal) -> None:
    """The events; the versions with their checks (none before the creator first submitted;
    the page lists them all: at most revisions_included + 1); and for a deal with posts,
    the deliverables and their readings (none before the content is approved: nothing is
    posted or reported before that). A statement each, however many rows."""
    _load_list(deal, "events")
    _load_list(deal, "submissions", skip=deal.submitted_at is None)
    if not deal.posts_required:
        return
    _load_list(deal, "deliverable_items")
    waiting = [item for item in deal.deliverable_items
               if "snapshots" in inspect(item).unloaded]
    linked = {item.id: [] for item in waiting} if deal.approved_at is not None else {}
    if linked:
        for snapshot in db.session.scalars(_history_statements()["snapshots"],
                                           {"items": list(linked)}):
            linked[snapshot.deliverable_id].append(snapshot)
    for item in waiting:
        set_committed_value(item, "snapshots", linked.get(item.id, []))


@bp.route("/deals/<int:deal_id>/note/<action>", methods=["POST"])
@login_required
def act_with_note(deal_id: int, action: str):
    """request_revision, dispute and propose_cancel: actions that carry a note."""
    deal = my_deal(deal_id)
    if action not in ("request_revision", "dispute", "propose_cancel"):
        abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            deals.perform(deal, action, current_user, note=form.note.data or "")
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash(deals.ACTION_LABELS[action] + ".", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, note_form=form, open_form=action), 400


@bp.route("/deals/<int:deal_id>/do/<action>", methods=["POST"])
@login_required
def act(deal_id: int, action: str):
    deal = my_deal(deal_id)
    if action not in SIMPLE_ACTIONS:
        abort(404)
    if EmptyForm().validate_on_submit():
        deals.perform(deal, action, current_user)  # refusals: flashed by the error handler
        flash(SIMPLE_ACTIONS[action], "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>/dispute/respond", methods=["POST"])
@login_required
def respond_to_dispute(deal_id: int):
    deal = my_deal(deal_id)
    form = DisputeResponseForm()
    if form.validate_on_submit():
        try:
            deals.add_dispute_response(deal, current_user, form.statement.data or "")
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash("Your statement is recorded for the admin.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, response_form=form), 400


@bp.route("/deals/<int:deal_id>/submissions/<int:submission_id>/draft")
@login_required
def draft(deal_id: int, submission_id: int):
    deal = my_deal(deal_id)
    submission = db.first_or_404(select(Submission).where(
        Submission.id == submission_id, Submission.deal_id == deal.id))
    path = deal_files.draft_path(submission.draft_file or "")
    if path is None:
        abort(404)
    response = send_file(path, mimetype=submission.draft_mimetype, conditional=True,
                         download_name=f"deal-{deal.id}-draft-{submission.number}"
                                       f"{path.suffix}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
