"""Staff accounts: login, roles, preferences, user administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_login(login_manager) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.services import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flashed messages are stored in the session cookie: translate now, never store lazy strings.
    login_manager.localize_callback = str
    login_manager.session_protection = "basic"


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav
    from portal.security import STAFF

    register_nav(
        app,
        NavItem("accounts.home", _l("Home"), frozenset(STAFF), order=0),
        NavItem("accounts.users", _l("Users"), frozenset({"admin"}), order=80),
        NavItem("accounts.settings", _l("Settings"), frozenset({"admin"}), order=81),
    )


def template_context() -> dict:
    from portal.accounts.services import organisation_name

    return {"organisation_name": organisation_name}


from portal.accounts import views  # noqa: E402,F401
