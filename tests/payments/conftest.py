"""One local Stripe (localstripe + our add-on) per test session, emptied before each test."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
import stripe

from devtools.stripe_process import start_stripe_server


@pytest.fixture(scope="session")
def stripe_base():
    base, stop = start_stripe_server()
    yield base
    stop()


def reset_stripe(base: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{base}/_config/data", method="DELETE"))


def set_stripe_failing(base: str, on: bool, path: str = "") -> None:
    """While on, the local Stripe answers 500 to every API call (or to those whose path
    matches the regular expression `path`)."""
    body = urllib.parse.urlencode({"on": "true" if on else "false", "path": path}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{base}/_devtools/fail", data=body))


@pytest.fixture
def stripe_server(stripe_base):
    """The local Stripe's base address, with no objects left from earlier tests."""
    reset_stripe(stripe_base)
    yield stripe_base
    set_stripe_failing(stripe_base, False)


@pytest.fixture
def stripe_api(stripe_server) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_x", base_addresses={"api": stripe_server},
                               max_network_retries=0)


@pytest.fixture
def app(make_app, stripe_server):
    """The app pointed at the local Stripe (overrides the root conftest's `app`)."""
    return make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                    STRIPE_JS_URL=f"{stripe_server}/js.stripe.com/v3/",
                    STRIPE_WEBHOOK_SECRET="whsec_duet_test", BRAND_FEE_BPS=500,
                    CREATOR_FEE_BPS=1000, MAIL_SUPPRESS_SEND=True)
