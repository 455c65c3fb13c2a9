from flask import Blueprint

bp = Blueprint("main", __name__, url_prefix=None)

from marketplace.main import routes  # noqa: E402,F401
