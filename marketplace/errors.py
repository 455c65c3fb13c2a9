"""HTML error pages for people, JSON for /api; domain errors become 4xx, never 500."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from marketplace.extensions import db
from marketplace.services.errors import DomainError

TITLES = {
    400: "Bad request", 403: "Not allowed", 404: "Page not found", 405: "Not allowed here",
    409: "Conflict", 413: "File too large", 429: "Too many attempts", 500: "Something went wrong",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str | None = None):
    title = TITLES.get(status, "Error")
    if wants_json():
        return jsonify(error=title, message=message or title), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description if exc.code != 404 else None)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "Your form expired or was not sent from this site. "
                                   "Reload the page and try again.")

    @app.errorhandler(429)
    def too_many(exc):
        message = "Too many attempts. Please wait a minute and try again."
        if request.endpoint == "auth.login" and not wants_json():
            flash(message, "danger")
            return render_template("errors/error.html", status=429, title=TITLES[429],
                                   message=message), 429
        return error_response(429, message)

    @app.errorhandler(413)
    def too_large(exc):
        return error_response(413, "That upload is too large.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return error_response(exc.status_code, exc.message)
        flash(exc.message, "danger")
        return redirect(request.referrer or url_for("main.index"))

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return error_response(500, "We have been told and are looking at it.")
