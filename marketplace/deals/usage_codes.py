"""Paid-usage codes on the deal page: the creator adds them, both sides see them."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from marketplace.access import creator_required
from marketplace.deals import bp
from marketplace.deals.deal_pages import _render_detail_with
from marketplace.deals.forms import UsageCodeForm
from marketplace.deals.helpers import my_deal, refused
from marketplace.services.deals import usage_codes
from marketplace.services.errors import DomainError


@bp.route("/deals/<int:deal_id>/usage-codes", methods=["POST"])
@creator_required
def add_usage_code(deal_id: int):
    deal = my_deal(deal_id)
    form = UsageCodeForm()
    if form.validate_on_submit():
        try:
            row = usage_codes.add(deal, current_user, form.platform.data, form.code.data,
                                  form.expires_on.data)
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id, _anchor="usage-codes"))
        else:
            flash(f"Saved: the brand now sees the {row.label} and when it ends.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id, _anchor="usage-codes"))
    return _render_detail_with(deal, usage_form=form), 400
