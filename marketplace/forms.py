"""Form helpers shared by every blueprint."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm

from marketplace.services.errors import DomainError


class EmptyForm(FlaskForm):
    """CSRF protection for POST-only buttons (publish, delete, log out)."""


def require_button_post() -> None:
    """400 unless this is a POST of a button form with a valid CSRF token (`EmptyForm`), for
    the views that must not act on anything else."""
    if not EmptyForm().validate_on_submit():
        abort(400)


def form_status(form: FlaskForm) -> int:
    """400 when a submitted form was refused (its errors are shown on the page), else 200:
    hostile or mistyped input is answered with a 4xx, never with a 200 that looks fine."""
    return 400 if form.is_submitted() and form.errors else 200


def apply_domain_error(form: FlaskForm, exc: DomainError, default: str | None = None) -> None:
    """Show a service's refusal next to the field it names (or the form's first field)."""
    name = exc.field if exc.field and exc.field in form._fields else default
    if name is None:
        name = next(iter(form._fields))
    field = form._fields[name]
    field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
