from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

from marketplace.campaigns import routes  # noqa: E402,F401
