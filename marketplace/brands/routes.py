from marketplace.brands import bp


@bp.route("/me/profile")
def edit_profile():
    return "edit"
