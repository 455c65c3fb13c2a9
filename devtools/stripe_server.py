"""A local Stripe for development and tests: localstripe plus an add-on for what it lacks.

localstripe (GPL-3.0) runs here as a separate process and is only imported, never copied.
The add-on serves Connect Express accounts, Account Links (with a local onboarding page),
Transfers and reversals, accepts `transfer_group` / `description` / `setup_future_usage` on
PaymentIntents (saving the card on success, as Stripe does), lets a new payment method
restart an intent left in `requires_action`, accepts `POST /v1/payment_methods` with a
publishable key (as Stripe.js sends it), refuses over-refunds, and sends the webhooks
localstripe does not (`charge.refunded`,
`transfer.created`, `transfer.reversed`, `account.updated`, `charge.dispute.created`), signed
through localstripe's own webhook registry (`POST /_config/webhooks/<name>`).

It also serves localstripe's fake Stripe.js wrapped in a function (`/js.stripe.com/v3/`, see
`wrapped_stripe_js`; its card element sends digits only and it gains `createPaymentMethod`),
and attaches a card to the SetupIntent's customer after 3-D Secure.

Test-only routes:
- `POST /_devtools/disputes` (charge=ch_...): open a dispute, send `charge.dispute.created`.
- `POST /_devtools/fail` (on=true|false[, path=REGEX]): while on, every `/v1/` call (or only
  those whose path matches REGEX) answers 500.
- `GET|POST /_devtools/onboard/<acct>?link=<id>`: the Express onboarding stand-in.

Run: `python -m devtools.stripe_server --port 8420 [--webhook-url URL --webhook-secret S]`.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import time
from pathlib import Path

import localstripe
from aiohttp import web
from localstripe import server as ls_server
from localstripe.errors import UserError
from localstripe.resources import (
    Charge,
    Event,
    PaymentIntent,
    PaymentMethod,
    Refund,
    SetupIntent,
    StripeObject,
    store,
    try_convert_to_bool,
    try_convert_to_int,
)
from localstripe.webhooks import register_webhook, schedule_webhook

app = ls_server.app
_state: dict = {"failing": False, "failing_path": None}
_links: dict[str, dict] = {}  # account link id -> {"account", "return_url", "refresh_url"}

# The stock store pickles itself to /tmp after every write (slow, shared between instances).
store.dump_to_disk = lambda: None


def _json(obj: dict, status: int = 200) -> web.Response:
    return web.json_response(obj, status=status, dumps=lambda x: json.dumps(x, sort_keys=True))


def _send(event_type: str, obj: StripeObject) -> None:
    """Store an Event (so GET /v1/events/<id> finds it) and deliver it to registered webhooks."""
    schedule_webhook(Event(event_type, obj))


def _positive_int(value, name: str) -> int:
    value = try_convert_to_int(value)
    if type(value) is not int or value <= 0:
        raise UserError(400, f"Invalid {name}: must be a positive integer",
                        {"param": name, "code": "parameter_invalid_integer"})
    return value


def _currency(value) -> str:
    if type(value) is not str or len(value) != 3:
        raise UserError(400, "Invalid currency", {"param": "currency"})
    return value.lower()


# --- Connect: accounts and account links -------------------------------------------------


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type=None, country=None, email=None, capabilities=None,
                 business_type=None, metadata=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if type not in ("express", "standard", "custom"):
            raise UserError(400, "Invalid type: must be express, standard or custom",
                            {"param": "type"})
        requested = {name for name, spec in (capabilities or {}).items()
                     if isinstance(spec, dict) and try_convert_to_bool(spec.get("requested"))}
        super().__init__()
        self.type = type
        self.country = country or "US"
        self.email = email
        self.business_type = business_type
        self.metadata = metadata or {}
        self.capabilities = {name: "inactive" for name in sorted(requested)}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = {"currently_due": ["external_account", "tos_acceptance.date"],
                             "disabled_reason": "requirements.past_due"}

    def _complete_onboarding(self) -> None:
        self.charges_enabled = True
        self.payouts_enabled = True
        self.details_submitted = True
        self.capabilities = {name: "active" for name in self.capabilities} or {
            "transfers": "active"}
        self.requirements = {"currently_due": [], "disabled_reason": None}
        _send("account.updated", self)


class AccountLink(StripeObject):
    object = "account_link"
    _id_prefix = "acctlink_"

    def __init__(self, account=None, refresh_url=None, return_url=None, type=None,
                 collect=None, base_url="", **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if type != "account_onboarding":
            raise UserError(400, "Invalid type: only account_onboarding", {"param": "type"})
        for name, url in (("refresh_url", refresh_url), ("return_url", return_url)):
            if not isinstance(url, str) or not url.startswith("http"):
                raise UserError(400, f"Invalid {name}", {"param": name})
        Account._api_retrieve(account or "")
        super().__init__()
        self.expires_at = self.created + 300
        self.url = f"{base_url}/_devtools/onboard/{account}?link={self.id}"
        _links[self.id] = {"account": account, "return_url": return_url,
                           "refresh_url": refresh_url}


# --- Transfers and reversals ----------------------------------------------------------------


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount=None, currency=None, destination=None, source_transaction=None,
                 transfer_group=None, description=None, metadata=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        amount = _positive_int(amount, "amount")
        currency = _currency(currency)
        account = Account._api_retrieve(destination or "")
        if account.capabilities.get("transfers") != "active":
            raise UserError(400, "Your destination account needs to have at least one of the "
                            "following capabilities enabled: transfers, crypto_transfers, "
                            "legacy_payments", {"param": "destination"})
        if source_transaction is not None:
            charge = Charge._api_retrieve(source_transaction)
            already = sum(t.amount - t.amount_reversed for t in _transfers()
                          if t.source_transaction == charge.id)
            if already + amount > charge.amount - charge.amount_refunded:
                raise UserError(400, "Insufficient funds from the source transaction for "
                                "this transfer", {"code": "balance_insufficient"})
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.source_transaction = source_transaction
        self.transfer_group = transfer_group
        self.description = description
        self.metadata = metadata or {}
        self.amount_reversed = 0
        _send("transfer.created", self)

    @property
    def reversed(self) -> bool:
        return self.amount_reversed >= self.amount

    @property
    def reversals(self) -> dict:
        items = [r._export() for r in _reversals_of(self.id)]
        return {"object": "list", "data": items, "has_more": False,
                "total_count": len(items), "url": f"/v1/transfers/{self.id}/reversals"}

    @classmethod
    def _api_list_all(cls, url, transfer_group=None, destination=None, limit=None,
                      starting_after=None, **kwargs):
        listing = super()._api_list_all(url, limit=limit or 100, starting_after=starting_after,
                                        **kwargs)
        listing._list = [t for t in listing._list
                         if (transfer_group is None or t.transfer_group == transfer_group)
                         and (destination is None or t.destination == destination)]
        listing._list.sort(key=lambda t: t.created)
        return listing


class TransferReversal(StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(self, transfer=None, amount=None, metadata=None, description=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        parent = Transfer._api_retrieve(transfer or "")
        remaining = parent.amount - parent.amount_reversed
        amount = remaining if amount is None else _positive_int(amount, "amount")
        if remaining <= 0 or amount > remaining:
            raise UserError(400, "Transfer reversal amount exceeds the amount left to reverse",
                            {"param": "amount"})
        super().__init__()
        self.transfer = parent.id
        self.amount = amount
        self.currency = parent.currency
        self.metadata = metadata or {}
        parent.amount_reversed += amount
        _send("transfer.reversed", parent)


class Dispute(StripeObject):
    object = "dispute"
    _id_prefix = "dp_"

    def __init__(self, charge=None, reason="fraudulent", amount=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        charge_obj = Charge._api_retrieve(charge or "")
        super().__init__()
        self.charge = charge_obj.id
        self.payment_intent = charge_obj.payment_intent
        self.amount = charge_obj.amount if amount is None else _positive_int(amount, "amount")
        self.currency = charge_obj.currency
        self.reason = reason
        self.status = "needs_response"
        self.metadata = {}
        _send("charge.dispute.created", self)


def _transfers() -> list[Transfer]:
    return [v for k, v in store.items() if k.startswith("transfer:")]


def _reversals_of(transfer_id: str) -> list[TransferReversal]:
    return sorted((v for k, v in store.items()
                   if k.startswith("transfer_reversal:") and v.transfer == transfer_id),
                  key=lambda r: r.created)


# --- Patches on localstripe's own resources (in this dev process only) -----------------------

_pi_init = PaymentIntent.__init__


def _payment_intent_init(self, *args, transfer_group=None, description=None,
                         statement_descriptor=None, receipt_email=None,
                         setup_future_usage=None, **kwargs):
    """Accept the PaymentIntent fields our app sends and localstripe rejects."""
    if setup_future_usage not in (None, "", "on_session", "off_session"):
        raise UserError(400, "Invalid setup_future_usage", {"param": "setup_future_usage"})
    _pi_init(self, *args, **kwargs)
    self.transfer_group = transfer_group
    self.description = description
    self.statement_descriptor = statement_descriptor
    self.receipt_email = receipt_email
    self.setup_future_usage = setup_future_usage or None


PaymentIntent.__init__ = _payment_intent_init

_pi_on_success = PaymentIntent._on_success


def _payment_intent_on_success(self):
    """With `setup_future_usage`, Stripe attaches the charged card to the intent's customer
    once the payment succeeds (that is how a card typed at checkout gets saved)."""
    if getattr(self, "setup_future_usage", None) and self.customer and self.payment_method:
        method = PaymentMethod._api_retrieve(self.payment_method)
        if method.customer is None:
            method.customer = self.customer
    _pi_on_success(self)


PaymentIntent._on_success = _payment_intent_on_success

_pi_create_charge = PaymentIntent._create_charge


def _payment_intent_create_charge(self, on_failure_now):
    _pi_create_charge(self, on_failure_now)
    if self.latest_charge is not None:
        self.latest_charge.transfer_group = getattr(self, "transfer_group", None)


PaymentIntent._create_charge = _payment_intent_create_charge

_pi_update = PaymentIntent._api_update.__func__


@classmethod
def _payment_intent_api_update(cls, id, **data):
    """A new payment method makes the intent confirmable again, as on Stripe: after a decline
    (localstripe keeps the failed charge and refuses to confirm) and after an abandoned 3-D
    Secure prompt (localstripe keeps `next_action`, so the intent stays `requires_action` and
    every later confirmation fails with "Bad request")."""
    intent = cls._api_retrieve(id)
    if "payment_method" in data and intent.status == "requires_payment_method":
        intent.latest_charge = None
        intent._authentication_failed = False
    if ("payment_method" in data and intent.status == "requires_action"
            and data["payment_method"] != intent.payment_method):
        intent.next_action = None
    if data.get("setup_future_usage") == "":
        data["setup_future_usage"] = None  # "" unsets it, as on Stripe
    return _pi_update(cls, id, **data)


PaymentIntent._api_update = _payment_intent_api_update

_refund_create = Refund._api_create.__func__


@classmethod
def _refund_api_create(cls, **data):
    """Refuse over-refunds (real Stripe does) and send `charge.refunded`."""
    charge_id = data.get("charge")
    if charge_id is None and data.get("payment_intent"):
        intent = PaymentIntent._api_retrieve(data["payment_intent"])
        charge_id = intent.latest_charge.id if intent.latest_charge else None
    if charge_id:
        charge = Charge._api_retrieve(charge_id)
        left = charge.amount - charge.amount_refunded
        data.setdefault("amount", left)  # localstripe would refund the full charge again
        amount = try_convert_to_int(data["amount"])
        if type(amount) is int and (left <= 0 or amount > left):
            raise UserError(400, f"Refund amount ({amount}) is greater than unrefunded amount "
                            f"on charge ({left})", {"code": "charge_already_refunded"
                                                   if left <= 0 else "amount_too_large"})
    refund = _refund_create(cls, **data)
    _send("charge.refunded", Charge._api_retrieve(refund.charge))
    return refund


Refund._api_create = _refund_api_create

_attach_pm = SetupIntent._attach_pm


def _attach_to_customer(intent: SetupIntent) -> None:
    """Real Stripe attaches a SetupIntent's card to its customer once the intent succeeds."""
    if intent.status == "succeeded" and intent.customer and intent.payment_method:
        PaymentMethod._api_retrieve(intent.payment_method).customer = intent.customer


