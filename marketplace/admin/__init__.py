"""Admin pages: the job queue's dead letters (failed jobs) with a retry button. Everyone but
an admin gets 404, as if the pages did not exist."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


from marketplace.admin import routes  # noqa: E402,F401  (registers the routes)
