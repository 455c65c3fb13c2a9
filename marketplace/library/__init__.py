"""The content library: a brand's approved deliverables with their usage rights (and the
campaign ZIP), and the creator's own delivered work."""

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")

from marketplace.library import routes  # noqa: E402,F401
