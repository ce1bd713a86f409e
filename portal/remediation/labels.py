"""Translatable names for the keys stored on plans, and the message of each refused change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "agreed": _l("Agreed"),
    "in_progress": _l("In progress"),
    "awaiting_verification": _l("Awaiting verification"),
    "verified": _l("Verified"),
    "closed_unverified": _l("Closed unverified"),
}

#: What the step means, shown under the status on the plan page.
STATUS_HINTS = {
    "draft": _l("The supplier proposes a root cause and actions; compliance accepts or returns "
                "each, then agrees the plan."),
    "agreed": _l("The plan is agreed. It starts with the first progress update."),
    "in_progress": _l("The actions are being carried out."),
    "awaiting_verification": _l("Every action is done. Compliance or a named verifier checks "
                                "the evidence and what workers say now."),
    "verified": _l("The change was checked and the plan is closed."),
    "closed_unverified": _l("The plan was closed without verification."),
}  # fmt: skip

SEVERITY_LABELS = {"critical": _l("Critical"), "major": _l("Major"), "minor": _l("Minor")}

SOURCE_LABELS = {
    "signal": _l("Risk signal"),
    "grievance": _l("Grievance case"),
    "saq": _l("Self-assessment answer"),
    "activity": _l("Engagement activity"),
    "manual": _l("Entered by hand"),
}

OWNER_LABELS = {
    "supplier": _l("Supplier"),
    "buyer": _l("Buying company"),
    "monitor": _l("Independent monitor"),
    "partner": _l("Partner organisation"),
}

ACTION_STATUS_LABELS = {"open": _l("Not started"), "in_progress": _l("In progress"),
                        "done": _l("Done")}  # fmt: skip

PROPOSAL_LABELS = {
    "proposed": _l("Proposed, waiting for compliance"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
}

EVIDENCE_LABELS = {
    "action": _l("An action done"),
    "remedy": _l("Remedy to workers"),
    "verification": _l("Verification"),
    "other": _l("Other"),
}

EXTENSION_LABELS = {"pending": _l("Pending"), "accepted": _l("Accepted"),
                    "refused": _l("Refused")}  # fmt: skip

AUDIT_LABELS = {
    "opened": _l("Plan opened"),
    "finding": _l("Finding added"),
    "edited": _l("Plan edited"),
    "severity": _l("Severity changed"),
    "due_on": _l("Due date changed"),
    "remedy_amount": _l("Remedy amount changed"),
    "remedy_workers": _l("Workers remedied changed"),
    "remedy_currency": _l("Remedy currency changed"),
    "root_cause": _l("Root cause written"),
    "root_cause_review": _l("Root cause reviewed"),
    "action_added": _l("Action added"),
    "action_review": _l("Action reviewed"),
    "action_revised": _l("Action revised"),
    "progress": _l("Progress updated"),
    "evidence": _l("Evidence attached"),
    "note": _l("Note added"),
    "extension_requested": _l("Extension requested"),
    "extension_decided": _l("Extension decided"),
    "verifiers": _l("Verifiers named"),
    "pulse": _l("Pulse survey started"),
    "status": _l("Status changed"),
}

#: ``CapError.code`` / ``PulseError.code`` → what the person is told.
ERRORS = {
    "severity": _l("Choose a severity."),
    "no_findings": _l("A plan answers at least one finding."),
    "currency": _l("Give the currency as a three-letter code, such as USD."),
    "closed": _l("This plan is closed: it can no longer be changed."),
    "empty": _l("Write something first."),
    "already_accepted": _l("The root cause is already accepted."),
    "nothing_to_review": _l("There is nothing waiting for a decision."),
    "comment_required": _l("Say why you return it, so that it can be corrected."),
    "owner": _l("Choose who carries out the action."),
    "not_returned": _l("Only a returned proposal can be revised."),
    "action_status": _l("Choose a progress status."),
    "not_started": _l("Progress can be recorded once the plan is agreed."),
    "not_accepted": _l("Progress can be recorded on accepted actions only."),
    "evidence_kind": _l("Choose what the file proves."),
    "evidence_action": _l("Choose an action of this plan."),
    "reason_required": _l("Give a reason."),
    "not_later": _l("The new date must be later than the current due date."),
    "pending_extension": _l("An extension request for this date is already waiting."),
    "verifier": _l("Verifiers must be monitors assigned to the plan's site."),
    "transition": _l("This change is not possible from the current status."),
    "not_yours": _l("Your role cannot make this change."),
    "root_cause_missing": _l("The plan needs an accepted root cause before it is agreed."),
    "actions_not_agreed": _l("Every action must be accepted before the plan is agreed."),
    "actions_not_done": _l("Every accepted action must be done first."),
    "evidence_missing": _l("Attach evidence before verifying the plan."),
    "pulse_missing": _l("The site's workers must answer the pulse survey first (at least 5 "
                        "responses)."),
    "not_ready": _l("A pulse survey can be started once the plan is in progress."),
    "nothing_to_ask": _l("The worker survey has no questions for this plan's indicators."),
    "running": _l("A pulse survey is already running for this plan."),
}  # fmt: skip

#: What the reporter of a linked case reads on the follow-up page.
REPORTER_REMEDIATION = {
    "under_way": _l("A plan to fix the problem at the workplace is under way."),
    "verified": _l("The fix at the workplace has been checked, including by asking workers."),
}


def template_context() -> dict:
    return {
        "CAP_STATUS_LABELS": STATUS_LABELS,
        "CAP_STATUS_HINTS": STATUS_HINTS,
        "CAP_SEVERITY_LABELS": SEVERITY_LABELS,
        "CAP_SOURCE_LABELS": SOURCE_LABELS,
        "CAP_OWNER_LABELS": OWNER_LABELS,
        "CAP_ACTION_STATUS_LABELS": ACTION_STATUS_LABELS,
        "CAP_PROPOSAL_LABELS": PROPOSAL_LABELS,
        "CAP_EVIDENCE_LABELS": EVIDENCE_LABELS,
        "CAP_EXTENSION_LABELS": EXTENSION_LABELS,
        "CAP_AUDIT_LABELS": AUDIT_LABELS,
        # the old and new values the audit log stores, named (later entries win a shared key)
        "CAP_AUDIT_VALUES": {
            **SEVERITY_LABELS,
            **ACTION_STATUS_LABELS,
            **PROPOSAL_LABELS,
            **EXTENSION_LABELS,
            **STATUS_LABELS,
        },
    }
