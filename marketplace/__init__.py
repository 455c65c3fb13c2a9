"""Duet: a marketplace where brands hire short-video creators."""

from __future__ import annotations

from flask import Flask

from marketplace import config as config_module
from marketplace.extensions import bootstrap, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides what the environment gives (tests use it)."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(config_module.INSTANCE))
    settings = config_module.load()
    if config:
        settings.update(config)
    app.config.from_mapping(settings)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    from marketplace.security import register_security

    register_security(app)
    return app


def register_extensions(app: Flask) -> None:
    from marketplace import models  # noqa: F401  (tables must be known before migrate)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    from marketplace.extensions import mail

    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    from marketplace.auth.loader import load_user

    login_manager.user_loader(load_user)

    from marketplace.services import recommendations

    recommendations.init_app(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.auth import bp as auth_bp
    from marketplace.brands import bp as brands_bp
    from marketplace.campaigns import bp as campaigns_bp
    from marketplace.creators import bp as creators_bp
    from marketplace.main import bp as main_bp
    from marketplace.payments import bp as payments_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(creators_bp)
    app.register_blueprint(brands_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(payments_bp)
    from marketplace.deals import bp as deals_bp

    app.register_blueprint(deals_bp)
    from marketplace.messages import bp as messages_bp
    from marketplace.notifications import bp as notifications_bp
    from marketplace.reviews import bp as reviews_bp

    app.register_blueprint(messages_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reviews_bp)
    from marketplace.matches import bp as matches_bp

    app.register_blueprint(matches_bp)


def register_errorhandlers(app: Flask) -> None:
    from marketplace.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from marketplace.cli import register
    from marketplace.matches.commands import matching_group

    register(app)
    app.cli.add_command(matching_group)
