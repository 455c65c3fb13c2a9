"""In-app notifications, e-mail preferences, and the development mail outbox; opening a page
marks the notifications that point at it read."""

import logging

from flask import Blueprint, g, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from marketplace.extensions import db
from marketplace.services.messaging import notifications
from marketplace.signals import deal_event

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
deal_event.connect(notifications.on_deal_event)
log = logging.getLogger(__name__)


@bp.after_app_request
def mark_page_notifications_read(response):
    """The one write a GET makes, on purpose: a page the person has now seen answers the
    notifications that sent them there. Only for successful HTML pages of a logged-in user,
    and skipped (no query at all) when the navbar's count found none pointing here."""
    if (request.method != "GET" or response.status_code != 200
            or response.mimetype != "text/html" or not current_user.is_authenticated):
        return response
    counts = g.get("nav_counts")
    if counts is not None and not counts.get("here"):
        return response
    try:
        notifications.mark_read_for_page(current_user, request.path)
    except SQLAlchemyError:  # never turn a page that rendered into an error
        db.session.rollback()
        log.exception("could not mark notifications read for %s", request.path)
    return response


from marketplace.notifications import routes  # noqa: E402,F401
