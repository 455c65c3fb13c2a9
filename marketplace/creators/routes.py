from marketplace.creators import bp


@bp.route("/")
def index():
    return "creators"


@bp.route("/me/profile")
def edit_profile():
    return "edit"


@bp.route("/me/packages")
def packages():
    return "packages"
