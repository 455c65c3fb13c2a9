"""Ranked, explained matches: a campaign's top creators, a creator's campaigns for you."""

from flask import Blueprint

bp = Blueprint("matches", __name__)

from marketplace.matches import commands, routes  # noqa: E402,F401
