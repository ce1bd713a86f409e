"""Writes for grievances: intake, the reporter's replies, and every staff action (audited)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.grievances import receipts
from portal.grievances.models import (
    CATEGORY_INDICATORS,
    INDICATORS,
    OPEN_STATUSES,
    REPORTER_GROUPS,
    SATISFACTION,
    SEVERITIES,
    STATUSES,
    Grievance,
    GrievanceMessage,
)

#: Allowed moves. Open cases move forward (steps may be skipped) or end as rejected/duplicate;
#: resolved, closed, rejected and duplicate cases can be reopened for investigation.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "investigating", "rejected", "duplicate"),
    "acknowledged": ("investigating", "action_planned", "resolved", "rejected", "duplicate"),
    "investigating": ("action_planned", "resolved", "rejected", "duplicate"),
    "action_planned": ("investigating", "resolved", "rejected", "duplicate"),
    "resolved": ("closed", "investigating"),
    "closed": ("investigating",),
    "rejected": ("investigating",),
    "duplicate": ("investigating",),
}
NEEDS_REASON = frozenset({"rejected", "duplicate"})

MAX_DESCRIPTION = 5000
MAX_MESSAGE = 5000


class GrievanceError(ValueError):
    """A request the workflow does not allow (the view turns it into a form error)."""


# --- time ----------------------------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def today() -> date:
    return utcnow().date()


def truncate_to_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def deadlines(clock_started_at: datetime, severity: str | None) -> tuple[datetime, datetime]:
    """(acknowledge by, resolve by) for a case whose clock started at ``clock_started_at``."""
    config = current_app.config
    hours = (
        config["GRIEVANCE_ACKNOWLEDGE_HOURS_CRITICAL"]
        if severity == "critical"
        else config["GRIEVANCE_ACKNOWLEDGE_HOURS"]
    )
    start = as_utc(clock_started_at)
    return (
        start + timedelta(hours=int(hours)),
        start + timedelta(days=int(config["GRIEVANCE_RESOLVE_DAYS"])),
    )


def overdue_reason(grievance: Grievance, now: datetime | None = None) -> str | None:
    """``acknowledge`` or ``resolve`` when a deadline has passed, else None."""
    now = now or utcnow()
    if grievance.status == "new" and as_utc(grievance.acknowledge_due_at) < now:
        return "acknowledge"
    if grievance.status in OPEN_STATUSES and as_utc(grievance.resolve_due_at) < now:
        return "resolve"
    return None


# --- text hygiene --------------------------------------------------------------------------


#: Format characters that are spelling, not formatting: the zero-width non-joiner and joiner
#: shape Urdu, Persian, Bengali, Hindi and Nepali words, and the direction marks keep mixed
#: Arabic-script and Latin text readable. Other controls and format characters go.
KEPT_FORMAT_CHARACTERS = "\n\t\u200c\u200d\u200e\u200f"


def clean_text(value: str | None, limit: int) -> str:
    """Drop control and format characters (except those above), trim, cap the length."""
    text = "".join(
        char
        for char in (value or "")
        if char in KEPT_FORMAT_CHARACTERS or not unicodedata.category(char).startswith("C")
    )
    return text.strip()[:limit]


def meaningful_characters(text: str) -> int:
    """Letters, digits and combining marks (Burmese and Indic vowels are marks)."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LNM")


def looks_like_words(text: str, minimum: int = 10) -> bool:
    """Enough real characters, and not one key held down."""
    meaningful = [char for char in text if unicodedata.category(char)[0] in "LNM"]
    return len(meaningful) >= minimum and len(set(meaningful)) >= 4


# --- intake --------------------------------------------------------------------------------


@dataclass
class IntakeData:
    reporter: str
    category: str
    description: str
    language: str
    site_id: int | None = None
    reported_place: str | None = None
    occurred_when: str | None = None
    occurred_where: str | None = None
    others_affected: str | None = None
    contact: str | None = None


