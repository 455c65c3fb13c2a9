"""Where the money is: the creator's payouts page (set-up, totals by state, what is on its
way and when it arrives) and the payments list (the brand's payments with their invoices,
the creator's earnings with their statements), both with a CSV export."""

from __future__ import annotations

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.forms import EmptyForm, require_button_post
from marketplace.models import Deal
from marketplace.models.invoice import Invoice
from marketplace.models.payment import Payment, PaymentStatus
from marketplace.money import major_units
from marketplace.payments import bp
from marketplace.payments.routes import brand_or_setup, creator_or_setup, with_onboarding_csp
from marketplace.request_args import page_number
from marketplace.services import payments
from marketplace.services.errors import DomainError

RECENT_PAID = 10


@bp.get("/payouts")
@login_required
def payouts():
    creator = creator_or_setup()
    lines = payments.payout_lines(creator)
    summary = payments.payout_summary(creator, lines)
    upcoming = [line for line in lines if line.state in (payments.earnings.HELD,
                                                         payments.earnings.PENDING_SETUP,
                                                         payments.earnings.ON_THE_WAY)]
    paid = [line for line in lines if line.state == payments.earnings.PAID][:RECENT_PAID]
    html = render_template("payments/payouts.html", account=payments.payout_account(creator),
                           summary=summary, upcoming=upcoming, paid=paid, form=EmptyForm())
    return with_onboarding_csp(make_response(html))


@bp.post("/payouts/start")
@login_required
def start_onboarding():
    creator = creator_or_setup()
    require_button_post()
    try:
        url = payments.onboarding_url(
            creator, return_url=url_for("payments.onboarding_return", _external=True),
            refresh_url=url_for("payments.payouts", _external=True))
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("payments.payouts"))
    return redirect(url, code=303)


@bp.get("/payouts/return")
@login_required
def onboarding_return():
    """Stripe sends the creator back here. Re-reading the account and sending the payouts
    that waited for it is the one write on a GET: Stripe's return link cannot POST."""
    creator = creator_or_setup()
    account = payments.payout_account(creator)
    if account is None:
        return redirect(url_for("payments.payouts"))
    try:
        account = payments.refresh_payout_account(account.stripe_account_id)
    except DomainError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("payments.payouts"))
    if account.ready:
        sent = payments.send_pending_payouts(account.creator_id)
        flash("Payouts are set up." + (f" {sent} waiting payout(s) sent: see below when they "
                                       "arrive." if sent else ""), "success")
    else:
        flash("Stripe still needs a few details before payouts can start: choose “Continue "
              "set-up”.", "warning")
    return redirect(url_for("payments.payouts"))


# --- The payments list ------------------------------------------------------------------------

def _brand_query(brand):
    return (select(Payment).join(Deal, Deal.id == Payment.deal_id)
            .where(Deal.brand_id == brand.id)
            .options(selectinload(Payment.deal).selectinload(Deal.campaign),
                     selectinload(Payment.deal).selectinload(Deal.creator))
            .order_by(Payment.created_at.desc(), Payment.id.desc()))


def _invoices(rows: list[Payment]) -> dict[int, Invoice]:
    if not rows:
        return {}
    return {i.deal_id: i for i in db.session.execute(
        select(Invoice).where(Invoice.deal_id.in_([p.deal_id for p in rows]))).scalars()}


_BRAND_STATES = {PaymentStatus.REQUIRES_PAYMENT: "not paid",
                 PaymentStatus.REQUIRES_ACTION: "awaiting your bank",
                 PaymentStatus.PAID_OUT: "released to creator",
                 PaymentStatus.SPLIT: "split by dispute",
                 PaymentStatus.REFUNDED: "refunded"}


def brand_state(payment: Payment) -> str:
    """What the brand's money is doing: held for the deal, paid to the creator, refunded."""
    return _BRAND_STATES.get(payment.status, "held")


@bp.get("/payments")
@login_required
def history():
    if current_user.is_admin:
        abort(403)
    per_page = current_app.config.get("PER_PAGE", 24)
    number = page_number()
    wants_csv = request.args.get("format") == "csv"
    if current_user.is_brand:
        brand = brand_or_setup()
        query = _brand_query(brand)
        if wants_csv:
            rows = list(db.session.execute(query).scalars())
            return _brand_csv(rows, _invoices(rows))
        page = db.paginate(query, page=number, per_page=per_page, error_out=False)
        return render_template("payments/history.html", page=page,
                               invoices=_invoices(page.items), state=brand_state)
    creator = creator_or_setup()
    if wants_csv:
        return _creator_csv(payments.payout_lines(creator))
    page = db.paginate(payments.earnings.payments_query(creator), page=number,
                       per_page=per_page, error_out=False)
    lines = payments.earnings.lines_for(list(page.items))
    return render_template("payments/earnings.html", page=page, lines=lines,
                           summary=payments.payout_summary(creator),
                           years=payments.earning_years(creator))


def _csv_response(out: io.StringIO, name: str) -> Response:
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=duet-{name}.csv"})


def _brand_csv(rows: list[Payment], invoices: dict[int, Invoice]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["deal_id", "campaign", "invoice", "status", "currency", "price",
                     "brand_fee", "tax", "total_charged", "refunded", "card", "date"])
    for p in rows:
        invoice = invoices.get(p.deal_id)
        writer.writerow([p.deal_id, getattr(p.deal.campaign, "title", ""),
                         invoice.number if invoice else "", brand_state(p), p.currency,
                         major_units(p.price_cents), major_units(p.brand_fee_cents),
                         major_units(p.tax_cents), major_units(p.amount_cents),
                         major_units(p.refunded_cents), p.card_label,
                         (p.paid_at or p.created_at).date().isoformat()])
    return _csv_response(out, "spend")


def _creator_csv(lines: list[payments.PayoutLine]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["deal_id", "campaign", "brand", "state", "currency", "gross",
                     "creator_fee", "net", "paid_on", "expected_arrival"])
    for line in lines:
        writer.writerow([line.deal.id, getattr(line.deal.campaign, "title", ""),
                         getattr(line.deal.brand, "company_name", ""), line.state,
                         line.currency, major_units(line.gross_cents),
                         major_units(line.fee_cents), major_units(line.net_cents),
                         line.sent_at.date().isoformat() if line.sent_at else "",
                         line.expected_arrival_at.date().isoformat()
                         if line.expected_arrival_at else ""])
    return _csv_response(out, "earnings")
