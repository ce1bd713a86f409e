"""Stakeholder engagement beyond surveys: partner organisations, the engagement log,
consultations on draft documents, training feedback, the group × area matrix and the yearly
engagement plan (docs/engagement.md)."""

from flask import Blueprint

# No prefix: staff pages live under /engagement, the public comment page under /s/<code>.
bp = Blueprint("engagement", __name__, template_folder="templates")

#: Settings of this package (documented in docs/engagement.md); instance config or
#: ``PORTAL_<NAME>`` variables override them.
DEFAULTS = {
    # The shipped survey sent to the participants of a training.
    "ENGAGEMENT_TRAINING_SURVEY": "training-feedback",
    # How long a training-feedback campaign stays open.
    "ENGAGEMENT_FEEDBACK_DAYS": 14,
    "ACTIVITIES_PER_PAGE": 25,
    # Anonymous consultation comments a client may send per period.
    "CONSULTATION_COMMENT_RATE_LIMIT": "10 per hour",
}


def init_app(app) -> None:
    """Configuration defaults, navigation, site actions, site-page panel, digest and exports."""
    from flask_babel import lazy_gettext as _l

    from portal.engagement import register
    from portal.exports.services import register_export
    from portal.hooks import (
        NavItem,
        register_digest,
        register_nav,
        register_site_actions,
        register_site_panel,
    )

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_nav(
        app,
        NavItem("engagement.activities", _l("Engagement"),
                frozenset({"compliance", "monitor"}), 30),
        NavItem("engagement.consultations", _l("Consultations"),
                frozenset({"supplier"}), 32),
    )  # fmt: skip
    register_site_actions(app, register.site_actions)
    register_site_panel(app, register.site_panel)
    register_digest(app, register.digest_sections)
    register_export(register.ACTIVITY_EXPORT)
    register_export(register.COMMENT_EXPORT)


from portal.engagement import views, views_consult, views_partners  # noqa: E402,F401
