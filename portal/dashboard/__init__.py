"""Compliance risk dashboard: overview, heatmap, site and indicator pages, engagement matrix.

Every number shown here comes from ``portal.risk.signals.site_signals`` (which applies the
small-group suppression for the viewer) or from the rollups (``RiskCell``, ``ResponseCount``);
no request reads the answers themselves."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates", url_prefix="/dashboard")


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav

    register_nav(
        app,
        NavItem("dashboard.overview", _l("Risk"), frozenset({"compliance", "monitor", "supplier"}),
                order=5),
    )  # fmt: skip


from portal.dashboard import views  # noqa: E402,F401
