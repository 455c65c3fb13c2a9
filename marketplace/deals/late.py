"""When the content runs late, the brand decides: give more time (a new due date) or cancel
with a full refund. Both are state-machine moves (extend_due_date, cancel_late)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user, login_required

from marketplace.deals import bp
from marketplace.deals.deal_pages import _render_detail_with
from marketplace.deals.forms import ExtendDueDateForm
from marketplace.deals.helpers import my_deal, refused
from marketplace.forms import require_button_post
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.schedule import format_when
from marketplace.services.errors import DomainError


@bp.route("/deals/<int:deal_id>/due-date", methods=["POST"])
@login_required
def extend_due_date(deal_id: int):
    deal = my_deal(deal_id)
    form = ExtendDueDateForm()
    if form.validate_on_submit():
        try:
            deals.perform(deal, deals.Action.EXTEND_DUE_DATE, current_user,
                          content_due=form.content_due.data)
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id))
        else:
            flash(f"The content is now due {format_when(deal.content_due)}. We told the "
                  "creator.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render_detail_with(deal, extend_form=form, open_form="extend_due_date"), 400


@bp.route("/deals/<int:deal_id>/cancel-late", methods=["POST"])
@login_required
def cancel_late(deal_id: int):
    deal = my_deal(deal_id)
    require_button_post()
    deals.perform(deal, deals.Action.CANCEL_LATE, current_user)  # refusals: error handler
    flash("The deal is cancelled. Everything you paid is being refunded.", "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))
