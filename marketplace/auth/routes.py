from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth import bp
from marketplace.auth.forms import ChangeEmailForm, ChangePasswordForm, LoginForm, SignupForm
from marketplace.extensions import limiter
from marketplace.forms import EmptyForm, apply_domain_error
from marketplace.models import Role
from marketplace.services.accounts import users as accounts
from marketplace.services.errors import DomainError


def safe_next(default: str) -> str:
    """Follow ?next= only to a path on this site (no scheme, no host, no '//' tricks)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target or parts.scheme or parts.netloc or not target.startswith("/") \
            or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignupForm()
    if request.method == "GET" and request.args.get("role") in ("brand", "creator"):
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, Role(form.role.data))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            login_user(user)
            flash("Welcome to Duet! Start by setting up your profile.", "success")
            endpoint = "creators.edit_profile" if user.is_creator else "brands.edit_profile"
            return redirect(url_for(endpoint))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            login_user(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(safe_next(url_for("main.dashboard")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    password_form = ChangePasswordForm(prefix="pw")
    email_form = ChangeEmailForm(prefix="em")
    if password_form.submit.data and password_form.validate_on_submit():
        try:
            accounts.change_password(current_user, password_form.current_password.data,
                                     password_form.new_password.data)
        except DomainError as exc:
            apply_domain_error(password_form, exc, default="current_password")
        else:
            login_user(current_user._get_current_object())  # session id carries the new token
            flash("Your password was changed.", "success")
            return redirect(url_for("auth.settings"))
    elif email_form.submit.data and email_form.validate_on_submit():
        try:
            accounts.change_email(current_user, email_form.password.data, email_form.email.data)
        except DomainError as exc:
            apply_domain_error(email_form, exc)
        else:
            flash("Your email was changed.", "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", password_form=password_form,
                           email_form=email_form)