def _setup_intent_attach_pm(self, pm):
    """Real Stripe attaches the card to the SetupIntent's customer; localstripe does not."""
    _attach_pm(self, pm)
    if self.status == "succeeded" and self.customer:
        pm.customer = self.customer


SetupIntent._attach_pm = _setup_intent_attach_pm

# After 3-D Secure, Stripe.js confirms the SetupIntent a second time without a payment method:
# localstripe then marks it succeeded directly, not through `_attach_pm`. Its route holds the
# original bound `_api_confirm`, so the add-on's middleware finishes that path instead.
_SETUP_CONFIRM = re.compile(r"^/v1/setup_intents/(seti_\w+)/confirm$")


def _after_setup_intent_confirm(request: web.Request, response: web.StreamResponse) -> None:
    match = _SETUP_CONFIRM.match(request.path)
    if request.method != "POST" or match is None or response.status != 200:
        return
    try:
        intent = SetupIntent._api_retrieve(match.group(1))
    except UserError:
        return
    _attach_to_customer(intent)


# --- Routes ---------------------------------------------------------------------------------


async def _data(request: web.Request) -> dict:
    return await ls_server.get_post_data(request) or {}


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def create_account(request):
    data = await _data(request)
    data.pop("expand", None)
    return _json(Account._api_create(**data)._export())


