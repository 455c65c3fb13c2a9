"""The admin dispute queue and its decisions."""


from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.access import admin_required
from marketplace.deals import bp
from marketplace.deals.forms import (
    ResolveForm,
)
from marketplace.deals.helpers import (
    parse_cents,
)
from marketplace.extensions import db
from marketplace.models import (
    Deal,
    DealState,
    Submission,
)
from marketplace.request_args import page_number
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.checklist import checklist
from marketplace.services.errors import DomainError


@bp.route("/admin/disputes")
@admin_required
def disputes():
    query = (select(Deal).where(Deal.state == DealState.DISPUTED)
             .options(selectinload(Deal.dispute), selectinload(Deal.campaign),
                      selectinload(Deal.brand), selectinload(Deal.creator),
                      selectinload(Deal.submissions).selectinload(Submission.checks))
             .order_by(Deal.disputed_at))
    page = db.paginate(query, page=page_number(),
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
                payload["creator_amount_cents"] = parse_cents(form, "creator_amount")
                payload["brand_refund_cents"] = parse_cents(form, "brand_refund")
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
