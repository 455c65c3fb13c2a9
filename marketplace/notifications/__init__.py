"""In-app notifications, e-mail preferences, and the development mail outbox."""

from flask import Blueprint

from marketplace.services.messaging import notifications
from marketplace.signals import deal_event

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
deal_event.connect(notifications.on_deal_event)

from marketplace.notifications import routes  # noqa: E402,F401
