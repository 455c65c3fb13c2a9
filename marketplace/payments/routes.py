"""Pay for a deal, set up payouts, receipts and history, and Stripe's webhook."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

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

from marketplace.access import brand_required, creator_required
from marketplace.extensions import csrf, db
from marketplace.forms import EmptyForm
from marketplace.models import Deal
from marketplace.models.payment import LedgerEntry, Payment, Transfer
from marketplace.payments import bp
from marketplace.payments.forms import PayForm
from marketplace.security import CSP
from marketplace.services import payments
from marketplace.services.errors import DomainError
from marketplace.services.payments import stripe_gateway as gateway


def _deal_url(deal: Deal) -> str:
    return url_for("deals.detail", deal_id=deal.id)


def _brand_deal(deal_id: int) -> Deal:
    brand = current_user.brand
    if brand is None:
        abort(404)
    return db.first_or_404(select(Deal).where(Deal.id == deal_id, Deal.brand_id == brand.id))


def _with_stripe_csp(response: Response) -> Response:
    """The pay page alone may load Stripe.js and talk to Stripe."""
    parts = urlsplit(current_app.config["STRIPE_JS_URL"])
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = (CSP.replace("script-src 'self'", f"script-src 'self' {origin}")
              .replace("connect-src 'self'", f"connect-src 'self' {origin}")
              + f"; frame-src {origin}")
    response.headers["Content-Security-Policy"] = policy
    return response


def _onboarding_origin() -> str:
    """Where "Set up payouts" sends the creator: the local Stripe in dev/tests, else Stripe."""
    base = current_app.config.get("STRIPE_API_BASE")
    if not base:
        return "https://connect.stripe.com"
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _with_onboarding_csp(response: Response) -> Response:
    """The payouts page's form posts to /payouts/start, which 303-redirects to Stripe's
    onboarding on another origin; browsers check that redirect against form-action."""
    policy = current_app.config.get("CSP", CSP).replace(
        "form-action 'self'", f"form-action 'self' {_onboarding_origin()}")
    response.headers["Content-Security-Policy"] = policy
    return response


def _render_pay(deal: Deal, form: PayForm, *, action_secret: str | None = None, status=200):
    payment = payments.payment_for(deal.id)
    setup = None
    try:
        setup = payments.card_setup(current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
    html = render_template("payments/pay.html", deal=deal, form=form, payment=payment,
                           setup=setup, action_secret=action_secret,
                           fees=payments.fee_breakdown(deal.price_cents, deal.currency),
                           complete_form=EmptyForm())
    return _with_stripe_csp(make_response(html, status))


@bp.route("/deals/<int:deal_id>/pay", methods=["GET", "POST"])
@brand_required
def fund(deal_id: int):
    deal = _brand_deal(deal_id)
    payment = payments.payment_for(deal.id)
    if payment is not None and payment.funded:
        flash("This deal is already funded.", "info")
        return redirect(_deal_url(deal))
    form = PayForm()
    if form.validate_on_submit():
        try:
            result = payments.fund(deal, current_user, form.payment_method.data)
        except DomainError as exc:
            form.payment_method.errors = [exc.message]
            return _render_pay(deal, form, status=exc.status_code if exc.status_code < 500
                               else 200)
        if result.status == "requires_action":
            return _render_pay(deal, form, action_secret=result.client_secret)
        if result.status == "processing":
            flash("Your payment is processing; the deal starts as soon as it clears.", "info")
        else:
            flash("Payment received: the deal is funded and the creator can start.", "success")
        return redirect(_deal_url(deal))
    return _render_pay(deal, form, status=400 if form.errors else 200)


@bp.post("/deals/<int:deal_id>/pay/complete")
@brand_required
def complete(deal_id: int):
    """The browser finished 3-D Secure; the server checks the result with Stripe itself."""
    deal = _brand_deal(deal_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = payments.finish_authentication(deal, current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("payments.fund", deal_id=deal.id))
    if result.status == "funded":
        flash("Payment received: the deal is funded and the creator can start.", "success")
        return redirect(_deal_url(deal))
    flash("The bank has not confirmed the payment yet. Please try again.", "warning")
    return redirect(url_for("payments.fund", deal_id=deal.id))


@bp.post("/webhooks/stripe")
@csrf.exempt
def webhook():
    payload = request.get_data()
    try:
        event = gateway.verify_event(payload, request.headers.get("Stripe-Signature", ""))
    except gateway.InvalidWebhook as exc:
        return {"error": exc.message}, 400
    try:
        outcome = payments.handle_event(event)
    except gateway.InvalidWebhook as exc:  # signed, but not an event we can apply
        return {"error": exc.message}, 400
    except DomainError as exc:  # Stripe unreachable while re-reading: let Stripe retry
        return {"error": exc.message}, 503
    return {"received": outcome}, 200


# --- Creator payouts -------------------------------------------------------------------------

@bp.get("/payouts")
@creator_required
def payouts():
    account = payments.payout_account(current_user.creator)
    pending = db.session.execute(
        select(Payment).join(Deal, Deal.id == Payment.deal_id)
        .where(Deal.creator_id == current_user.creator.id,
               Payment.status == "payout_pending")).scalars().all()
    html = render_template("payments/payouts.html", account=account, pending=pending,
                           form=EmptyForm())
    return _with_onboarding_csp(make_response(html))


@bp.post("/payouts/start")
@creator_required
def start_onboarding():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        url = payments.onboarding_url(
            current_user.creator, return_url=url_for("payments.onboarding_return", _external=True),
            refresh_url=url_for("payments.payouts", _external=True))
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("payments.payouts"))
    return redirect(url, code=303)


@bp.get("/payouts/return")
@creator_required
def onboarding_return():
    account = payments.payout_account(current_user.creator)
    if account is None:
        return redirect(url_for("payments.payouts"))
    try:
        account = payments.refresh_payout_account(account.stripe_account_id)
    except DomainError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("payments.payouts"))
    if account.ready:
        sent = payments.send_pending_payouts(account.creator_id)
        flash("Payouts are set up." + (f" {sent} waiting payout(s) sent." if sent else ""),
              "success")
    else:
        flash("Stripe still needs a few details before payouts can start.", "warning")
    return redirect(url_for("payments.payouts"))


# --- Receipts and history ----------------------------------------------------------------------

def _party_deal(deal_id: int) -> Deal:
    deal = db.get_or_404(Deal, deal_id)
    if current_user.is_admin:
        return deal
    mine = (current_user.brand is not None and deal.brand_id == current_user.brand.id) or (
        current_user.creator is not None and deal.creator_id == current_user.creator.id)
    if not mine:
        abort(404)
    return deal


@bp.get("/deals/<int:deal_id>/receipt")
@login_required
def receipt(deal_id: int):
    deal = _party_deal(deal_id)
    payment = payments.payment_for(deal.id)
    if payment is None:
        abort(404)
    transfer = db.session.execute(select(Transfer).where(Transfer.deal_id == deal.id)).scalar()
    entries = db.session.execute(select(LedgerEntry).where(LedgerEntry.deal_id == deal.id)
                                 .order_by(LedgerEntry.id)).scalars().all()
    return render_template("payments/receipt.html", deal=deal, payment=payment,
                           transfer=transfer, entries=entries)


def _history_query():
    query = (select(Payment).join(Deal, Deal.id == Payment.deal_id)
             .options(selectinload(Payment.deal).selectinload(Deal.campaign))
             .order_by(Payment.created_at.desc(), Payment.id.desc()))
    if current_user.is_brand:
        return query.where(Deal.brand_id == current_user.brand.id)
    if current_user.is_creator:
        return query.where(Deal.creator_id == current_user.creator.id,
                           Payment.status.notin_(["requires_payment", "requires_action"]))
    abort(403)


def earnings_bucket(payment: Payment) -> str:
    """pending (still in escrow) / on the way (transfer sent) / paid (deal completed)."""
    if payment.status in ("paid_out", "split"):
        return "paid" if payment.deal.state == "completed" else "on the way"
    if payment.status in ("held", "releasing", "payout_pending"):
        return "pending"
    return "—"


@bp.get("/payments")
@login_required
def history():
    query = _history_query()
    if request.args.get("format") == "csv":
        return _csv(db.session.execute(query).scalars().all())
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    return render_template("payments/history.html", page=page, bucket=earnings_bucket)


def _csv(rows: list[Payment]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    brand = current_user.is_brand
    writer.writerow(["deal_id", "campaign", "status", "currency", "price", "brand_fee",
                     "total_charged", "refunded", "date"] if brand else
                    ["deal_id", "campaign", "status", "currency", "payout", "creator_fee",
                     "net", "bucket", "date"])
    for p in rows:
        title = getattr(p.deal.campaign, "title", "")
        if brand:
            writer.writerow([p.deal_id, title, p.status, p.currency, p.price_cents / 100,
                             p.brand_fee_cents / 100, p.amount_cents / 100,
                             p.refunded_cents / 100, p.created_at.date().isoformat()])
        else:
            fees = payments.fee_breakdown(p.payout_cents, p.currency)
            writer.writerow([p.deal_id, title, p.status, p.currency, p.payout_cents / 100,
                             fees.creator_fee / 100, fees.creator_net / 100, earnings_bucket(p),
                             p.created_at.date().isoformat()])
    name = "spend" if brand else "earnings"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=duet-{name}.csv"})
