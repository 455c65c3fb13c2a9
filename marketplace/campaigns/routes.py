from marketplace.campaigns import bp


@bp.route("/")
def index():
    return "campaigns"


@bp.route("/mine")
def mine():
    return "mine"
