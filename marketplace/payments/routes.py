"""Pay for a deal (the card choice, 3-D Secure), Stripe's webhook, and the access helpers the
other payment pages share (a logged-in brand or creator without a profile is sent to finish
it, never answered with a 500)."""

from __future__ import annotations

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
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import brand_required
from marketplace.extensions import csrf, db
from marketplace.forms import EmptyForm, require_button_post
from marketplace.models import BrandProfile, CreatorProfile, Deal
from marketplace.payments import bp
from marketplace.payments.forms import NEW_CARD, PayForm
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


def creator_or_setup() -> CreatorProfile:
    """The logged-in creator's profile. Another role gets 403; a creator who has not made a
    profile yet is redirected to make one (there is nothing to pay out before that)."""
    if not current_user.is_creator:
        abort(403)
    creator = current_user.creator
    if creator is None:
        flash("Create your creator profile first: payouts and earnings come with it.", "info")
        abort(redirect(url_for("creators.edit_profile")))
    return creator


def brand_or_setup() -> BrandProfile:
    """The logged-in brand's profile; a brand without one is sent to set it up."""
    if not current_user.is_brand:
        abort(403)
    brand = current_user.brand
    if brand is None:
        flash("Set up your brand profile first: payments and invoices come with it.", "info")
        abort(redirect(url_for("brands.edit_profile")))
    return brand


def party_deal(deal_id: int) -> Deal:
    """A deal the current user is a party to (admins see all); 404 for anyone else."""
    deal = db.get_or_404(Deal, deal_id)
    if current_user.is_admin:
        return deal
    mine = (current_user.brand is not None and deal.brand_id == current_user.brand.id) or (
        current_user.creator is not None and deal.creator_id == current_user.creator.id)
    if not mine:
        abort(404)
    return deal


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


def with_onboarding_csp(response: Response) -> Response:
    """The payouts page's form posts to /payouts/start, which 303-redirects to Stripe's
    onboarding on another origin; browsers check that redirect against form-action."""
    policy = current_app.config.get("CSP", CSP).replace(
        "form-action 'self'", f"form-action 'self' {_onboarding_origin()}")
    response.headers["Content-Security-Policy"] = policy
    return response


def _saved_cards() -> tuple[list[gateway.Card], str | None]:
    try:
        return payments.saved_cards(current_user), None
    except DomainError as exc:
        return [], exc.message


def _render_pay(deal: Deal, form: PayForm, cards: list[gateway.Card], *,
                action_secret: str | None = None, status=200, problem: str | None = None):
    payment = payments.payment_for(deal.id)
    choice = form.card_choice.data or (cards[0].id if cards else NEW_CARD)
    if choice != NEW_CARD and choice not in {card.id for card in cards}:
        choice = NEW_CARD
    html = render_template("payments/pay.html", deal=deal, form=form, payment=payment,
                           cards=cards, choice=choice, action_secret=action_secret,
                           problem=problem,
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
    cards, problem = _saved_cards()
    if not form.validate_on_submit():
        return _render_pay(deal, form, cards, problem=problem,
                           status=400 if form.errors else 200)
    payment_method = form.chosen_payment_method({card.id for card in cards})
    if payment_method is None:
        return _render_pay(deal, form, cards, status=400)
    try:
        result = payments.fund(deal, current_user, payment_method)
    except DomainError as exc:
        form.payment_method.errors = [exc.message]
        return _render_pay(deal, form, cards,
                           status=exc.status_code if exc.status_code < 500 else 200)
    if result.status == "requires_action":
        return _render_pay(deal, form, cards, action_secret=result.client_secret)
    if result.status == "processing":
        flash("Your payment is processing; the deal starts as soon as it clears.", "info")
    else:
        flash("Payment received: the deal is funded and the creator can start.", "success")
    return redirect(_deal_url(deal))


@bp.post("/deals/<int:deal_id>/pay/complete")
@brand_required
def complete(deal_id: int):
    """The browser finished 3-D Secure; the server checks the result with Stripe itself."""
    deal = _brand_deal(deal_id)
    require_button_post()
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
