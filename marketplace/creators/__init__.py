from flask import Blueprint

bp = Blueprint("creators", __name__, url_prefix="/creators")

# routes: own profile sections; packages: rate card; public: /creators/<handle> and
# /creators/media/<name>; discovery: the /creators/ list (endpoint creators.index).
from marketplace.creators import discovery, packages, public, routes  # noqa: E402,F401
