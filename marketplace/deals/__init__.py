"""The deals area's pages: applications, offers, deals, the admin dispute queue."""

from flask import Blueprint

# No url_prefix: the deals area spans /deals/..., /campaigns/<id>/apply|applicants and
# /admin/disputes.
bp = Blueprint("deals", __name__)

from marketplace.deals import (  # noqa: E402,F401  (the views register on bp)
    applications,
    deal_pages,
    disputes,
    late,
    offers,
    posts,
    usage_codes,
)
