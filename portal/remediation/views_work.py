"""The work on a plan, mostly the supplier's with compliance's answers: root cause, actions
and their review, progress, evidence files, due-date extensions and notes."""

from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext as _
from flask_login import current_user

from portal import uploads
from portal.extensions import db
from portal.forms import options
from portal.remediation import actions, bp, queries, services
from portal.remediation.forms import (
    ActionForm,
    EvidenceForm,
    ExtensionForm,
    ProgressForm,
    ReviewForm,
    TextForm,
)
from portal.remediation.models import CapAction, CapEvidence, CapExtension
from portal.remediation.views import READERS, back, plan_page, refusal
from portal.security import accepts_uploads, allow

WORKERS = ("compliance", "supplier")


def _action_of(cap, action_id: int) -> CapAction:
    return next((a for a in cap.actions if a.id == action_id), None) or abort(404)


@bp.post("/<int:cap_id>/root-cause")
@allow(*WORKERS)
def root_cause(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = TextForm(prefix="root")
    if not form.validate():
        return plan_page(cap, status=400, root_form=form)
    try:
        services.write_root_cause(cap, current_user, form.body.data)
    except services.CapError as error:
        form.body.errors = [refusal(error)]
        return plan_page(cap, status=409, root_form=form)
    if cap.root_cause_state == "proposed":
        flash(_("Root cause sent to compliance for review."), "success")
    else:
        flash(_("Root cause saved."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/root-cause/review")
@allow("compliance")
def review_root_cause(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = ReviewForm(prefix="review")
    if not form.validate():
        return plan_page(cap, status=400, review_form=form)
    try:
        services.review_root_cause(cap, current_user, form.decision.data == "accept",
                                   form.comment.data)  # fmt: skip
    except services.CapError as error:
        form.comment.errors = [refusal(error)]
        return plan_page(cap, status=409, review_form=form)
    flash(_("Decision saved."), "success")
    return back(cap)


def _action_data(form: ActionForm) -> actions.ActionData:
    return actions.ActionData(
        owner_kind=form.owner_kind.data,
        description=form.description.data,
        due_on=form.due_on.data,
        owner_name=form.owner_name.data,
    )


@bp.post("/<int:cap_id>/actions")
@allow(*WORKERS)
def add_action(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = ActionForm(prefix="action")
    if not form.validate():
        return plan_page(cap, status=400, action_form=form)
    try:
        action = actions.add_action(cap, current_user, _action_data(form))
    except services.CapError as error:
        form.description.errors = [refusal(error)]
        return plan_page(cap, status=409, action_form=form)
    if action.state == "proposed":
        flash(_("Action proposed. Compliance will accept it or return it."), "success")
    else:
        flash(_("Action added."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/actions/<int:action_id>/review")
@allow("compliance")
def review_action(cap_id: int, action_id: int):
    cap = queries.cap_for(current_user, cap_id)
    action = _action_of(cap, action_id)
    form = ReviewForm(prefix=f"review-{action.id}")
    if not form.validate():
        return plan_page(cap, status=400, failed_action=action.id, action_error_form=form)
    try:
        actions.review_action(action, current_user, form.decision.data == "accept",
                              form.comment.data)  # fmt: skip
    except services.CapError as error:
        form.comment.errors = [refusal(error)]
        return plan_page(cap, status=409, failed_action=action.id, action_error_form=form)
    flash(_("Decision saved."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/actions/<int:action_id>/revise")
@allow("supplier")
def revise_action(cap_id: int, action_id: int):
    cap = queries.cap_for(current_user, cap_id)
    action = _action_of(cap, action_id)
    form = ActionForm(prefix=f"revise-{action.id}")
    if not form.validate():
        return plan_page(cap, status=400, failed_action=action.id, action_error_form=form)
    try:
        actions.revise_action(action, current_user, _action_data(form))
    except services.CapError as error:
        form.description.errors = [refusal(error)]
        return plan_page(cap, status=409, failed_action=action.id, action_error_form=form)
    flash(_("Action sent again for review."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/actions/<int:action_id>/progress")
@allow(*WORKERS)
def progress(cap_id: int, action_id: int):
    cap = queries.cap_for(current_user, cap_id)
    action = _action_of(cap, action_id)
    form = ProgressForm(prefix=f"progress-{action.id}")
    if not form.validate():
        return plan_page(cap, status=400, failed_action=action.id, action_error_form=form)
    try:
        actions.update_progress(action, current_user, form.status.data, form.note.data)
    except services.CapError as error:
        form.status.errors = [refusal(error)]
        return plan_page(cap, status=409, failed_action=action.id, action_error_form=form)
    flash(_("Progress saved."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/evidence")
@allow(*READERS)
@accepts_uploads(uploads.UPLOAD_MAX_BYTES + 1024 * 1024)
def add_evidence(cap_id: int):
    """Suppliers and compliance attach evidence; a monitor only as a named verifier."""
    cap = queries.cap_for(current_user, cap_id)
    if services.role_of(cap, current_user) == "monitor":
        abort(403)
    form = EvidenceForm()
    form.action_id.choices = options([(0, "")] + [(a.id, "") for a in cap.actions])
    upload = _uploaded_file()
    if not form.validate():
        return plan_page(cap, status=400, evidence_form=form)
    if upload is None:
        return plan_page(cap, status=400, upload_error=_("Choose a file to attach."))
    try:
        data = uploads.read_upload(upload.stream)
        actions.attach_evidence(
            cap, current_user, upload.filename, data, kind=form.kind.data,
            action_id=form.action_id.data or None, note=form.note.data,
        )  # fmt: skip
    except uploads.UploadRejected as error:
        return plan_page(cap, status=400, upload_error=error.message)
    except services.CapError as error:
        return plan_page(cap, status=409, upload_error=refusal(error))
    flash(_("Evidence attached."), "success")
    return back(cap)


def _uploaded_file():
    from flask import request

    upload = request.files.get("file")
    return upload if upload is not None and upload.filename else None


@bp.get("/<int:cap_id>/evidence/<int:evidence_id>")
@allow(*READERS)
def evidence(cap_id: int, evidence_id: int):
    cap = queries.cap_for(current_user, cap_id)  # 404 outside the user's scope
    item = db.session.get(CapEvidence, evidence_id)
    if item is None or item.cap_id != cap.id:
        abort(404)
    return uploads.send(item)


@bp.post("/<int:cap_id>/extensions")
@allow("supplier")
def request_extension(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = ExtensionForm()
    form.action_id.choices = options([(0, "")] + [(a.id, "") for a in cap.actions])
    if not form.validate():
        return plan_page(cap, status=400, extension_form=form)
    action = _action_of(cap, form.action_id.data) if form.action_id.data else None
    try:
        actions.request_extension(cap, current_user, form.requested_due_on.data,
                                  form.reason.data, action)  # fmt: skip
    except services.CapError as error:
        form.requested_due_on.errors = [refusal(error)]
        return plan_page(cap, status=409, extension_form=form)
    flash(_("Extension requested. Compliance will accept or refuse it."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/extensions/<int:extension_id>")
@allow("compliance")
def decide_extension(cap_id: int, extension_id: int):
    cap = queries.cap_for(current_user, cap_id)
    extension = db.session.get(CapExtension, extension_id)
    if extension is None or extension.cap_id != cap.id:
        abort(404)
    form = ReviewForm(prefix=f"extension-{extension.id}")
    if not form.validate():
        flash(_("Choose accept or return."), "error")
        return plan_page(cap, status=400)
    try:
        actions.decide_extension(extension, current_user, form.decision.data == "accept",
                                 form.comment.data)  # fmt: skip
    except services.CapError as error:
        flash(refusal(error), "error")
        return plan_page(cap, status=409)
    flash(_("Decision saved."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/notes")
@allow(*READERS)
def add_note(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = TextForm(prefix="note")
    if not form.validate():
        return plan_page(cap, status=400, note_form=form)
    try:
        note = actions.add_note(cap, current_user, form.body.data, shared=bool(form.shared.data))
    except services.CapError as error:
        form.body.errors = [refusal(error)]
        return plan_page(cap, status=409, note_form=form)
    if note.shared:
        flash(_("Note added. The supplier can read it."), "success")
    else:
        flash(_("Note added. Only staff can read it."), "success")
    return back(cap)
