"""The thank-you bonus page: after the creator is paid, the brand sends more with a saved card."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from marketplace.access import brand_required
from marketplace.money import MoneyError, parse_money
from marketplace.payments import bp
from marketplace.payments.forms import BonusForm
from marketplace.payments.routes import _brand_deal, _saved_cards
from marketplace.services.errors import DomainError
from marketplace.services.payments import bonuses


@bp.route("/deals/<int:deal_id>/bonus", methods=["GET", "POST"])
@brand_required
def bonus(deal_id: int):
    deal = _brand_deal(deal_id)
    if not bonuses.can_give(deal):
        flash("A bonus can be sent once the creator has been paid for the deal.", "info")
        return redirect(url_for("deals.detail", deal_id=deal.id))
    form = BonusForm()
    cards, problem = _saved_cards()
    form.card.choices = [(c.id, c.label) for c in cards]
    if not form.is_submitted():
        form.token.data = bonuses.new_token()
        if cards:
            form.card.data = cards[0].id
        return _render(deal, form, cards, problem)
    if form.validate_on_submit():
        try:
            amount = parse_money(form.amount.data)
        except MoneyError as exc:
            form.amount.errors = [exc.message]
        else:
            try:
                sent = bonuses.give(deal, current_user, amount_cents=amount,
                                    note=form.note.data or "", payment_method=form.card.data,
                                    token=form.token.data or "")
            except DomainError as exc:
                target = getattr(form, exc.field or "", None) or form.amount
                target.errors = [*target.errors, exc.message]
            else:
                where = ("is on its way to" if sent.status == "paid" else
                         "is held until the payout account is set up for")
                flash(f"Thank you sent: the bonus {where} {deal.creator.display_name}.",
                      "success")
                return redirect(url_for("deals.detail", deal_id=deal.id))
    return _render(deal, form, cards, problem, status=400)


def _render(deal, form, cards, problem, status=200):
    return render_template("payments/bonus.html", deal=deal, form=form, cards=cards,
                           problem=problem, history=bonuses.bonuses_of(deal.id)), status
