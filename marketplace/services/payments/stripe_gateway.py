"""The only module that talks to Stripe. Everything else gets plain values back and
`PaymentFailed` / `CardDeclined` (domain errors with a message safe to show) on trouble.

Every creating call carries an idempotency key derived from the deal and the step
(`deal-<id>-<step>`), so a retry after a timeout cannot move money twice on real Stripe; the
app's own unique constraints guard the same thing locally (localstripe ignores the keys)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

from marketplace.services.errors import DomainError


class PaymentFailed(DomainError):
    """Stripe refused or could not be reached; nothing was changed on our side."""

    status_code = 502


class CardDeclined(DomainError):
    """The card was declined; the message is the bank's reason."""

    status_code = 402


@dataclass(frozen=True)
class Card:
    """A card PaymentMethod as the app needs it: `customer` is None for a card just typed in
    the browser (not saved yet); `fingerprint` is the same for the same card number."""

    id: str
    label: str
    fingerprint: str = ""
    customer: str | None = None


def client() -> stripe.StripeClient:
    """A client built from the app's config (cached on the app)."""
    cached = current_app.extensions.get("duet_stripe")
    if cached is None:
        base = current_app.config.get("STRIPE_API_BASE")
        kwargs: dict[str, Any] = {"max_network_retries": 0 if base else 2}
        if base:
            kwargs["base_addresses"] = {"api": base, "connect": base, "files": base}
        cached = stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"], **kwargs)
        current_app.extensions["duet_stripe"] = cached
    return cached


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        raise CardDeclined(exc.user_message or "Your card was declined.", field="card") from exc
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe call failed: %r", exc)
        raise PaymentFailed("The payment provider could not complete this right now; "
                            "nothing was charged or sent. Please try again in a minute.") from exc


def _key(deal_id: int, step: str) -> dict:
    return {"idempotency_key": f"deal-{deal_id}-{step}"}


def charge_id_of(intent) -> str | None:
    """`latest_charge` is an id on real Stripe and may be an object on localstripe."""
    charge = getattr(intent, "latest_charge", None)
    if charge is None or isinstance(charge, str):
        return charge
    return charge["id"]


def decline_message(intent) -> str:
    error = getattr(intent, "last_payment_error", None)
    return (error["message"] if error and "message" in error else None) or (
        "Your card was declined.")


# --- Customers and cards -------------------------------------------------------------------

def create_customer(user_id: int, email: str) -> str:
    customer = _call(client().v1.customers.create,
                     params={"email": email, "metadata": {"user_id": str(user_id)}},
                     options={"idempotency_key": f"user-{user_id}-customer"})
    return customer.id


NO_SUCH_CARD = "Choose one of your saved cards or add a new one."


def _card(pm) -> Card:
    card = pm.card
    return Card(pm.id, card_label(card.brand, card.last4),
                getattr(card, "fingerprint", None) or pm.id,
                pm.customer if isinstance(pm.customer, str) or pm.customer is None
                else pm.customer.id)


def card_label(brand: str | None, last4: str | None) -> str:
    """'Visa •••• 4242' (what invoices and the pay page call a card)."""
    return f"{(brand or 'card').replace('_', ' ').title()} •••• {last4 or '????'}"


def saved_cards(customer_id: str) -> list[Card]:
    """The customer's cards, one per card number (fingerprint): the same card saved twice
    (before the pay page saved each card once) is offered once, its most recent copy."""
    cards = _call(client().v1.payment_methods.list,
                  params={"customer": customer_id, "type": "card", "limit": 100})
    unique: dict[str, Card] = {}
    for pm in sorted(cards.data, key=lambda pm: pm.created or 0, reverse=True):
        card = _card(pm)
        unique.setdefault(card.fingerprint, card)
    return list(unique.values())


