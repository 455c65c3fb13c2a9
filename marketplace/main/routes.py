from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.main import bp


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    if current_user.is_admin:
        return render_template("main/admin_dashboard.html")
    return redirect(url_for("main.index"))
