"""Case management: the staff side of the grievance channel (list, case page, triage,
status, assignment, notes, replies, call-back contact). The anonymous side is views.py."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import query_int
from portal.grievances import bp, labels, queries, services
from portal.grievances.forms import (
    AssignForm,
    MessageForm,
    StatusForm,
    TriageForm,
)
from portal.grievances.models import (
    CATEGORY_INDICATORS,
    SEVERITIES,
    STATUSES,
    Grievance,
)
from portal.listing import MENU_LIMIT, Listing
from portal.security import allow
from portal.suppliers import queries as supplier_queries

SESSION_RECEIPT = "grievance_receipt"
RECEIPT_DISPLAY_SECONDS = 15 * 60


# --- case management -----------------------------------------------------------------------


def _filters() -> queries.CaseFilters:
    args = request.args
    status = args.get("status", "")
    severity = args.get("severity", "")
    category = args.get("category", "")
    return queries.CaseFilters(
        site=args.get("site", type=query_int),
        supplier=args.get("supplier", type=query_int),
        category=category if category in CATEGORY_INDICATORS else "",
        status=status if status in (*STATUSES, "open") else "",
        severity=severity if severity in (*SEVERITIES, "none") else "",
        overdue=args.get("overdue") == "1",
        assigned_to_me=args.get("mine") == "1",
    )


@bp.get("/cases")
@allow("compliance", "monitor")
def cases():
    listing = Listing.from_request("grievances.cases", queries.CASE_SORTS, "-received")
    filters = _filters()
    filters.q = listing.q
    stmt = listing.order(queries.case_list(current_user, filters), Grievance.id)
    page = listing.paginate(stmt, current_app.config["GRIEVANCES_PER_PAGE"])
    sites = supplier_queries.visible_sites(current_user, limit=MENU_LIMIT + 1)
    suppliers = sorted({site.supplier for site in sites}, key=lambda supplier: supplier.name)
    chosen = {}
    if len(sites) > MENU_LIMIT:  # the search box finds sites; a 10,000-option menu does not
        sites = suppliers = None
        chosen = supplier_queries.filter_names(
            current_user, site=filters.site, supplier=filters.supplier
        )
    return render_template(
        "grievances/cases.html",
        page=page,
        listing=listing,
        filters=filters,
        sites=sites,
        suppliers=suppliers,
        chosen=chosen,
        overdue_reason=services.overdue_reason,
    )


def _case_page(grievance: Grievance, *, status: int = 200, contact: str | None = None, **forms):
    is_compliance = current_user.role == "compliance"
    sites = supplier_queries.visible_sites(current_user) if is_compliance else []
    triage_form = forms.get("triage_form") or TriageForm(
        formdata=None,
        sites=sites,
        severity=grievance.severity or "",
        indicators=list(grievance.indicators or []),
        site_id=grievance.site_id or 0,
    )
    assign_form = forms.get("assign_form") or AssignForm(
        formdata=None,
        users=queries.assignable_users(grievance),
        assignee_id=grievance.assignee_id or 0,
    )
    return render_template(
        "grievances/case.html",
        grievance=grievance,
        status_form=forms.get("status_form")
        or StatusForm(formdata=None, current_status=grievance.status),
        triage_form=triage_form,
        assign_form=assign_form,
        note_form=forms.get("note_form") or MessageForm(formdata=None, prefix="note"),
        reply_form=forms.get("reply_form") or MessageForm(formdata=None, prefix="reply"),
        overdue=services.overdue_reason(grievance),
        contact=contact,
        is_handler=grievance.assignee_id == current_user.id,
        can_manage=current_user.role == "compliance",
        **_plans_for(grievance),
    ), status


def _plans_for(grievance: Grievance) -> dict:
    """The corrective action plans answering the case, for its page."""
    from portal.remediation import labels as plan_labels
    from portal.remediation import queries as plans

    return {"plans": plans.plans_for_case(grievance.id),
            "CAP_STATUS_LABELS": plan_labels.STATUS_LABELS}  # fmt: skip


def _back(grievance: Grievance):
    return redirect(url_for("grievances.case", case_id=grievance.id))


@bp.get("/cases/<int:case_id>")
@allow("compliance", "monitor")
def case(case_id: int):
    return _case_page(queries.case_for(current_user, case_id))


@bp.post("/cases/<int:case_id>/status")
@allow("compliance")
def case_status(case_id: int):
    grievance = queries.case_for(current_user, case_id)
    form = StatusForm(current_status=grievance.status)
    if not form.validate():
        return _case_page(grievance, status=400, status_form=form)
    duplicate_of = None
    if form.status.data == "duplicate" and form.duplicate_of.data:
        other_id = int(form.duplicate_of.data.lstrip("#"))
        duplicate_of = db.session.scalar(
            queries.visible(current_user).where(Grievance.id == other_id)
        )
        if duplicate_of is None or duplicate_of.id == grievance.id:
            form.duplicate_of.errors = [_("There is no other case with this number.")]
            return _case_page(grievance, status=400, status_form=form)
    try:
        services.change_status(
            grievance,
            current_user,
            form.status.data,
            reason=form.reason.data,
            duplicate_of=duplicate_of,
        )
    except services.GrievanceError:
        form.status.errors = [_("This change is not possible from the current status.")]
        return _case_page(grievance, status=400, status_form=form)
    label = labels.STATUS_LABELS[grievance.status]
    flash(_("Status changed to %(status)s.", status=label), "success")
    return _back(grievance)


@bp.post("/cases/<int:case_id>/triage")
@allow("compliance")
def case_triage(case_id: int):
    grievance = queries.case_for(current_user, case_id)
    form = TriageForm(sites=supplier_queries.visible_sites(current_user))
    if not form.validate():
        return _case_page(grievance, status=400, triage_form=form)
    changed = services.triage(
        grievance,
        current_user,
        severity=form.severity.data or None,
        indicators=list(form.indicators.data or []),
        site_id=form.site_id.data or None,
    )
    if changed:
        flash(_("Case updated."), "success")
    return _back(grievance)


@bp.post("/cases/<int:case_id>/assign")
@allow("compliance")
def case_assign(case_id: int):
    grievance = queries.case_for(current_user, case_id)
    users = queries.assignable_users(grievance)
    form = AssignForm(users=users)
    if not form.validate():
        return _case_page(grievance, status=400, assign_form=form)
    assignee = next((user for user in users if user.id == form.assignee_id.data), None)
    services.assign(grievance, current_user, assignee)
    flash(_("Assignment saved."), "success")
    return _back(grievance)


@bp.post("/cases/<int:case_id>/note")
@allow("compliance", "monitor")
def case_note(case_id: int):
    grievance = queries.case_for(current_user, case_id)
    form = MessageForm(prefix="note")
    if not form.validate():
        return _case_page(grievance, status=400, note_form=form)
    services.add_note(grievance, current_user, form.body.data)
    flash(_("Note added. The reporter does not see notes."), "success")
    return _back(grievance)


def _may_reply(grievance: Grievance) -> bool:
    """Compliance may always answer; a monitor only on cases assigned to them."""
    return current_user.role == "compliance" or grievance.assignee_id == current_user.id


@bp.post("/cases/<int:case_id>/reply")
@allow("compliance", "monitor")
def case_reply(case_id: int):
    grievance = queries.case_for(current_user, case_id)
    if not _may_reply(grievance):
        flash(_("Only compliance or the monitor handling this case can reply."), "error")
        return _back(grievance)
    form = MessageForm(prefix="reply")
    if not form.validate():
        return _case_page(grievance, status=400, reply_form=form)
    services.reply_to_reporter(grievance, current_user, form.body.data)
    flash(_("Reply sent. The reporter sees it when they follow up."), "success")
    return _back(grievance)


@bp.post("/cases/<int:case_id>/contact")
@allow("compliance", "monitor")
def case_contact(case_id: int):
    """Show the call-back contact to the assigned handler only, and audit that it was seen."""
    grievance = queries.case_for(current_user, case_id)
    if grievance.assignee_id != current_user.id or grievance.contact_encrypted is None:
        flash(_("Only the person handling this case can see the call-back contact."), "error")
        return _back(grievance)
    contact = services.reveal_contact(grievance, current_user)
    return _case_page(grievance, contact=contact or _("The contact can no longer be decrypted."))
