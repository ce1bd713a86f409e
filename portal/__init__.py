"""Worker Voice Portal: ``create_app`` builds the application; nothing happens on import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Configuration → extensions → blueprints → CLI. No database writes, no network."""
    # PORTAL_INSTANCE_PATH moves config, database, secret key and uploads out of the checkout.
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    _configure(app, test_config)
    from portal import errors, i18n, security

    app.request_class = security.PortalRequest
    app.url_value_preprocessor(security.refuse_nul_in_path)
    if app.config["TRUSTED_PROXIES"]:
        # Client address and scheme from the proxy's headers: rate limits key on the address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from portal.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    babel.init_app(app, locale_selector=i18n.select_locale)
    from portal.serving import SealedCookieSessions

    app.session_interface = SealedCookieSessions()
    login_manager.init_app(app)
    # Access is checked before CSRF so that an unauthorised POST is a plain 403.
    app.before_request(security.check_access)
    csrf.init_app(app)
    from portal import limits

    app.config.setdefault("RATELIMIT_ON_BREACH_CALLBACK", limits.on_breach)
    limiter.init_app(app)
    compress.init_app(app)
    app.after_request(security.set_security_headers)
    app.context_processor(i18n.template_context)
    errors.register(app)

    from portal import (
        accounts,
        dashboard,
        engagement,
        exports,
        grievances,
        hooks,
        public,
        remediation,
        reports,
        suppliers,
        surveys,
    )
    from portal.risk import models as _risk_models  # noqa: F401 (tables for migrations)

    # Each capability registers its blueprint, its staff navigation and site-page actions.
    for package in (
        accounts,
        public,
        suppliers,
        surveys,
        grievances,
        remediation,
        engagement,
        dashboard,
        exports,
        reports,
    ):
        app.register_blueprint(package.bp)
        if hasattr(package, "init_app"):
            package.init_app(app)
    hooks.register_digest(app, limits.digest_sections)
    accounts.init_login(login_manager)
    app.context_processor(accounts.template_context)
    app.context_processor(lambda: {"staff_nav": hooks.nav_for, "site_panels": hooks.site_panels})

    from portal.cli import register_cli

    register_cli(app)
    security.drop_client_addresses_from_server_logs()
    return app


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_object("portal.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    for name in ("DATABASE_URL", "RATELIMIT_STORAGE_URI"):
        if os.environ.get(name):
            key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
            app.config[key] = os.environ[name]
    if test_config:
        app.config.update(test_config)

    from portal.config import load_or_create_secret_key, normalise_database_url

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + str(Path(app.instance_path) / "portal.sqlite3")
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
