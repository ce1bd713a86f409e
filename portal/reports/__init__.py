"""Accountability outputs (docs/reports.md): the public report with its PDF and frozen
versions, partners' comments on drafts, the UNGP 31 effectiveness page, the CTPAT / UFLPA
evidence pack and the industry benchmark file."""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

#: Settings of this package (documented in docs/reports.md); instance config or
#: ``PORTAL_<NAME>`` variables override them.
DEFAULTS = {
    # Build evidence packs in a background thread (False: within the request, for tests and
    # single-threaded servers).
    "REPORTS_PACK_IN_BACKGROUND": True,
}


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav
    from portal.reports.cli import reports_cli

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_nav(app, NavItem("reports.index", _l("Reports"),
                              frozenset({"compliance", "monitor"}), 60))  # fmt: skip
    app.cli.add_command(reports_cli)


from portal.reports import views, views_packs, views_public  # noqa: E402,F401
