"""Surveys: definitions, expressions, campaigns, anonymous responding, supplier SAQs."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, template_folder="templates")


def init_app(app) -> None:
    """Register navigation entries, site-page actions (see portal.hooks) and the CLI group."""
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav, register_site_actions
    from portal.surveys.views import site_actions

    register_nav(
        app,
        NavItem("surveys.campaigns", _l("Campaigns"), frozenset({"compliance"}), order=15),
        NavItem("surveys.surveys", _l("Surveys"), frozenset({"compliance", "admin"}), order=16),
        NavItem(
            "surveys.saq_index", _l("Questionnaires"), frozenset({"supplier", "compliance"}), 17
        ),
    )
    register_site_actions(app, site_actions)
    from portal.surveys.cli import surveys_cli

    app.cli.add_command(surveys_cli)


from portal.surveys import views, views_library  # noqa: E402,F401