async def retrieve_account(request):
    return _json(Account._api_retrieve(request.match_info["id"])._export())


async def update_account(request):
    data = await _data(request)
    data.pop("expand", None)
    return _json(Account._api_update(request.match_info["id"], **data)._export())


async def create_account_link(request):
    data = await _data(request)
    data.pop("expand", None)
    return _json(AccountLink(base_url=_base_url(request), **data)._export())


async def create_transfer(request):
    data = await _data(request)
    data.pop("expand", None)
    return _json(Transfer._api_create(**data)._export())


async def retrieve_transfer(request):
    return _json(Transfer._api_retrieve(request.match_info["id"])._export())


async def list_transfers(request):
    data = ls_server.unflatten_data(request.query)
    data.pop("expand", None)
    return _json(Transfer._api_list_all("/v1/transfers", **data)._export())


async def create_reversal(request):
    data = await _data(request)
    data.pop("expand", None)
    reversal = TransferReversal(transfer=request.match_info["id"], **data)
    return _json(reversal._export())


async def list_reversals(request):
    items = [r._export() for r in _reversals_of(request.match_info["id"])]
    return _json({"object": "list", "data": items, "has_more": False,
                  "url": f"/v1/transfers/{request.match_info['id']}/reversals"})


async def retrieve_dispute(request):
    return _json(Dispute._api_retrieve(request.match_info["id"])._export())


