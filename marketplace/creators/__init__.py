from flask import Blueprint

bp = Blueprint("creators", __name__, url_prefix="/creators")

# routes: own profile sections; connections: accounts connected by OAuth; packages: rate card;
# public: /creators/<handle> and /creators/media/<name>; discovery: the /creators/ list
# (endpoint creators.index).
from marketplace.creators import connections, discovery, packages, public, routes  # noqa: E402,F401,I001
