"""The staff digest: cases not yet announced, cases past a deadline, and the sections other
capabilities register (``portal.hooks.register_digest``: overdue corrective action plans,
engagement targets past their date...).

New cases are announced in a digest, not the moment they arrive: a mail stamped with the minute
of submission would record, outside the database, a time more precise than the day we promise
to keep (see docs/grievances.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.grievances import labels, mail, queries, services


@dataclass
class DigestResult:
    new_cases: int = 0
    overdue_cases: int = 0
    recipients: set[str] = field(default_factory=set)
    #: Items in the other capabilities' sections, by section title.
    other: dict[str, int] = field(default_factory=dict)


def _case_line(grievance, reason: str | None = None) -> str:
    where = grievance.site.name if grievance.site else _("not linked to a site")
    category = labels.CATEGORY_LABELS[grievance.category]
    status = labels.STATUS_LABELS[grievance.status]
    received = grievance.received_on.isoformat()
    line = f"#{grievance.id} · {received} · {where} · {category} · {status}"
    if reason == "acknowledge":
        line += " · " + _("not acknowledged in time")
    elif reason == "resolve":
        line += " · " + _("not resolved in time")
    return line + "\n    " + _case_url(grievance)


def _case_url(grievance) -> str:
    return url_for("grievances.case", case_id=grievance.id, _external=True)


def send_digest(*, new: bool = True, overdue: bool = True, dry_run: bool = False) -> DigestResult:
    """Mail NOTIFY_EMAILS the new and the overdue cases and every registered section, and each
    handler or owner their own overdue items."""
    from portal.hooks import digest_sections

    result = DigestResult()
    team = list(current_app.config["NOTIFY_EMAILS"] or [])
    # Links need a host: PUBLIC_BASE_URL when set (the CLI has no request to take it from).
    base_url = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    with (
        current_app.test_request_context(base_url=base_url),
        force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]),
    ):
        sections = []
        announced = queries.cases_to_announce() if new else []
        if announced:
            sections.append(
                _("New cases") + "\n" + "\n".join(_case_line(case) for case in announced)
            )
        late = queries.overdue_cases() if overdue else []
        by_handler = defaultdict(list)
        lines = []
        for case in late:
            line = _case_line(case, services.overdue_reason(case))
            lines.append(line)
            if case.assignee is not None and case.assignee.active:
                by_handler[case.assignee.email].append(line)
        if lines:
            sections.append(_("Overdue cases") + "\n" + "\n".join(lines))
        personal = {email: [_("Overdue cases") + "\n" + "\n".join(items)]
                    for email, items in by_handler.items()}  # fmt: skip
        others = digest_sections() if overdue else []
        for section in others:
            sections.append(section.title + "\n" + "\n".join(section.lines))
            result.other[section.title] = len(section.lines)
            for email, items in section.personal.items():
                personal.setdefault(email, []).append(section.title + "\n" + "\n".join(items))
        result.new_cases, result.overdue_cases = len(announced), len(late)
        if dry_run:
            return result
        if sections and team:
            mail.send(team, _("Staff digest"), "\n\n".join(sections) + "\n")
            result.recipients.update(team)
            for section in others:
                if section.sent is not None:
                    section.sent()
        for email, parts in personal.items():
            if email in team:
                continue
            mail.send([email], _("Your overdue items"), "\n\n".join(parts) + "\n")
            result.recipients.add(email)
        if announced and team:
            services.mark_notified(announced)
    return result
