"""The local Stripe answers the real `stripe` library the way the app needs."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.payments.conftest import set_stripe_failing

SECRET = "whsec_devtools_test"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url: str, data: dict | None = None):
    """POST without following redirects; returns (status, headers, body)."""
    body = urllib.parse.urlencode(data or {}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body)) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def paid_intent(api: stripe.StripeClient, amount: int = 10000, card: str = "pm_card_visa"):
    customer = api.v1.customers.create(params={"email": "brand@example.com"})
    setup = api.v1.setup_intents.create(params={"customer": customer.id})
    setup = api.v1.setup_intents.confirm(setup.id, params={"payment_method": card})
    intent = api.v1.payment_intents.create(params={
        "amount": amount, "currency": "usd", "customer": customer.id,
        "payment_method": setup.payment_method, "transfer_group": "deal-7",
        "description": "Deal 7", "metadata": {"deal_id": "7"}})
    return api.v1.payment_intents.confirm(intent.id)


def charge_id(intent) -> str:
    charge = intent.latest_charge
    return charge if isinstance(charge, str) else charge.id


def ready_account(api: stripe.StripeClient, base: str):
    account = api.v1.accounts.create(params={
        "type": "express", "capabilities": {"transfers": {"requested": True}}})
    link = api.v1.account_links.create(params={
        "account": account.id, "type": "account_onboarding",
        "return_url": "http://127.0.0.1:1/back", "refresh_url": "http://127.0.0.1:1/again"})
    status, headers, _ = post_form(link.url)
    assert status == 303 and headers["Location"] == "http://127.0.0.1:1/back"
    return account


def test_card_payment_with_transfer_group_succeeds(stripe_api):
    intent = paid_intent(stripe_api)
    assert intent.status == "succeeded"
    assert intent.transfer_group == "deal-7" and intent.metadata["deal_id"] == "7"
    assert charge_id(intent).startswith("ch_")
    saved = stripe_api.v1.payment_methods.list(params={
        "customer": intent.customer, "type": "card"})
    assert [pm.id for pm in saved.data] == [intent.payment_method]


def test_declined_card_answers_card_declined(stripe_api):
    with pytest.raises(stripe.CardError) as info:
        stripe_api.v1.payment_intents.create(params={
            "amount": 500, "currency": "usd", "payment_method": "pm_card_chargeCustomerFail",
            "confirm": True})
    assert info.value.code == "card_declined"


def test_three_d_secure_card_requires_action(stripe_api):
    card = stripe_api.v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 500, "currency": "usd", "payment_method": card.id})
    assert stripe_api.v1.payment_intents.confirm(intent.id).status == "requires_action"


def test_three_d_secure_setup_attaches_the_card_after_authentication(stripe_api, stripe_server):
    """What the fake Stripe.js does for the 4000 0025 0000 3155 card: confirm the SetupIntent
    with the card (requires_action), then, after "Complete authentication", confirm it again
    without one; the card must end up on the customer (as on Stripe)."""
    customer = stripe_api.v1.customers.create(params={"email": "brand@example.com"})
    setup = stripe_api.v1.setup_intents.create(params={"customer": customer.id})
    confirm = f"{stripe_server}/v1/setup_intents/{setup.id}/confirm"
    status, _, body = post_form(confirm, {
        "key": "pk_test_x", "client_secret": setup.client_secret,
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4000002500003155",
        "payment_method_data[card][exp_month]": "12", "payment_method_data[card][exp_year]": "2034",
        "payment_method_data[card][cvc]": "123"})
    first = json.loads(body)
    assert status == 200 and first["status"] == "requires_action", first
    saved = stripe_api.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert saved.data == []  # not before authentication
    status, _, body = post_form(confirm, {"key": "pk_test_x",
                                          "client_secret": setup.client_secret})
    done = json.loads(body)
    assert status == 200 and done["status"] == "succeeded", done
    saved = stripe_api.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in saved.data] == [first["payment_method"]]
    # The app then charges it: the bank asks again, and authenticating charges the card.
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 500, "currency": "usd", "customer": customer.id,
        "payment_method": first["payment_method"]})
    intent = stripe_api.v1.payment_intents.confirm(intent.id)
    if intent.status == "requires_action":
        status, _, body = post_form(
            f"{stripe_server}/v1/payment_intents/{intent.id}/_authenticate?success=true",
            {"key": "pk_test_x", "client_secret": intent.client_secret})
        assert status == 200, body
    assert stripe_api.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def _top_level_code(js: str) -> str:
    """`js` with everything nested inside braces or parentheses dropped (comments, strings
    and template literals of the script at hand are brace-balanced)."""
    depth, out = 0, []
    for char in js:
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    assert depth == 0
    return "".join(out)


def test_fake_stripe_js_only_exposes_stripe(stripe_server):
    """localstripe's script declares `class Element` at top level, which would shadow the DOM's
    `window.Element` for every script on the pay page; the add-on serves it wrapped."""
    with urllib.request.urlopen(f"{stripe_server}/js.stripe.com/v3/") as answer:
        assert answer.headers["Content-Type"].startswith("application/javascript")
        js = answer.read().decode()
    assert "class Element" in js and "confirmCardSetup" in js  # still localstripe's script
    top = _top_level_code(js)
    assert "class Element" not in top and "const LOCALSTRIPE_BASE_API" not in top
    assert js.rstrip().endswith("window.Stripe = Stripe;\n})();")


def test_onboarding_enables_the_express_account(stripe_api, stripe_server):
    account = stripe_api.v1.accounts.create(params={
        "type": "express", "capabilities": {"transfers": {"requested": True}}})
    assert account.charges_enabled is False
    assert account.capabilities["transfers"] == "inactive"
    link = stripe_api.v1.account_links.create(params={
        "account": account.id, "type": "account_onboarding",
        "return_url": "http://127.0.0.1:1/back", "refresh_url": "http://127.0.0.1:1/again"})
    assert link.url.startswith(f"{stripe_server}/_devtools/onboard/{account.id}")
    with urllib.request.urlopen(link.url) as page:
        assert b"Complete onboarding" in page.read()
    status, headers, _ = post_form(link.url)
    assert status == 303
    account = stripe_api.v1.accounts.retrieve(account.id)
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted
    assert account.capabilities["transfers"] == "active"
    # A used link does not work twice.
    assert post_form(link.url)[0] == 404


def test_transfer_needs_an_onboarded_destination(stripe_api):
    account = stripe_api.v1.accounts.create(params={
        "type": "express", "capabilities": {"transfers": {"requested": True}}})
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.v1.transfers.create(params={
            "amount": 100, "currency": "usd", "destination": account.id})


def test_transfer_retrieve_list_and_reverse(stripe_api, stripe_server):
    intent = paid_intent(stripe_api)
    account = ready_account(stripe_api, stripe_server)
    transfer = stripe_api.v1.transfers.create(params={
        "amount": 9000, "currency": "usd", "destination": account.id,
        "source_transaction": charge_id(intent), "transfer_group": "deal-7",
        "metadata": {"deal_id": "7"}})
    again = stripe_api.v1.transfers.retrieve(transfer.id)
    assert (again.amount, again.destination, again.transfer_group) == (9000, account.id, "deal-7")
    listed = stripe_api.v1.transfers.list(params={"transfer_group": "deal-7"})
    assert [t.id for t in listed.data] == [transfer.id]
    assert stripe_api.v1.transfers.list(params={"transfer_group": "deal-8"}).data == []
    # More than the charge holds is refused.
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.v1.transfers.create(params={
            "amount": 2000, "currency": "usd", "destination": account.id,
            "source_transaction": charge_id(intent)})
    part = stripe_api.v1.transfers.reversals.create(transfer.id, params={"amount": 1000})
    assert part.amount == 1000
    rest = stripe_api.v1.transfers.reversals.create(transfer.id)
    assert rest.amount == 8000
    transfer = stripe_api.v1.transfers.retrieve(transfer.id)
    assert transfer.amount_reversed == 9000 and transfer.reversed is True
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.v1.transfers.reversals.create(transfer.id, params={"amount": 1})


def test_refunds_cannot_exceed_the_charge(stripe_api):
    charge = charge_id(paid_intent(stripe_api))
    assert stripe_api.v1.refunds.create(params={"charge": charge, "amount": 4000}).amount == 4000
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.v1.refunds.create(params={"charge": charge, "amount": 6001})
    assert stripe_api.v1.refunds.create(params={"charge": charge}).amount == 6000
    assert stripe_api.v1.charges.retrieve(charge).amount_refunded == 10000


def test_fail_toggle_and_reset(stripe_api, stripe_server):
    set_stripe_failing(stripe_server, True)
    with pytest.raises(stripe.APIError):
        stripe_api.v1.customers.create()
    set_stripe_failing(stripe_server, False)
    customer = stripe_api.v1.customers.create()
    urllib.request.urlopen(urllib.request.Request(f"{stripe_server}/_config/data",
                                                  method="DELETE"))
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.v1.customers.retrieve(customer.id)


@pytest.fixture
def webhook_inbox(stripe_server):
    """A tiny HTTP server registered as a webhook endpoint; collects (body, signature)."""
    received: list[tuple[bytes, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    assert post_form(f"{stripe_server}/_config/webhooks/devtools-test",
                     {"url": url, "secret": SECRET})[0] == 200
    yield received
    # Point the registration at a filter nobody emits, then stop the receiver.
    post_form(f"{stripe_server}/_config/webhooks/devtools-test",
              {"url": url, "secret": SECRET, "events[]": "none.none"})
    httpd.shutdown()


def _wait_for(received, checks: dict, timeout: float = 6.0) -> dict[str, stripe.Event]:
    """Verify every delivery; return, per event type, the first event its check accepts
    (events from earlier tests may still arrive, so each check names its own object)."""
    deadline = time.monotonic() + timeout
    found: dict[str, stripe.Event] = {}
    while time.monotonic() < deadline and found.keys() != checks.keys():
        for body, signature in list(received):
            event = stripe.Webhook.construct_event(body, signature, SECRET)
            check = checks.get(event.type)
            if check and event.type not in found and check(event.data.object):
                found[event.type] = event
        time.sleep(0.1)
    return found


def test_addon_events_arrive_signed(stripe_api, stripe_server, webhook_inbox):
    intent = paid_intent(stripe_api)
    charge = charge_id(intent)
    account = ready_account(stripe_api, stripe_server)
    transfer = stripe_api.v1.transfers.create(params={
        "amount": 5000, "currency": "usd", "destination": account.id,
        "source_transaction": charge, "transfer_group": "deal-7"})
    stripe_api.v1.transfers.reversals.create(transfer.id, params={"amount": 5000})
    stripe_api.v1.refunds.create(params={"charge": charge})
    status, _, body = post_form(f"{stripe_server}/_devtools/disputes", {"charge": charge})
    assert status == 200 and json.loads(body)["object"] == "dispute"
    checks = {
        "payment_intent.succeeded": lambda obj: obj.id == intent.id,
        "account.updated": lambda obj: obj.id == account.id and obj.charges_enabled,
        "transfer.created": lambda obj: obj.id == transfer.id,
        "transfer.reversed": lambda obj: obj.id == transfer.id and obj.amount_reversed == 5000,
        "charge.refunded": lambda obj: obj.id == charge and obj.amount_refunded == 10000,
        "charge.dispute.created": lambda obj: obj.charge == charge,
    }
    events = _wait_for(webhook_inbox, checks)
    assert events.keys() == checks.keys()
    # Signatures made with another secret do not verify.
    body, signature = webhook_inbox[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_wrong")


# --- What the pay page needs from the local Stripe (issue 9) -----------------------------------

def _browser_post(url: str, body: dict):
    """A POST as the fake Stripe.js sends it: JSON text, no secret key."""
    request = urllib.request.Request(url, data=json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}


def test_stripe_js_creates_payment_methods_with_the_publishable_key(stripe_server):
    url = f"{stripe_server}/v1/payment_methods"
    status, body = _browser_post(url, {"key": "pk_test_x", "type": "card", "card": CARD,
                                       "billing_details": {"address": {"postal_code": "1"}}})
    assert status == 200 and body["id"].startswith("pm_") and body["customer"] is None
    assert body["card"]["last4"] == "4242" and body["card"]["fingerprint"]
    assert _browser_post(url, {"type": "card", "card": CARD})[0] == 401  # no key at all
    assert _browser_post(url, {"key": "sk_nope", "type": "card", "card": CARD})[0] == 401
    for field, value, message in (("number", "4242 4242 4242 4242", "card number is incomplete"),
                                  ("exp_month", "13", "expiration month is invalid"),
                                  ("cvc", "1", "security code is incomplete")):
        status, body = _browser_post(url, {"key": "pk_test_x", "type": "card",
                                           "card": {**CARD, field: value}})
        assert status == 400 and message in body["error"]["message"], body


def test_the_card_element_sends_digits_only_and_create_payment_method_exists(stripe_server):
    """Real Stripe.js strips the spaces people type ("4242 4242 4242 4242"); localstripe's
    element passed them on and the API answered a bare "Bad request"."""
    with urllib.request.urlopen(f"{stripe_server}/js.stripe.com/v3/") as answer:
        js = answer.read().decode()
    assert "number: this._inputs.number.value.replace(/[\\s-]/g, '')," in js
    assert "createPaymentMethod: async (data) => {" in js
    assert "createPaymentMethod: async () => {}," not in js


def test_setup_future_usage_saves_the_card_once_the_payment_succeeds(stripe_api):
    customer = stripe_api.v1.customers.create(params={"email": "brand@example.com"})
    card = stripe_api.v1.payment_methods.create(params={"type": "card", "card": CARD})
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 900, "currency": "usd", "customer": customer.id})
    stripe_api.v1.payment_intents.update(intent.id, params={
        "payment_method": card.id, "setup_future_usage": "off_session"})
    saved = stripe_api.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert saved.data == []  # not before the payment succeeded
    assert stripe_api.v1.payment_intents.confirm(intent.id).status == "succeeded"
    saved = stripe_api.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in saved.data] == [card.id]
    other = stripe_api.v1.payment_methods.create(params={"type": "card", "card": CARD})
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 900, "currency": "usd", "customer": customer.id})
    stripe_api.v1.payment_intents.update(intent.id, params={
        "payment_method": other.id, "setup_future_usage": ""})  # "" unsets it
    stripe_api.v1.payment_intents.confirm(intent.id)
    saved = stripe_api.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in saved.data] == [card.id]


def test_a_new_card_restarts_an_intent_left_waiting_for_three_d_secure(stripe_api):
    three_ds = stripe_api.v1.payment_methods.create(params={"type": "card", "card": {
        **CARD, "number": "4000002500003155"}})
    intent = stripe_api.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    stripe_api.v1.payment_intents.update(intent.id, params={"payment_method": three_ds.id})
    assert stripe_api.v1.payment_intents.confirm(intent.id).status == "requires_action"
    visa = stripe_api.v1.payment_methods.create(params={"type": "card", "card": CARD})
    updated = stripe_api.v1.payment_intents.update(intent.id, params={"payment_method": visa.id})
    assert updated.status == "requires_confirmation"
    assert stripe_api.v1.payment_intents.confirm(intent.id).status == "succeeded"


def test_failures_can_target_one_kind_of_call(stripe_api, stripe_server):
    set_stripe_failing(stripe_server, True, path=r"/confirm$")
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 700, "currency": "usd", "payment_method": "pm_card_visa"})
    with pytest.raises(stripe.APIError):
        stripe_api.v1.payment_intents.confirm(intent.id)
    set_stripe_failing(stripe_server, False)
    assert stripe_api.v1.payment_intents.confirm(intent.id).status == "succeeded"