def card(payment_method_id: str) -> Card:
    """The card behind a PaymentMethod id; DomainError (400) when there is no such card."""
    try:
        pm = _call(client().v1.payment_methods.retrieve, payment_method_id)
    except PaymentFailed as exc:
        if isinstance(exc.__cause__, stripe.InvalidRequestError):  # no such payment method
            raise DomainError(NO_SUCH_CARD, field="card") from exc
        raise
    if pm.type != "card" or not pm.card:
        raise DomainError(NO_SUCH_CARD, field="card")
    return _card(pm)


# --- Payment intents -----------------------------------------------------------------------

def create_payment_intent(*, deal_id: int, amount: int, currency: str, customer_id: str,
                          step: str = "payment-intent"):
    """The deal's PaymentIntent, without a card yet (`set_payment_method` adds the chosen one),
    so the parameters under one idempotency key never change."""
    params = {"amount": amount, "currency": currency.lower(), "customer": customer_id,
              "transfer_group": f"deal-{deal_id}", "description": f"Duet deal #{deal_id}",
              "metadata": {"deal_id": str(deal_id)}}
    return _call(client().v1.payment_intents.create, params=params,
                 options=_key(deal_id, step))


def set_payment_method(intent_id: str, *, deal_id: int, attempt: int, payment_method: str,
                       save_card: bool = False):
    """Charge `payment_method` on the next confirmation; `save_card` keeps a new card on the
    customer once the payment succeeds (Stripe attaches it), so one typed card is saved once."""
    return _call(client().v1.payment_intents.update, intent_id,
                 params={"payment_method": payment_method,
                         "setup_future_usage": "off_session" if save_card else ""},
                 options=_key(deal_id, f"payment-method-{attempt}"))


def confirm_payment_intent(intent_id: str, *, deal_id: int, attempt: int):
    """Confirm (the payment method was set before: localstripe 500s on confirm with one)."""
    return _call(client().v1.payment_intents.confirm, intent_id,
                 options=_key(deal_id, f"confirm-{attempt}"))


def create_bonus_intent(*, deal_id: int, bonus_id: int, amount: int, currency: str,
                        customer_id: str, payment_method: str):
    """A bonus's PaymentIntent with the brand's saved card, confirmed at once (one key per
    bonus: a retry after a lost answer returns the same intent, never a second charge)."""
    params = {"amount": amount, "currency": currency.lower(), "customer": customer_id,
              "payment_method": payment_method, "confirm": True,
              "transfer_group": f"deal-{deal_id}", "description": f"Duet bonus, deal #{deal_id}",
              "metadata": {"deal_id": str(deal_id), "bonus_id": str(bonus_id)}}
    return _call(client().v1.payment_intents.create, params=params,
                 options=_key(deal_id, f"bonus-{bonus_id}-intent"))


def create_bonus_transfer(*, deal_id: int, bonus_id: int, amount: int, currency: str,
                          destination: str, charge_id: str):
    params = {"amount": amount, "currency": currency.lower(), "destination": destination,
              "source_transaction": charge_id, "transfer_group": f"deal-{deal_id}",
              "metadata": {"deal_id": str(deal_id), "bonus_id": str(bonus_id)}}
    return _call(client().v1.transfers.create, params=params,
                 options=_key(deal_id, f"bonus-{bonus_id}-transfer"))


def retrieve_payment_intent(intent_id: str):
    return _call(client().v1.payment_intents.retrieve, intent_id)


def intent_card_label(intent) -> str:
    """'Visa •••• 4242' for the card a PaymentIntent charged ("" if Stripe cannot say)."""
    pm = getattr(intent, "payment_method", None)
    if not pm:
        return ""
    pm_id = pm if isinstance(pm, str) else pm.id
    try:
        return card(pm_id).label
    except DomainError:
        return ""


def retrieve_charge(charge_id: str):
    return _call(client().v1.charges.retrieve, charge_id)


def refund(*, deal_id: int, charge_id: str, amount: int, step: str):
    return _call(client().v1.refunds.create,
                 params={"charge": charge_id, "amount": amount,
                         "metadata": {"deal_id": str(deal_id)}},
                 options=_key(deal_id, step))


