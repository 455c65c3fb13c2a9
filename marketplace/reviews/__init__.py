"""Reviews after completed deals, and the Jinja helpers profile pages include."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from marketplace.reviews import routes  # noqa: E402,F401
