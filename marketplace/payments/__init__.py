from flask import Blueprint

bp = Blueprint("payments", __name__)

from marketplace.payments import cli, hooks, routes  # noqa: E402,F401
