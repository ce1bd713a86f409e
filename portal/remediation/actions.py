"""The work on a plan's actions: proposals and their review, progress, evidence, notes and
due-date extensions. The same rules as ``services``: every change audited, every rule here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal import audit, uploads
from portal.db import utcnow
from portal.extensions import db
from portal.grievances.services import clean_text
from portal.remediation.models import (
    ACTION_STATUSES,
    EVIDENCE_KINDS,
    OWNER_KINDS,
    CapAction,
    CapEvidence,
    CapExtension,
    CapNote,
    CorrectiveActionPlan,
)
from portal.remediation.services import CapError, _set_status, _text, role_of, today


@dataclass
class ActionData:
    owner_kind: str
    description: str
    due_on: date
    owner_name: str | None = None


def add_action(cap: CorrectiveActionPlan, user, data: ActionData) -> CapAction:
    """A supplier's action is a proposal; compliance's is part of the plan at once."""
    if data.owner_kind not in OWNER_KINDS:
        raise CapError("owner")
    if cap.status not in ("draft", "agreed", "in_progress"):
        raise CapError("closed")
    description = _text(data.description)
    if not description:
        raise CapError("empty")
    proposed = role_of(cap, user) == "supplier"
    action = CapAction(
        owner_kind=data.owner_kind,
        owner_name=clean_text(data.owner_name, 200) or None,
        description=description,
        due_on=data.due_on,
        status="open",
        state="proposed" if proposed else "accepted",
        proposed_by_id=user.id,
    )
    cap.actions.append(action)
    db.session.flush()
    audit.record("cap", cap.id, user, "action_added", to=action.state, action_id=action.id)
    db.session.commit()
    return action


def review_action(action: CapAction, user, accept: bool, comment: str | None) -> None:
    if action.state != "proposed":
        raise CapError("nothing_to_review")
    comment = _text(comment, 2000)
    if not accept and not comment:
        raise CapError("comment_required")
    action.state = "accepted" if accept else "returned"
    action.review_comment = None if accept else comment
    audit.record("cap", action.cap_id, user, "action_review", to=action.state, action_id=action.id,
                 comment=comment)  # fmt: skip
    db.session.commit()


def revise_action(action: CapAction, user, data: ActionData) -> None:
    """The supplier rewrites a returned proposal; it becomes a proposal again."""
    if action.state != "returned":
        raise CapError("not_returned")
    if data.owner_kind not in OWNER_KINDS:
        raise CapError("owner")
    description = _text(data.description)
    if not description:
        raise CapError("empty")
    action.owner_kind, action.description, action.due_on = data.owner_kind, description, data.due_on
    action.owner_name = clean_text(data.owner_name, 200) or None
    action.state = "proposed"
    audit.record("cap", action.cap_id, user, "action_revised", to="proposed", action_id=action.id)
    db.session.commit()


def update_progress(action: CapAction, user, status: str, note: str | None) -> None:
    """Progress on an agreed action. The first update of an agreed plan starts it."""
    cap = action.cap
    if status not in ACTION_STATUSES:
        raise CapError("action_status")
    if cap.status not in ("agreed", "in_progress"):
        raise CapError("not_started")
    if action.state != "accepted":
        raise CapError("not_accepted")
    previous = action.status
    action.status = status
    action.progress_note = _text(note) or action.progress_note
    action.completed_on = today() if status == "done" else None
    audit.record("cap", cap.id, user, "progress", action_id=action.id,
                 **{"from": previous, "to": status})  # fmt: skip
    if cap.status == "agreed":
        _set_status(cap, user, "in_progress")
    db.session.commit()


def attach_evidence(
    cap: CorrectiveActionPlan, user, filename: str, data: bytes, *, kind: str = "other",
    action_id: int | None = None, note: str | None = None,
) -> CapEvidence:  # fmt: skip
    if kind not in EVIDENCE_KINDS:
        raise CapError("evidence_kind")
    if action_id is not None and action_id not in {action.id for action in cap.actions}:
        raise CapError("evidence_action")
    if cap.status in ("verified", "closed_unverified"):
        raise CapError("closed")
    stored = uploads.store(filename, data)
    evidence = CapEvidence(
        kind=kind, action_id=action_id, note=clean_text(note, 300) or None,
        uploaded_by_id=user.id, **stored.columns(),
    )  # fmt: skip
    cap.evidence.append(evidence)
    db.session.flush()
    audit.record("cap", cap.id, user, "evidence", file=stored.filename, kind=kind)
    db.session.commit()
    return evidence


def add_note(cap: CorrectiveActionPlan, user, body: str, *, shared: bool) -> CapNote:
    body = _text(body)
    if not body:
        raise CapError("empty")
    shared = shared or role_of(cap, user) == "supplier"
    note = CapNote(user_id=user.id, body=body, shared=shared)
    cap.notes.append(note)
    audit.record("cap", cap.id, user, "note", to="shared" if shared else "staff")
    db.session.commit()
    return note


def request_extension(
    cap: CorrectiveActionPlan, user, requested: date, reason: str, action: CapAction | None = None
) -> CapExtension:
    if not cap.is_open:
        raise CapError("closed")
    reason = _text(reason, 2000)
    if not reason:
        raise CapError("reason_required")
    current = action.due_on if action is not None else cap.due_on
    if requested <= current:
        raise CapError("not_later")
    if any(x.state == "pending" and x.action_id == (action.id if action else None)
           for x in cap.extensions):  # fmt: skip
        raise CapError("pending_extension")
    extension = CapExtension(
        action_id=action.id if action is not None else None, previous_due_on=current,
        requested_due_on=requested, reason=reason, requested_by_id=user.id,
    )  # fmt: skip
    cap.extensions.append(extension)
    db.session.flush()
    audit.record("cap", cap.id, user, "extension_requested", to=requested.isoformat(),
                 action_id=extension.action_id)  # fmt: skip
    db.session.commit()
    return extension


def decide_extension(extension: CapExtension, user, accept: bool, comment: str | None) -> None:
    if extension.state != "pending":
        raise CapError("nothing_to_review")
    comment = _text(comment, 2000)
    if not accept and not comment:
        raise CapError("comment_required")
    extension.state = "accepted" if accept else "refused"
    extension.comment = comment
    extension.decided_by_id = user.id
    extension.decided_at = utcnow()
    cap = extension.cap
    if accept:
        target = extension.action if extension.action_id else cap
        old = target.due_on
        target.due_on = extension.requested_due_on
        audit.record("cap", cap.id, user, "due_on", action_id=extension.action_id,
                     **{"from": old.isoformat(), "to": target.due_on.isoformat()})  # fmt: skip
    audit.record("cap", cap.id, user, "extension_decided", to=extension.state, comment=comment)
    db.session.commit()
