"""Connected accounts: the creator links TikTok, Instagram or YouTube by OAuth, so Duet can
verify their handle and read their posts' numbers from the platform itself."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, request, session, url_for
from flask_login import current_user

from marketplace.access import creator_required
from marketplace.creators import bp
from marketplace.creators.routes import _needs_profile, my_profile, render_section
from marketplace.forms import EmptyForm, require_button_post
from marketplace.security import CSP, csp_with_form_targets
from marketplace.services.errors import DomainError
from marketplace.services.platforms import accounts

SESSION_KEY = "social_connect"


def _callback_url(platform: str) -> str:
    return url_for("creators.connection_callback", platform=platform, _external=True)


@bp.route("/me/connections")
@creator_required
def connections():
    profile = my_profile()
    if profile is None:
        return _needs_profile()
    response = make_response(render_section("creators/connections.html", profile,
                                            rows=accounts.overview(profile), form=EmptyForm()))
    # The Connect forms are answered by a redirect to the platform's consent page.
    response.headers["Content-Security-Policy"] = csp_with_form_targets(
        current_app.config.get("CSP", CSP), accounts.authorize_bases())
    return response


@bp.route("/me/connections/<platform>/connect", methods=["POST"])
@creator_required
def connect_platform(platform: str):
    if platform not in accounts.PLATFORMS:
        abort(404)
    require_button_post()
    try:
        start = accounts.begin_connect(current_user, platform, _callback_url(platform))
    except DomainError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("creators.connections"))
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), platform: start.nonce}
    return redirect(start.authorize_url)


@bp.route("/me/connections/<platform>/callback")
@creator_required
def connection_callback(platform: str):
    """Where the platform sends the creator back (`redirect_uri`), with a code or an error.

    The one creator GET that writes (OAuth sends the browser back with a GET): instead of a
    CSRF token it is guarded by the signed state naming this user and platform and by the
    nonce kept in this browser's session, spent on the first use."""
    if platform not in accounts.PLATFORMS:
        abort(404)
    nonces = dict(session.get(SESSION_KEY, {}))
    nonce = nonces.pop(platform, None)
    session[SESSION_KEY] = nonces
    try:
        account = accounts.finish_connect(
            current_user, platform, code=request.args.get("code"),
            state=request.args.get("state"), expected_nonce=nonce,
            redirect_uri=_callback_url(platform), error=request.args.get("error"))
    except DomainError as exc:
        flash(exc.message, "warning")
    else:
        flash(f"{accounts.PLATFORM_NAMES[platform]} account @{account.handle} is connected.",
              "success")
    return redirect(url_for("creators.connections"))


@bp.route("/me/connections/<int:account_id>/disconnect", methods=["POST"])
@creator_required
def disconnect_account(account_id: int):
    account = accounts.my_account(current_user, account_id)
    if account is None:
        abort(404)
    require_button_post()
    name = accounts.PLATFORM_NAMES[account.platform]
    if accounts.disconnect(account):
        flash(f"{name} account @{account.handle} is disconnected.", "info")
    else:
        flash(f"{name} account @{account.handle} is disconnected here; {name} did not confirm, "
              f"so you may also remove Duet in your {name} settings.", "warning")
    return redirect(url_for("creators.connections"))
