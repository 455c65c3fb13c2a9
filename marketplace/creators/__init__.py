from flask import Blueprint

bp = Blueprint("creators", __name__, url_prefix="/creators")

from marketplace.creators import routes  # noqa: E402,F401
