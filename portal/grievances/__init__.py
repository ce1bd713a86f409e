"""Grievances: anonymous intake, receipts, follow-up, messages and case management."""

from flask import Blueprint

bp = Blueprint("grievances", __name__, template_folder="templates")

#: Settings of this package (documented in docs/grievances.md); instance config or
#: ``PORTAL_<NAME>`` variables override them.
DEFAULTS = {
    # Deadline clocks (see docs/grievances.md, "Deadlines").
    "GRIEVANCE_ACKNOWLEDGE_HOURS": 48,
    "GRIEVANCE_ACKNOWLEDGE_HOURS_CRITICAL": 24,
    "GRIEVANCE_RESOLVE_DAYS": 30,
    # Rate limits per hashed client address, and across everyone for receipt look-ups.
    "GRIEVANCE_INTAKE_RATE_LIMIT": "5 per minute; 20 per hour",
    # Reports sent back for a missing or wrong field; counted apart from filed reports.
    "GRIEVANCE_INTAKE_REFUSED_RATE_LIMIT": "30 per minute; 200 per hour",
    "GRIEVANCE_LOOKUP_RATE_LIMIT": "10 per minute; 40 per hour",
    "GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT": "300 per minute; 5000 per hour",
    # A Fernet key (Fernet.generate_key()) for call-back contacts; None derives one from
    # SECRET_KEY with HKDF.
    "GRIEVANCE_CONTACT_KEY": None,
    "GRIEVANCES_PER_PAGE": 25,
    # Staff notifications (new-case and overdue digests).
    "MAIL_BACKEND": "log",  # "log", "smtp", or "package.module:callable"
    "MAIL_FROM": "worker-voice@localhost",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT": 10,
    "NOTIFY_EMAILS": [],
}


def init_app(app) -> None:
    """Register configuration defaults, navigation entries, site-page actions and the CLI."""
    from flask_babel import lazy_gettext as _l

    from portal.grievances.cli import digest_command, grievances_cli
    from portal.hooks import NavItem, register_nav, register_site_actions

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_nav(
        app, NavItem("grievances.cases", _l("Cases"), frozenset({"compliance", "monitor"}), 20)
    )
    register_site_actions(app, site_actions)
    app.cli.add_command(grievances_cli)
    app.cli.add_command(digest_command)  # the staff digest: cases and every other section


def site_actions(site):
    from flask import url_for
    from flask_babel import gettext as _

    from portal.hooks import SiteAction

    return [
        SiteAction(
            url=url_for("grievances.submit", code=site.code),
            label=_("Report a problem"),
            description=_("Tell us what happened. You do not need to give your name."),
            order=20,
        ),
        SiteAction(
            url=url_for("grievances.follow_up", code=site.code),
            label=_("Follow up on a report"),
            description=_("Use your receipt number to read the answer and reply."),
            order=21,
        ),
    ]


from portal.grievances import views, views_cases  # noqa: E402,F401
