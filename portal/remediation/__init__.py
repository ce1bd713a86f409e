"""Remediation: corrective action plans (CAPs) from a signal, a case or a questionnaire answer
to a change verified with the site's workers (docs/remediation.md)."""

from flask import Blueprint

bp = Blueprint("remediation", __name__, template_folder="templates", url_prefix="/caps")

#: Settings of this package (documented in docs/remediation.md); instance config or
#: ``PORTAL_<NAME>`` variables override them.
DEFAULTS = {
    # The survey whose questions a pulse survey asks again (its form_id).
    "REMEDIATION_PULSE_SOURCE": "worker-voice",
    # How long a pulse survey stays open.
    "REMEDIATION_PULSE_DAYS": 21,
    "CAPS_PER_PAGE": 25,
    # Days given to a new plan when opened from a signal or a case.
    "CAP_DEFAULT_DAYS": 90,
}


def init_app(app) -> None:
    """Configuration defaults, the staff navigation entry, the digest section and the export."""
    from flask_babel import lazy_gettext as _l

    from portal.exports.services import register_export
    from portal.hooks import NavItem, register_digest, register_nav
    from portal.remediation.register import CAP_EXPORT, digest_sections

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_nav(
        app,
        NavItem(
            "remediation.register",
            _l("Remediation"),
            frozenset({"compliance", "supplier", "monitor"}),
            25,
        ),
    )
    register_digest(app, digest_sections)
    register_export(CAP_EXPORT)


from portal.remediation import views, views_work  # noqa: E402,F401
