"""What the plans give the shared pieces: the CAP register export and the digest section."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.exports.dictionary import Column
from portal.exports.services import ExportInfo, Options, Prepared
from portal.extensions import db
from portal.hooks import DigestSection
from portal.remediation import queries
from portal.remediation.models import CorrectiveActionPlan
from portal.remediation.services import today
from portal.suppliers.models import Site

COLUMNS = (
    Column("cap", _l("Number of the corrective action plan (as on its page)."), "integer"),
    Column("title", _l("Title of the plan."), "text"),
    Column("site_code", _l("Public site code of the facility."), "code"),
    Column("site_name", _l("Name of the facility."), "text"),
    Column("country", _l("Country of the facility (ISO 3166-1 alpha-2)."), "code"),
    Column("supplier", _l("Name of the supplier that runs the facility."), "text"),
    Column("status", _l("draft, agreed, in_progress, awaiting_verification, verified or "
                        "closed_unverified."), "code"),
    Column("severity", _l("critical, major or minor."), "code"),
    Column("indicators", _l("Risk indicators the plan's findings name, separated by spaces."),
           "code"),
    Column("sources", _l("Where the findings came from (signal, grievance, saq, activity, "
                         "manual), separated by spaces."), "code"),
    Column("opened_on", _l("Day the plan was opened (UTC)."), "date"),
    Column("due_on", _l("Day the whole plan is due."), "date"),
    Column("overdue", _l("Whether the open plan, or one of its agreed actions, is past its due "
                         "date on the day of the export."), "yes/no"),
    Column("actions", _l("Number of accepted actions."), "integer"),
    Column("actions_done", _l("Number of accepted actions done."), "integer"),
    Column("agreed_on", _l("Day the plan was agreed."), "date"),
    Column("verified_on", _l("Day the plan was verified."), "date"),
    Column("closed_on", _l("Day the plan was verified or closed."), "date"),
    Column("remedy_amount", _l("Total remedy paid to workers (for example fees repaid)."),
           "number"),
    Column("remedy_currency", _l("Currency of the remedy (ISO 4217)."), "code"),
    Column("remedy_workers", _l("Number of workers remedied."), "integer"),
    Column("pulse_survey", _l("Whether a pulse survey of the site's workers was run."),
           "yes/no"),
    Column("verified_while_high", _l("Whether the plan was verified while workers' score for "
                                     "one of its indicators was still high or critical."),
           "yes/no"),
    Column("summary", _l("What must change (only with free text)."), "text"),
    Column("root_cause", _l("The root cause (only with free text)."), "text"),
    Column("closing_note", _l("The verification statement or why the plan was closed (only "
                              "with free text)."), "text"),
)  # fmt: skip
FREE_TEXT = ("summary", "root_cause", "closing_note")


def _notes() -> list[str]:
    return [
        _("The register holds what the plans say, never a worker's words or a count of "
          "answers: the before/after comparison stays on each plan's page, behind the "
          "suppression rules."),
    ]  # fmt: skip


def prepare_caps(options: Options) -> Prepared:
    columns = tuple(c for c in COLUMNS if options.free_text or c.name not in FREE_TEXT)
    day = today()

    def rows():
        stmt = (
            queries.visible(options.user)
            .options(
                selectinload(CorrectiveActionPlan.site).selectinload(Site.supplier),
                selectinload(CorrectiveActionPlan.findings),
                selectinload(CorrectiveActionPlan.actions),
            )
            .order_by(CorrectiveActionPlan.id)
            .execution_options(yield_per=options.batch_size)
        )
        for cap in db.session.scalars(stmt):
            accepted = [a for a in cap.actions if a.state == "accepted"]
            row = [
                cap.id, cap.title, cap.site.code, cap.site.name, cap.site.country,
                cap.site.supplier.name, cap.status, cap.severity, " ".join(cap.indicators),
                " ".join(sorted({f.source for f in cap.findings})), cap.created_at.date(),
                cap.due_on, queries.is_overdue(cap, day), len(accepted),
                sum(a.status == "done" for a in accepted), cap.agreed_on, cap.verified_on,
                cap.closed_on, float(cap.remedy_amount) if cap.remedy_amount is not None
                else None, cap.remedy_currency, cap.remedy_workers,
                cap.pulse_campaign_id is not None, cap.contradiction,
            ]  # fmt: skip
            if options.free_text:
                row += [cap.summary, cap.root_cause, cap.closing_note]
            yield row

    return Prepared("caps", columns, rows(), notes=_notes)


CAP_EXPORT = ExportInfo(
    "caps",
    _l("Corrective action plans"),
    _l("The CAP register: site, supplier, status, severity, indicators, due dates, actions "
       "done, remedy paid and verification. Without the plans' texts unless you ask for them."),
    prepare=prepare_caps,
    columns=COLUMNS,
    notes=_notes,
    free_text=True,
)  # fmt: skip


def digest_sections():
    """Overdue plans and actions for the team; each supplier account gets its own sites'."""
    from portal.accounts.models import User

    day = today()
    late = queries.overdue_plans(day)
    if not late:
        return []
    lines, personal = [], defaultdict(list)
    suppliers = defaultdict(list)
    for user in db.session.scalars(
        select(User).where(User.role == "supplier", User.active.is_(True))
    ):
        suppliers[user.supplier_id].append(user.email)
    for cap in late:
        actions = queries.overdue_actions(cap, day)
        line = _("#%(id)s %(title)s, %(site)s (%(supplier)s): due %(due)s, overdue actions: "
                 "%(count)s", id=cap.id, title=cap.title, site=cap.site.name,
                 supplier=cap.site.supplier.name, due=cap.due_on.isoformat(),
                 count=len(actions))  # fmt: skip
        lines.append(line)
        for email in suppliers.get(cap.site.supplier_id, []):
            personal[email].append(line)
    return [DigestSection(_("Overdue corrective action plans"), lines, dict(personal))]
