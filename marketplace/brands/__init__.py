from flask import Blueprint

bp = Blueprint("brands", __name__, url_prefix="/brands")

from marketplace.brands import routes  # noqa: E402,F401
