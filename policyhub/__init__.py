"""PolicyHub: rival parties co-writing a shared policy agenda.

``create_app`` is the only place an application is built; importing the package runs nothing.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

__all__ = ["create_app"]

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, CLI."""
    from policyhub import (
        cli, config, db as database, errors, health, outages, pagecache, proxy, ratelimits, request_checks,
        requestlog, security_headers,
    )
    from policyhub.extensions import csrf, db, migrate
    from policyhub.mailing import models as _mail_models  # noqa: F401  (tables known to the metadata)
    from policyhub.permissions import Action, can

    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("POLICYHUB_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load_config(app, test_config)
    proxy.init_app(app)
    requestlog.init_app(app)  # first: every later hook and log record has the request id

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    request_checks.register(app)  # before CSRF, which would otherwise parse the form first
    csrf.init_app(app)
    ratelimits.init_app(app)  # after CSRF: a forged form is refused before it counts
    _init_login(app)
    security_headers.init_app(app)  # after login: see security_headers.init_app
    pagecache.init_app(app)

    from policyhub.accounts import bp as accounts_bp
    from policyhub.admin import bp as admin_bp
    from policyhub.amendments import bp as amendments_bp
    from policyhub.api import bp as api_bp
    from policyhub.documents import bp as documents_bp
    from policyhub.endorsements import bp as endorsements_bp
    from policyhub.mailing.views import bp as mailing_bp
    from policyhub.notifications import bp as notifications_bp
    from policyhub.parties import bp as parties_bp
    from policyhub.search import bp as search_bp

    for blueprint in (documents_bp, amendments_bp, endorsements_bp, notifications_bp, search_bp, accounts_bp,
                      parties_bp, admin_bp, api_bp, mailing_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # token-authenticated; the API never reads the session cookie

    errors.register_error_handlers(app)
    outages.init_app(app)
    health.init_app(app)
    cli.register(app)
    from policyhub.search import services as search
    search.init_app(app)  # index jobs are applied after each request that committed some
    app.jinja_env.globals.update(can=can, Action=Action)
    from policyhub import i18n, templating
    templating.register(app)
    i18n.init_app(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from policyhub.accounts.models import User
    from policyhub.accounts.services import user_for_session_id
    from policyhub.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # Sessions and remember-me cookies name "<id>.<session_version>" (User.get_id): signing out,
        # changing or resetting the password raises the version and so ends every one of them.
        return user_for_session_id(user_id)
