"""Messages between a brand and a creator. Negotiation steps appear in the thread as system
lines; deal steps do not (they are on the deal page's timeline and in notifications)."""

from flask import Blueprint

from marketplace.services.messaging import conversations as messaging
from marketplace.signals import deal_event

bp = Blueprint("messages", __name__, url_prefix="/messages")
deal_event.connect(messaging.on_deal_event)

from marketplace.messages import routes  # noqa: E402,F401
