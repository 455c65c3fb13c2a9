"""Pages of the deals area: applications, offers, deals, the admin dispute queue.
Views parse forms, call the services and flash/redirect; other people's objects answer 404."""

from __future__ import annotations

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
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace import taxonomy
from marketplace.access import admin_required, brand_required, creator_required
from marketplace.deals import bp
from marketplace.deals.forms import (
    DELIVERABLE_ROWS,
    ApplyForm,
    DisputeResponseForm,
    InviteForm,
    NoteForm,
    ResolveForm,
    SubmitWorkForm,
    TermsForm,
    application_decline_form,
    offer_decline_form,
)
from marketplace.extensions import db
from marketplace.forms import EmptyForm, apply_domain_error
from marketplace.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    DealState,
    OfferThread,
    Side,
    Submission,
    ThreadStatus,
)
from marketplace.models.deal import STATE_LABELS
from marketplace.money import to_cents
from marketplace.services import applications, deal_files, deals, offers
from marketplace.services.deal_checklist import checklist
from marketplace.services.errors import DomainError
from marketplace.services.parties import now_or, setting, side_of

SIMPLE_ACTIONS = {  # POST /deals/<id>/do/<action>: buttons without a form of their own
    "approve": "Approved. The payout goes to the creator as soon as their payout account "
               "is ready.",
    "cancel": "The deal is cancelled.",
    "propose_cancel": "You proposed cancelling; the other side has to accept.",
    "accept_cancel": "The deal is cancelled by agreement; any payment is refunded.",
}


# --- helpers ---------------------------------------------------------------------------------