def create_grievance(data: IntakeData, *, attempts: int = 5) -> tuple[Grievance, str]:
    """Store a new case and its acknowledgement; return it with the receipt (never stored)."""
    if data.reporter not in REPORTER_GROUPS:
        raise GrievanceError(f"unknown reporter {data.reporter!r}")
    if data.category not in CATEGORY_INDICATORS:
        raise GrievanceError(f"unknown category {data.category!r}")
    if data.site_id is None and not (data.reported_place or "").strip():
        raise GrievanceError("a case needs a site or a place")
    now = utcnow()
    clock = truncate_to_hour(now)
    acknowledge_by, resolve_by = deadlines(clock, None)
    indicator = CATEGORY_INDICATORS[data.category]
    for _attempt in range(attempts):
        receipt = receipts.new_receipt()
        grievance = Grievance(
            site_id=data.site_id,
            reported_place=data.reported_place or None,
            reporter=data.reporter,
            stakeholder_group=REPORTER_GROUPS[data.reporter],
            category=data.category,
            description=data.description,
            occurred_when=data.occurred_when or None,
            occurred_where=data.occurred_where or None,
            others_affected=data.others_affected or None,
            contact_encrypted=receipts.encrypt_contact(data.contact) if data.contact else None,
            language=data.language,
            receipt_hmac=receipts.receipt_hmac(receipt),
            received_on=now.date(),
            clock_started_at=clock,
            acknowledge_due_at=acknowledge_by,
            resolve_due_at=resolve_by,
            status="new",
            status_changed_on=now.date(),
            indicators=[indicator] if indicator else [],
        )
        try:
            with db.session.begin_nested():
                db.session.add(grievance)
        except IntegrityError:
            continue  # a receipt collision (about 1 in 10^19): draw again
        with force_locale(data.language):
            acknowledgement = _(
                "Thank you. Your report has been received and will be read by the compliance "
                "team. Come back with your receipt number to read answers and to add "
                "information. Nobody here knows who you are."
            )
        grievance.messages.append(
            GrievanceMessage(author="system", body=acknowledgement, created_on=now.date())
        )
        db.session.commit()
        return grievance, receipt
    raise RuntimeError("could not draw a free receipt")


# --- the reporter ------------------------------------------------------------------------


def add_reporter_message(grievance: Grievance, body: str) -> bool:
    """Append the reporter's reply; False when it repeats their last message (a resent form)."""
    body = clean_text(body, MAX_MESSAGE)
    if not body:
        raise GrievanceError("empty message")
    last = next((m for m in reversed(grievance.messages) if m.author == "reporter"), None)
    if last is not None and last.body == body:
        return False
    grievance.messages.append(GrievanceMessage(author="reporter", body=body, created_on=today()))
    db.session.commit()
    return True


def record_satisfaction(grievance: Grievance, value: str) -> None:
    if value not in SATISFACTION:
        raise GrievanceError(f"unknown answer {value!r}")
    if grievance.status not in ("resolved", "closed"):
        raise GrievanceError("the case is not finished")
    grievance.satisfaction = value
    grievance.satisfaction_on = today()
    db.session.commit()


# --- staff actions (each one audited) -----------------------------------------------------


def _audit(grievance: Grievance, user, action: str, **detail) -> None:
    audit.record("grievance", grievance.id, user, action, **detail)


def change_status(
    grievance: Grievance,
    user,
    status: str,
    *,
    reason: str | None = None,
    duplicate_of: Grievance | None = None,
) -> None:
    if status not in STATUSES:
        raise GrievanceError(f"unknown status {status!r}")
    if status not in TRANSITIONS[grievance.status]:
        raise GrievanceError(f"{grievance.status} cannot become {status}")
    reason = clean_text(reason, 2000) or None
    if status in NEEDS_REASON and not reason:
        raise GrievanceError("a reason is required")
    if duplicate_of is not None and (status != "duplicate" or duplicate_of.id == grievance.id):
        raise GrievanceError("only a duplicate refers to another case")
    _set_status(grievance, user, status, reason=reason, duplicate_of=duplicate_of)
    db.session.commit()