async def open_dispute(request):
    data = await _data(request)
    return _json(Dispute(**data)._export())


async def toggle_failure(request):
    data = await _data(request)
    _state["failing"] = bool(try_convert_to_bool(data.get("on", True)))
    path = data.get("path") or None
    _state["failing_path"] = re.compile(path) if _state["failing"] and path else None
    return _json({"failing": _state["failing"], "path": path})


ONBOARD_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Payout onboarding (local test)</title></head>
<body><main><h1>Set up payouts</h1>
<p>This is the local stand-in for Stripe Express onboarding for account <code>{acct}</code>.</p>
<form method="post"><button type="submit" id="complete-onboarding">Complete onboarding</button>
</form></main></body></html>"""


def _link_for(request) -> dict:
    link = _links.get(request.query.get("link", ""))
    if link is None or link["account"] != request.match_info["acct"]:
        raise UserError(404, "This onboarding link is unknown or expired")
    return link


async def onboarding_page(request):
    _link_for(request)
    return web.Response(text=ONBOARD_PAGE.format(acct=html.escape(request.match_info["acct"])),
                        content_type="text/html")


async def complete_onboarding(request):
    link = _link_for(request)
    Account._api_retrieve(link["account"])._complete_onboarding()
    _links.pop(request.query["link"], None)
    raise web.HTTPSeeOther(link["return_url"])


# --- Stripe.js: PaymentMethods created in the browser with the publishable key -------------

_CARD_ERRORS = (  # what real Stripe.js says about an unusable card element
    ("number", lambda v: re.fullmatch(r"[0-9]{16}", v), "incomplete_number",
     "Your card number is incomplete."),
    ("exp_month", lambda v: re.fullmatch(r"0?[1-9]|1[0-2]", v), "invalid_expiry_month",
     "Your card's expiration month is invalid."),
    ("exp_year", lambda v: re.fullmatch(r"(20)?[0-9]{2}", v), "incomplete_expiry",
     "Your card's expiration date is incomplete."),
    ("cvc", lambda v: re.fullmatch(r"[0-9]{3,4}", v), "incomplete_cvc",
     "Your card's security code is incomplete."),
)


def _card_error(card) -> UserError | None:
    if not isinstance(card, dict):
        return UserError(400, "Your card number is incomplete.",
                         {"type": "card_error", "code": "incomplete_number"})
    for name, valid, code, message in _CARD_ERRORS:
        if not isinstance(card.get(name), str) or not valid(card[name]):
            return UserError(400, message, {"type": "card_error", "code": code,
                                            "param": f"card[{name}]"})
    return None


async def create_payment_method_with_publishable_key(request):
    """POST /v1/payment_methods as Stripe.js sends it (`key=pk_...` in the body instead of a
    secret key): localstripe only accepts secret keys there."""
    data = await ls_server.get_post_data(request, remove_auth=False) or {}
    key = data.pop("key", None)
    for name in ("payment_user_agent", "referrer", "expand"):
        data.pop(name, None)
    if not (isinstance(key, str) and key.startswith("pk_")):
        raise UserError(401, "Unauthorized")
    if data.get("type") == "card":
        error = _card_error(data.get("card"))
        if error is not None:
            raise error
    return _json(PaymentMethod._api_create(**data)._export())


def _publishable_key_call(request) -> bool:
    return (request.method == "POST" and request.path == "/v1/payment_methods"
            and ls_server.get_api_key(request) is None)


STRIPE_JS_PATH = "/js.stripe.com/v3/"
_STRIPE_JS_FILE = Path(localstripe.__file__).resolve().parent / "localstripe-v3.js"
_stripe_js_cache: list[str] = []


def wrapped_stripe_js() -> str:
    """localstripe's fake Stripe.js inside a function scope: its top-level `class Element`
    (and other declarations) would otherwise shadow `window.Element` and break Bootstrap.
    Only `window.Stripe` leaves the wrapper, as with the real Stripe.js. `document.currentScript`
    still works inside (the function runs while the script is being evaluated)."""
    if not _stripe_js_cache:
        original = _STRIPE_JS_FILE.read_text(encoding="utf-8")
        for old, new in _STRIPE_JS_FIXES:
            if original.count(old) != 1:
                raise RuntimeError(f"localstripe-v3.js changed; cannot apply: {old!r}")
            original = original.replace(old, new)
        _stripe_js_cache.append(
            "/* localstripe-v3.js, wrapped by devtools/stripe_server.py so that only "
            "window.Stripe is global. */\n"
            "(function () {\n" + original.rstrip() + "\n\nwindow.Stripe = Stripe;\n})();\n")
    return _stripe_js_cache[0]


# What real Stripe.js does and localstripe's script does not:
# - the card element hands Stripe the digits of the number only: "4242 4242 4242 4242" (as
#   people type it, and as our README writes it) must not reach the API with its spaces
#   (localstripe answers a bare "Bad request" to a 19-character number);
# - `stripe.createPaymentMethod({type: "card", card: element})` creates the PaymentMethod
#   (localstripe ships an empty stub), so the server can charge a card typed on the pay page.
_STRIPE_JS_FIXES = (
    ("number: this._inputs.number.value,",
     "number: this._inputs.number.value.replace(/[\\s-]/g, ''),"),
    ("createPaymentMethod: async () => {},", """createPaymentMethod: async (data) => {
      // Added by devtools/stripe_server.py (real Stripe.js has it; localstripe's is a stub).
      console.log('localstripe: Stripe().createPaymentMethod()');
      const element = data && (data.card || (data.payment_method || {}).card);
      if (!(element instanceof Element) || !element.value) {
        return {error: {type: 'validation_error', code: 'incomplete_number',
                        message: 'Your card number is incomplete.'}};
      }
      try {
        const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods`, {
          method: 'POST',
          body: JSON.stringify({
            key: apiKey,
            type: 'card',
            card: element.value.card,
            billing_details: {
              address: {postal_code: element.value.postal_code},
              ...(data.billing_details || {}),
            },
          }),
        });
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return {error: body.error || {message: 'The card could not be read.'}};
        }
        return {paymentMethod: body};
      } catch (err) {
        return {error: {message: String(err)}};
      }
    },"""),
)


async def stripe_js(request):
    return web.Response(text=wrapped_stripe_js(), content_type="application/javascript")


@web.middleware
async def addon_middleware(request, handler):
    """Runs before localstripe's own middlewares: test-only routes skip its API-key check,
    the failure toggle answers 500 for the API, and a reset clears the add-on's state too."""
    if request.method == "DELETE" and request.path == "/_config/data":
        _links.clear()
        _state.update(failing=False, failing_path=None)
    pattern = _state["failing_path"]
    if _state["failing"] and request.path.startswith("/v1/") and (
            pattern is None or pattern.search(request.path)):
        return _json({"error": {"type": "api_error",
                                "message": "Local Stripe is failing on purpose"}}, status=500)
    if request.path == STRIPE_JS_PATH and request.method in ("GET", "HEAD"):
        return await stripe_js(request)  # instead of localstripe's unwrapped script
    if _publishable_key_call(request):
        try:
            return await create_payment_method_with_publishable_key(request)
        except UserError as exc:
            return exc.to_response()
    if request.path.startswith("/_devtools/"):
        try:
            return await request.match_info.handler(request)
        except UserError as exc:
            return exc.to_response()
    response = await handler(request)
    _after_setup_intent_confirm(request, response)
    return response


def install() -> web.Application:
    """Add the add-on's routes and middleware to localstripe's app (once)."""
    if getattr(app, "_duet_addon", False):
        return app
    app.middlewares.insert(0, addon_middleware)
    router = app.router
    router.add_post("/v1/accounts", create_account)
    router.add_get("/v1/accounts/{id}", retrieve_account)
    router.add_post("/v1/accounts/{id}", update_account)
    router.add_post("/v1/account_links", create_account_link)
    router.add_post("/v1/transfers", create_transfer)
    router.add_get("/v1/transfers", list_transfers)
    router.add_get("/v1/transfers/{id}", retrieve_transfer)
    router.add_post("/v1/transfers/{id}/reversals", create_reversal)
    router.add_get("/v1/transfers/{id}/reversals", list_reversals)
    router.add_get("/v1/disputes/{id}", retrieve_dispute)
    router.add_post("/_devtools/disputes", open_dispute)
    router.add_post("/_devtools/fail", toggle_failure)
    router.add_get("/_devtools/onboard/{acct}", onboarding_page)
    router.add_post("/_devtools/onboard/{acct}", complete_onboarding)
    app._duet_addon = True
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args(argv)
    if bool(args.webhook_url) != bool(args.webhook_secret):
        parser.error("--webhook-url and --webhook-secret go together")
    if args.webhook_url:
        register_webhook("default", args.webhook_url, args.webhook_secret, None)
    install()
    print(f"Local Stripe on http://127.0.0.1:{args.port} ({time.strftime('%H:%M:%S')})",
          flush=True)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
