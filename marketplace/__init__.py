"""Duet: a marketplace where brands hire short-video creators."""

from __future__ import annotations

from flask import Flask

from marketplace import (
    cli,
    config,
    errors,
    impressions,
    models,  # noqa: F401  (every table must be known before migrate)
    read_transactions,
    security,
    templating,
)
from marketplace.admin import bp as admin_bp
from marketplace.auth import bp as auth_bp
from marketplace.auth.loader import load_user
from marketplace.brands import bp as brands_bp
from marketplace.campaigns import bp as campaigns_bp
from marketplace.creators import bp as creators_bp
from marketplace.deals import bp as deals_bp
from marketplace.documents import bp as documents_bp
from marketplace.extensions import (
    bootstrap,
    cache,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
)
from marketplace.jobs.app import celery_init_app
from marketplace.library import bp as library_bp
from marketplace.main import bp as main_bp
from marketplace.matches import bp as matches_bp
from marketplace.matches.commands import matching_group
from marketplace.messages import bp as messages_bp
from marketplace.notifications import bp as notifications_bp
from marketplace.payments import bp as payments_bp
from marketplace.reviews import bp as reviews_bp
from marketplace.services.matching import recommendations

BLUEPRINTS = (main_bp, auth_bp, creators_bp, brands_bp, campaigns_bp, payments_bp, deals_bp,
              messages_bp, notifications_bp, reviews_bp, matches_bp, library_bp, admin_bp,
              documents_bp)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app; `overrides` win over what the environment gives (tests use them)."""
    app = templating.Duet(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(config.INSTANCE))
    settings = config.load()
    if overrides:
        settings.update(overrides)
    app.config.from_mapping(settings)
    register_extensions(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register(app)
    templating.register(app)
    cli.register(app)
    app.cli.add_command(matching_group)
    security.register_security(app)
    read_transactions.register(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    recommendations.init_app(app)
    impressions.init_app(app)
    celery_init_app(app)