# --- Connect: accounts and transfers --------------------------------------------------------

def create_express_account(creator_id: int, email: str) -> str:
    account = _call(client().v1.accounts.create,
                    params={"type": "express", "email": email,
                            "capabilities": {"transfers": {"requested": True}},
                            "metadata": {"creator_id": str(creator_id)}},
                    options={"idempotency_key": f"creator-{creator_id}-account"})
    return account.id


def account_link(account_id: str, *, return_url: str, refresh_url: str) -> str:
    link = _call(client().v1.account_links.create,
                 params={"account": account_id, "type": "account_onboarding",
                         "return_url": return_url, "refresh_url": refresh_url})
    return link.url


def account_ready(account) -> bool:
    data = account.to_dict() if hasattr(account, "to_dict") else dict(account)
    capabilities = data.get("capabilities") or {}
    return bool(data.get("details_submitted") and data.get("payouts_enabled")
                and capabilities.get("transfers") == "active")


def retrieve_account(account_id: str):
    return _call(client().v1.accounts.retrieve, account_id)


def create_transfer(*, deal_id: int, amount: int, currency: str, destination: str,
                    charge_id: str):
    params = {"amount": amount, "currency": currency.lower(), "destination": destination,
              "source_transaction": charge_id, "transfer_group": f"deal-{deal_id}",
              "metadata": {"deal_id": str(deal_id)}}
    return _call(client().v1.transfers.create, params=params, options=_key(deal_id, "transfer"))


def reverse_transfer(*, deal_id: int, transfer_id: str, amount: int, step: str):
    return _call(client().v1.transfers.reversals.create, transfer_id,
                 params={"amount": amount, "metadata": {"deal_id": str(deal_id)}},
                 options=_key(deal_id, step))


def retrieve_transfer(transfer_id: str):
    return _call(client().v1.transfers.retrieve, transfer_id)


def transfers_for(deal_id: int) -> list:
    listing = _call(client().v1.transfers.list,
                    params={"transfer_group": f"deal-{deal_id}", "limit": 100})
    return list(listing.data)


# --- Webhooks ------------------------------------------------------------------------------

class InvalidWebhook(DomainError):
    """A webhook body that is not a genuine, fresh, signed Stripe event of the expected shape
    (answered with 400: nothing is recorded, nothing changes)."""


WEBHOOK_TOLERANCE_SECONDS = 300  # older signatures are refused (replays)
MAX_EVENT_DEPTH = 32  # Stripe's events nest a few levels; a deeper body is not an event
MAX_ID_LENGTH = 64  # the StripeEvent columns' width


def verify_event(payload: bytes, signature: str) -> stripe.Event:
    """The verified event; InvalidWebhook when it is unsigned, stale, not JSON, or not shaped
    like an event (a list, null, a string, no id/type/data.object, absurd nesting)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret,
                                              tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, stripe.SignatureVerificationError) as exc:  # UnicodeDecodeError too
        raise InvalidWebhook("invalid signature") from exc
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidWebhook("the body is not JSON") from exc
    check_event_shape(data)
    return stripe.Event.construct_from(data, current_app.config["STRIPE_SECRET_KEY"])


def check_event_shape(data: Any) -> None:
    """What every handler relies on: an object with string `id` and `type` and an object in
    `data.object`. Raises InvalidWebhook naming the first thing that is missing."""
    if not isinstance(data, dict):
        raise InvalidWebhook("the body is not an event object")
    if _depth(data) > MAX_EVENT_DEPTH:
        raise InvalidWebhook("the event is nested too deeply")
    for name in ("id", "type"):
        value = data.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
            raise InvalidWebhook(f"the event has no valid {name!r}")
    inner = data.get("data")
    if not isinstance(inner, dict) or not isinstance(inner.get("object"), dict):
        raise InvalidWebhook("the event has no 'data.object'")


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion (so a hostile body cannot blow the
    stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_EVENT_DEPTH:
            return level
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest
