"""Suppliers, their sites, site codes and QR posters."""

from flask import Blueprint

bp = Blueprint("suppliers", __name__, template_folder="templates")


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav

    register_nav(
        app,
        NavItem("suppliers.suppliers", _l("Suppliers"), frozenset({"compliance"}), order=10),
        NavItem(
            "suppliers.sites", _l("Sites"), frozenset({"compliance", "supplier", "monitor"}), 11
        ),
    )


from portal.suppliers import views  # noqa: E402,F401