def _optional_url(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _refused(form, exc: DomainError) -> bool:
    """Put a field error beside its field; return False when the error names no field."""
    if exc.field and exc.field in form._fields:
        apply_domain_error(form, exc)
        return True
    return False


def _parse_cents(form, name: str, *, required: bool = True) -> int | None:
    raw = (form[name].data or "").strip()
    if not raw:
        if required:
            form[name].errors = [*form[name].errors, "Enter an amount such as 250 or 250.00."]
            raise ValueError
        return None
    try:
        return to_cents(raw)
    except ValueError:
        form[name].errors = [*form[name].errors, "Enter an amount such as 250 or 250.00."]
        raise


def _my_deal(deal_id: int) -> Deal:
    deal = db.get_or_404(Deal, deal_id)
    side = side_of(current_user, deal.brand_id, deal.creator_id)
    if side in (Side.BRAND, Side.CREATOR):
        return deal
    if side == Side.ADMIN and deal.dispute is not None:
        return deal
    abort(404)


def _my_thread(thread_id: int) -> OfferThread:
    thread = db.get_or_404(OfferThread, thread_id)
    if side_of(current_user, thread.brand_id, thread.creator_id) not in (Side.BRAND,
                                                                          Side.CREATOR):
        abort(404)
    return thread


def _my_application(application_id: int) -> Application:
    """An application of the current creator (404 for anyone else's)."""
    creator = current_user.creator
    return db.first_or_404(select(Application).where(
        Application.id == application_id,
        Application.creator_id == (creator.id if creator else -1)))


def _application_to_me(application_id: int) -> Application:
    """An application to one of the current brand's campaigns (404 otherwise)."""
    brand = current_user.brand
    return db.first_or_404(
        select(Application).join(Campaign, Application.campaign_id == Campaign.id)
        .where(Application.id == application_id,
               Campaign.brand_id == (brand.id if brand else -1)))


def _my_campaign(campaign_id: int) -> Campaign:
    brand = current_user.brand
    return db.first_or_404(select(Campaign).where(
        Campaign.id == campaign_id, Campaign.brand_id == (brand.id if brand else -1)))


def _terms_from_form(form: TermsForm, currency: str) -> offers.OfferTerms:
    """Build terms; raises ValueError after putting the error beside the field."""
    price = _parse_cents(form, "price")
    rows = []
    for entry in form.deliverables.entries:
        row = entry.form
        if not (row.platform.data or row.deliverable_type.data or row.quantity.data):
            continue
        try:
            quantity = int((row.quantity.data or "1").strip())
        except ValueError:
            quantity = 0
        rows.append({"platform": row.platform.data, "deliverable_type":
                     row.deliverable_type.data, "quantity": quantity})
    return offers.OfferTerms(price_cents=price, currency=currency, deliverables=rows,
                             content_due=form.content_due.data,
                             usage_rights=form.usage_rights.data,
                             revisions_included=form.revisions_included.data,
                             message=form.message.data or "")


def _fill_terms(form: TermsForm, terms: offers.OfferTerms) -> None:
    form.price.data = f"{terms.price_cents / 100:.2f}"
    form.content_due.data = terms.content_due
    form.usage_rights.data = terms.usage_rights
    form.revisions_included.data = terms.revisions_included
    while len(form.deliverables.entries) < max(DELIVERABLE_ROWS, len(terms.deliverables)):
        form.deliverables.append_entry()
    for entry, item in zip(form.deliverables.entries, terms.deliverables, strict=False):
        entry.form.platform.data = item["platform"]
        entry.form.deliverable_type.data = item["deliverable_type"]
        entry.form.quantity.data = str(item["quantity"])


def until(moment) -> str:
    """'on 12 Mar 2026, 14:00 UTC (in 2 days)' — a countdown without JavaScript."""
    seconds = int((moment - now_or(None)).total_seconds())
    when = moment.strftime("%d %b %Y, %H:%M UTC")
    if seconds <= 0:
        return f"was due {when}"
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    left = f"{days} day{'s' if days != 1 else ''}" if days else ""
    if hours or not days:
        left += f"{' ' if left else ''}{hours} hour{'s' if hours != 1 else ''}"
    return f"on {when} (in {left})"


# --- creator: apply and my applications ----------------------------------------------------

@bp.route("/campaigns/<int:campaign_id>/apply", methods=["GET", "POST"])
@creator_required
def apply(campaign_id: int):
    campaign = db.first_or_404(select(Campaign).where(Campaign.id == campaign_id,
                                                      Campaign.status != CampaignStatus.DRAFT))
    creator = current_user.creator
    if creator is None:
        flash("Create your creator profile before applying.", "info")
        return redirect(_optional_url("creators.edit_profile") or url_for("main.index"))
    existing = db.session.scalar(select(Application).where(
        Application.campaign_id == campaign.id, Application.creator_id == creator.id))
    form = ApplyForm()
    form.package_ids.choices = [
        (p.id, f"{p.title} · {taxonomy.PLATFORMS.get(p.platform, p.platform)} · "
               f"{p.price_cents / 100:,.2f} {p.currency}") for p in creator.packages]
    if existing is None and form.validate_on_submit():
        try:
            price = _parse_cents(form, "proposed_price", required=False)
        except ValueError:
            price = None
        else:
            try:
                applications.apply(current_user, campaign, pitch=form.pitch.data or "",
                                   package_ids=form.package_ids.data or [],
                                   proposed_price_cents=price)
            except DomainError as exc:
                if not _refused(form, exc):
                    flash(exc.message, "danger")
                    return redirect(url_for("deals.apply", campaign_id=campaign.id))
            else:
                flash("Application sent. You will hear back here and by notification.",
                      "success")
                return redirect(url_for("deals.my_applications"))
    return render_template("deals/apply.html", campaign=campaign, form=form, existing=existing)


@bp.route("/deals/applications")
@creator_required
def my_applications():
    creator = current_user.creator
    query = (select(Application).where(Application.creator_id == (creator.id if creator else -1))
             .options(selectinload(Application.campaign).selectinload(Campaign.brand))
             .order_by(Application.created_at.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    return render_template("deals/my_applications.html", page=page, form=EmptyForm())


@bp.route("/deals/applications/<int:application_id>/withdraw", methods=["POST"])
@creator_required
def withdraw_application(application_id: int):
    application = _my_application(application_id)
    if EmptyForm().validate_on_submit():
        applications.withdraw(current_user, application)
        flash("Application withdrawn.", "success")
    return redirect(url_for("deals.my_applications"))


# --- brand: applicants -------------------------------------------------------------------------

@bp.route("/campaigns/<int:campaign_id>/applicants")
@brand_required
def applicants(campaign_id: int):
    campaign = _my_campaign(campaign_id)
    status = request.args.get("status") or None
    query = (select(Application).where(Application.campaign_id == campaign.id)
             .options(selectinload(Application.creator).selectinload(CreatorProfile.accounts),
                      selectinload(Application.creator).selectinload(CreatorProfile.niche_links))
             .order_by(Application.created_at.desc()))
    if status in {s.value for s in ApplicationStatus}:
        query = query.where(Application.status == status)
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    threads = {t.application_id: t for t in db.session.scalars(
        select(OfferThread).where(OfferThread.campaign_id == campaign.id,
                                  OfferThread.application_id.is_not(None)))}
    return render_template("deals/applicants.html", campaign=campaign, page=page, status=status,
                           statuses=list(ApplicationStatus), threads=threads,
                           decline_form=application_decline_form(), form=EmptyForm())


@bp.route("/deals/applications/<int:application_id>/shortlist", methods=["POST"])
@brand_required
def shortlist_application(application_id: int):
    application = _application_to_me(application_id)
    if EmptyForm().validate_on_submit():
        applications.shortlist(current_user, application)
        flash(f"{application.creator.display_name} is on your shortlist.", "success")
    return redirect(url_for("deals.applicants", campaign_id=application.campaign_id))


@bp.route("/deals/applications/<int:application_id>/decline", methods=["POST"])
@brand_required
def decline_application(application_id: int):
    application = _application_to_me(application_id)
    form = application_decline_form()
    if form.validate_on_submit():
        applications.decline(current_user, application, form.reason.data or "",
                             form.note.data or "")
        flash("Application declined; the creator sees your reason.", "success")
    return redirect(url_for("deals.applicants", campaign_id=application.campaign_id))


@bp.route("/deals/applications/<int:application_id>/offer", methods=["GET", "POST"])
@brand_required
def offer_to_applicant(application_id: int):
    application = _application_to_me(application_id)
    campaign = application.campaign
    form = TermsForm()
    if request.method == "GET":
        prefill = offers.OfferTerms.from_campaign(campaign)
        prefill.price_cents = application.proposed_price_cents
        _fill_terms(form, prefill)
    elif form.validate_on_submit():
        try:
            terms = _terms_from_form(form, campaign.currency)
            thread = offers.make_offer(current_user, application, terms)
        except ValueError:
            pass
        except DomainError as exc:
            if not _refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.applicants", campaign_id=campaign.id))
        else:
            flash("Offer sent.", "success")
            return redirect(url_for("deals.thread", thread_id=thread.id))
    return render_template("deals/offer_form.html", form=form, campaign=campaign,
                           creator=application.creator, title="Make an offer",
                           action=url_for("deals.offer_to_applicant",
                                          application_id=application.id))


# --- invitations and offer threads ---------------------------------------------------------

@bp.route("/deals/invite", methods=["GET", "POST"])
@brand_required
def invite():
    brand = current_user.brand
    creator = db.first_or_404(select(CreatorProfile).where(
        CreatorProfile.handle == (request.args.get("creator") or "")))
    campaigns = list(db.session.scalars(select(Campaign).where(
        Campaign.brand_id == (brand.id if brand else -1), Campaign.status == CampaignStatus.OPEN)
        .options(selectinload(Campaign.deliverables)).order_by(Campaign.created_at.desc())))
    form = InviteForm()
    form.campaign.choices = [(c.id, c.title) for c in campaigns]
    if not campaigns:
        return render_template("deals/invite.html", form=form, creator=creator, campaigns=[])
    chosen = next((c for c in campaigns if c.id == request.args.get("campaign", type=int)),
                  campaigns[0])
    if request.method == "GET":
        form.campaign.data = chosen.id
        _fill_terms(form, offers.OfferTerms.from_campaign(chosen))
    elif form.validate_on_submit():
        campaign = next((c for c in campaigns if c.id == form.campaign.data), None)
        if campaign is None:
            form.campaign.errors = [*form.campaign.errors, "Choose one of your open campaigns."]
        else:
            try:
                terms = _terms_from_form(form, campaign.currency)
                thread = offers.invite(current_user, campaign, creator, terms)
            except ValueError:
                pass
            except DomainError as exc:
                if not _refused(form, exc):
                    form.campaign.errors = [*form.campaign.errors, exc.message]
            else:
                flash(f"Invitation sent to {creator.display_name}.", "success")
                return redirect(url_for("deals.thread", thread_id=thread.id))
    return render_template("deals/invite.html", form=form, creator=creator, campaigns=campaigns)


@bp.route("/deals/offers/<int:thread_id>")
@login_required
def thread(thread_id: int):
    thread = _my_thread(thread_id)
    side = side_of(current_user, thread.brand_id, thread.creator_id)
    versions = thread.versions
    rows = [(v, offers.term_rows(v), offers.diff_versions(versions[i - 1] if i else None, v))
            for i, v in enumerate(versions)]
    my_turn = (thread.status == ThreadStatus.OPEN and thread.latest_author_side != side)
    counter_form = TermsForm()
    if thread.latest is not None:
        _fill_terms(counter_form, offers.OfferTerms.from_version(thread.latest))
    other = thread.creator.user if side == Side.BRAND else thread.brand.user
    return render_template(
        "deals/thread.html", thread=thread, rows=rows, side=side, my_turn=my_turn,
        counter_form=counter_form, decline_form=offer_decline_form(), form=EmptyForm(),
        conversation_url=_optional_url("messages.conversation_with", user_id=other.id),
        expired=thread.expires_at is not None and thread.expires_at <= now_or(None), until=until)


@bp.route("/deals/offers/<int:thread_id>/accept", methods=["POST"])
@login_required
def accept_offer(thread_id: int):
    thread = _my_thread(thread_id)
    if EmptyForm().validate_on_submit():
        deal = offers.accept(current_user, thread)
        flash("Offer accepted: the deal is agreed. The brand funds it next.", "success")
        return redirect(url_for("deals.detail", deal_id=deal.id))
    return redirect(url_for("deals.thread", thread_id=thread.id))


@bp.route("/deals/offers/<int:thread_id>/counter", methods=["POST"])
@login_required
def counter_offer(thread_id: int):
    thread = _my_thread(thread_id)
    form = TermsForm()
    if form.validate_on_submit():
        try:
            terms = _terms_from_form(form, thread.campaign.currency)
            offers.counter(current_user, thread, terms)
        except ValueError:
            pass
        except DomainError as exc:
            if not _refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.thread", thread_id=thread.id))
        else:
            flash("Counter-offer sent.", "success")
            return redirect(url_for("deals.thread", thread_id=thread.id))
    return render_template("deals/offer_form.html", form=form, campaign=thread.campaign,
                           creator=thread.creator, title="Counter-offer",
                           action=url_for("deals.counter_offer", thread_id=thread.id)), 400


@bp.route("/deals/offers/<int:thread_id>/decline", methods=["POST"])
@login_required
def decline_offer(thread_id: int):
    thread = _my_thread(thread_id)
    form = offer_decline_form()
    if form.validate_on_submit():
        offers.decline(current_user, thread, form.reason.data or "", form.note.data or "")
        flash("Offer declined.", "success")
    return redirect(url_for("deals.thread", thread_id=thread.id))


@bp.route("/deals/offers/<int:thread_id>/withdraw", methods=["POST"])
@brand_required
def withdraw_offer(thread_id: int):
    thread = _my_thread(thread_id)
    if EmptyForm().validate_on_submit():
        offers.withdraw(current_user, thread)
        flash("Offer withdrawn.", "success")
    return redirect(url_for("deals.thread", thread_id=thread.id))


# --- deals ---------------------------------------------------------------------------------------

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
    query = (select(Deal).where(mine)
             .options(selectinload(Deal.campaign), selectinload(Deal.brand),
                      selectinload(Deal.creator))
             .order_by(Deal.agreed_at.desc()))
    if state in STATE_LABELS:
        query = query.where(Deal.state == state)
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    open_threads = list(db.session.scalars(
        select(OfferThread).where(thread_filter, OfferThread.status == ThreadStatus.OPEN)
        .options(selectinload(OfferThread.campaign), selectinload(OfferThread.brand),
                 selectinload(OfferThread.creator))
        .order_by(OfferThread.expires_at)))
    return render_template("deals/index.html", page=page, state=state, states=STATE_LABELS,
                           open_threads=open_threads)


@bp.route("/deals/<int:deal_id>")
@login_required
def detail(deal_id: int):
    return _render_detail_with(_my_deal(deal_id))


@bp.route("/deals/<int:deal_id>/submit", methods=["POST"])
@creator_required
def submit_work(deal_id: int):
    deal = _my_deal(deal_id)
    # This form may carry a large video: allow it here only, not app-wide.
    request.max_content_length = setting("DEAL_UPLOAD_MAX_BYTES") + 1024 * 1024
    form = SubmitWorkForm()
    if form.validate_on_submit():
        draft = form.draft.data if form.draft.data and form.draft.data.filename else None
        links = [line.strip() for line in (form.post_links.data or "").splitlines()]
        try:
            deals.perform(deal, "submit", current_user, post_links=links,
                          caption=form.caption.data or "", notes=form.notes.data or "",
                          draft=draft.stream if draft else None)
        except DomainError as exc:
            if not _refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash("Submitted. The brand reviews it next.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, submit_form=form), 400


def _render_detail_with(deal: Deal, **forms):
    side = side_of(current_user, deal.brand_id, deal.creator_id)
    submission = deal.latest_submission
    other = deal.creator.user if side == Side.BRAND else deal.brand.user
    context = dict(
        deal=deal, side=side, submission=submission, checklist=checklist(deal, submission),
        next_step=deals.next_step(deal, current_user),
        allowed={a.value for a in deals.allowed_actions(deal, current_user)},
        submit_form=SubmitWorkForm(formdata=None), note_form=NoteForm(formdata=None),
        response_form=DisputeResponseForm(formdata=None), form=EmptyForm(),
        conversation_url=(_optional_url("messages.conversation_with", user_id=other.id)
                          if side in (Side.BRAND, Side.CREATOR) else None),
        funding_deadline=deals.funding_deadline(deal), action_labels=deals.ACTION_LABELS,
        payment_url=_optional_url("payments.fund", deal_id=deal.id), open_form=None,
        until=until)
    context.update(forms)
    return render_template("deals/detail.html", **context)


@bp.route("/deals/<int:deal_id>/note/<action>", methods=["POST"])
@login_required
def act_with_note(deal_id: int, action: str):
    """request_revision, dispute and propose_cancel: actions that carry a note."""
    deal = _my_deal(deal_id)
    if action not in ("request_revision", "dispute", "propose_cancel"):
        abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            deals.perform(deal, action, current_user, note=form.note.data or "")
        except DomainError as exc:
            if not _refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash(deals.ACTION_LABELS[action] + ".", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, note_form=form, open_form=action), 400


@bp.route("/deals/<int:deal_id>/do/<action>", methods=["POST"])
@login_required
def act(deal_id: int, action: str):
    deal = _my_deal(deal_id)
    if action not in SIMPLE_ACTIONS:
        abort(404)
    if EmptyForm().validate_on_submit():
        deals.perform(deal, action, current_user)  # refusals: flashed by the error handler
        flash(SIMPLE_ACTIONS[action], "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>/dispute/respond", methods=["POST"])
@login_required
def respond_to_dispute(deal_id: int):
    deal = _my_deal(deal_id)
    form = DisputeResponseForm()
    if form.validate_on_submit():
        try:
            deals.add_dispute_response(deal, current_user, form.statement.data or "")
        except DomainError as exc:
            if not _refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash("Your statement is recorded for the admin.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, response_form=form), 400


@bp.route("/deals/<int:deal_id>/submissions/<int:submission_id>/draft")
@login_required
def draft(deal_id: int, submission_id: int):
    deal = _my_deal(deal_id)
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


# --- admin: disputes ------------------------------------------------------------

@bp.route("/admin/disputes")
@admin_required
def disputes():
    query = (select(Deal).where(Deal.state == DealState.DISPUTED)
             .options(selectinload(Deal.dispute), selectinload(Deal.campaign),
                      selectinload(Deal.brand), selectinload(Deal.creator),
                      selectinload(Deal.submissions))
             .order_by(Deal.disputed_at))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    forms = {deal.id: ResolveForm(formdata=None, prefix=f"d{deal.id}") for deal in page.items}
    return render_template("deals/disputes.html", page=page, forms=forms,
                           checklists={d.id: checklist(d, d.latest_submission)
                                       for d in page.items})


@bp.route("/admin/disputes/<int:deal_id>/resolve", methods=["POST"])
@admin_required
def resolve_dispute(deal_id: int):
    deal = db.first_or_404(select(Deal).where(Deal.id == deal_id,
                                              Deal.state == DealState.DISPUTED))
    form = ResolveForm(prefix=f"d{deal.id}")
    if form.validate_on_submit():
        payload = {"outcome": form.outcome.data}
        error = None
        if form.outcome.data == "split":
            try:
                payload["creator_amount_cents"] = _parse_cents(form, "creator_amount")
                payload["brand_refund_cents"] = _parse_cents(form, "brand_refund")
            except ValueError:
                error = "Enter both split amounts, such as 250.00."
        if error is None:
            try:
                deals.perform(deal, "resolve", current_user, note=form.note.data or "",
                              **payload)
            except DomainError as exc:
                error = exc.message
        if error is None:
            flash("Dispute resolved; both sides are told.", "success")
        else:
            flash(f"Deal #{deal.id}: {error}", "danger")
    return redirect(url_for("deals.disputes"))
