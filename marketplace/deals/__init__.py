from flask import Blueprint

# No url_prefix: the deals area spans /deals/..., /campaigns/<id>/apply|applicants and
# /admin/disputes.
bp = Blueprint("deals", __name__)

from marketplace.deals import routes  # noqa: E402,F401