def _set_status(grievance, user, status, *, reason=None, duplicate_of=None) -> None:
    now = utcnow()
    previous = grievance.status
    grievance.status = status
    grievance.status_changed_on = now.date()
    # A change the reporter never opened before this one replaced it was never seen.
    if grievance.status_changes and not grievance.status_seen:
        grievance.changes_missed += 1
    grievance.status_changes += 1
    grievance.status_seen = False
    grievance.status_reason = reason if status in NEEDS_REASON else None
    grievance.duplicate_of_id = duplicate_of.id if duplicate_of is not None else None
    if previous == "new" and grievance.acknowledged_at is None:
        grievance.acknowledged_at = now
    if status == "resolved":
        grievance.resolved_at = now
    elif status in OPEN_STATUSES:
        grievance.resolved_at = None
    detail = {"from": previous, "to": status}
    if reason and status in NEEDS_REASON:
        detail["reason"] = reason
    if duplicate_of is not None:
        detail["duplicate_of"] = duplicate_of.id
    _audit(grievance, user, "status", **detail)


def triage(
    grievance: Grievance,
    user,
    *,
    severity: str | None,
    indicators: list[str],
    site_id: int | None,
) -> list[str]:
    """Set severity, indicator tags and (for general-entry cases) the site. Returns what changed."""
    if severity is not None and severity not in SEVERITIES:
        raise GrievanceError(f"unknown severity {severity!r}")
    unknown = [tag for tag in indicators if tag not in INDICATORS]
    if unknown:
        raise GrievanceError(f"unknown indicators {unknown!r}")
    changed = []
    if severity != grievance.severity:
        _audit(grievance, user, "severity", **{"from": grievance.severity, "to": severity})
        grievance.severity = severity
        # Critical cases must be acknowledged sooner; the clock itself does not move.
        grievance.acknowledge_due_at, grievance.resolve_due_at = deadlines(
            grievance.clock_started_at, severity
        )
        changed.append("severity")
    tags = sorted(set(indicators), key=INDICATORS.index)
    if tags != list(grievance.indicators or []):
        _audit(grievance, user, "indicators", **{"from": grievance.indicators, "to": tags})
        grievance.indicators = tags
        changed.append("indicators")
    if site_id is not None and site_id != grievance.site_id:
        _audit(grievance, user, "site", **{"from": grievance.site_id, "to": site_id})
        grievance.site_id = site_id
        changed.append("site")
    db.session.commit()
    return changed


def assign(grievance: Grievance, user, assignee) -> None:
    """Hand the case to ``assignee`` (a user who may see it; see queries.assignable_users)."""
    new_id = assignee.id if assignee is not None else None
    if new_id == grievance.assignee_id:
        return
    _audit(grievance, user, "assign", **{"from": grievance.assignee_id, "to": new_id})
    grievance.assignee_id = new_id
    db.session.commit()


def _staff_message(grievance: Grievance, user, body: str, *, internal: bool) -> None:
    body = clean_text(body, MAX_MESSAGE)
    if not body:
        raise GrievanceError("empty note" if internal else "empty reply")
    now = utcnow()
    grievance.messages.append(
        GrievanceMessage(
            author="staff",
            user_id=user.id,
            internal=internal,
            body=body,
            created_on=now.date(),
            created_at=now,
        )
    )


def add_note(grievance: Grievance, user, body: str) -> None:
    """An internal note: never shown to the reporter."""
    _staff_message(grievance, user, body, internal=True)
    _audit(grievance, user, "note")
    db.session.commit()


def reply_to_reporter(grievance: Grievance, user, body: str) -> None:
    """A message the reporter reads on the follow-up page. Answering a new case acknowledges it."""
    _staff_message(grievance, user, body, internal=False)
    _audit(grievance, user, "reply")
    if grievance.status == "new":
        _set_status(grievance, user, "acknowledged")
    db.session.commit()


def reveal_contact(grievance: Grievance, user) -> str | None:
    """Decrypt the call-back contact for the assigned handler, and say so in the audit log."""
    if grievance.contact_encrypted is None:
        return None
    if grievance.assignee_id != user.id:
        raise GrievanceError("only the assigned handler may see the contact")
    _audit(grievance, user, "contact_viewed")
    db.session.commit()
    return receipts.decrypt_contact(grievance.contact_encrypted)


def mark_notified(grievances: list[Grievance]) -> None:
    for grievance in grievances:
        grievance.notified_on = today()
    db.session.commit()


def mark_seen(grievance: Grievance) -> None:
    """The reporter opened the case with their receipt: the current status was seen."""
    if not grievance.status_seen:
        grievance.status_seen = True
        db.session.commit()
