from flask import Blueprint

bp = Blueprint("payments", __name__)

from marketplace.payments import (  # noqa: E402,F401
    bonus_pages,
    cli,
    earnings_pages,
    hooks,
    routes,
    statements,
)
from marketplace.services.payments import fee_breakdown  # noqa: E402

# Offer and deal pages show what the brand pays and what the creator nets before agreeing.
bp.add_app_template_global(fee_breakdown, "fee_breakdown")
