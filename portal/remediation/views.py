"""Plan views: the register, opening a plan, its page, and the compliance-side workflow
(editing, findings, status, verifiers, pulse survey). Proposals, progress, evidence, notes and
extensions are in ``views_work``. Views are thin: every rule is in the services."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import options, page_number, query_int
from portal.remediation import bp, labels, pulse, queries, services, sources
from portal.remediation.forms import (
    ActionForm,
    EditForm,
    EvidenceForm,
    ExtensionForm,
    FindingForm,
    PlanForm,
    ProgressForm,
    ReviewForm,
    StatusForm,
    TextForm,
    VerifiersForm,
)
from portal.remediation.models import STATUSES, CorrectiveActionPlan
from portal.risk.catalogue import STAKEHOLDER_GROUPS
from portal.security import allow
from portal.suppliers import queries as supplier_queries
from portal.surveys.forms import GROUP_LABELS

READERS = queries.READERS


@bp.context_processor
def _labels():
    from flask_babel import format_currency

    from portal.dashboard.queries import indicator_name
    from portal.risk.scoring import band

    return {**labels.template_context(), "indicator_name": indicator_name,
            "GROUP_LABELS": GROUP_LABELS, "band_name": band,
            "format_currency": format_currency}  # fmt: skip


def refusal(error) -> str:
    """The translated message of a CapError, PulseError or SourceError."""
    if isinstance(error, sources.SourceError):
        return sources.messages()[error.code]
    return str(labels.ERRORS.get(error.code, labels.ERRORS["transition"]))


def _indicator_choices():
    from portal.dashboard.queries import indicator_name

    return [(key, f"{key} {indicator_name(key)}") for key in sources.known_indicators()]


# --- the register --------------------------------------------------------------------------


def _filters() -> queries.RegisterFilters:
    status = request.args.get("status", "")
    indicator = request.args.get("indicator", "")
    return queries.RegisterFilters(
        supplier=request.args.get("supplier", type=query_int),
        site=request.args.get("site", type=query_int),
        indicator=indicator if indicator in sources.known_indicators() else "",
        status=status if status in (*STATUSES, "open") else "",
        overdue=request.args.get("overdue") == "1",
        pending=request.args.get("pending") == "1",
    )


@bp.get("")
@allow(*READERS)
def register():
    filters = _filters()
    day = services.today()
    per_page = current_app.config["CAPS_PER_PAGE"]
    page = db.paginate(
        queries.register(current_user, filters, day),
        per_page=per_page,
        max_per_page=per_page,
        page=page_number(),
    )
    sites = supplier_queries.visible_sites(current_user)
    suppliers = sorted({site.supplier for site in sites}, key=lambda supplier: supplier.name)
    return render_template(
        "remediation/register.html",
        page=page,
        filters=filters,
        sites=sites,
        suppliers=suppliers,
        indicators=_indicator_choices(),
        overdue=lambda cap: queries.is_overdue(cap, day),
        counts=queries.counts(current_user, [site.id for site in sites], day),
    )


# --- opening a plan ------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@allow("compliance")
def new():
    values = request.form if request.method == "POST" else request.args
    try:
        source = sources.from_values(values, current_user)
    except sources.SourceError as error:
        flash(refusal(error), "error")
        return render_template("remediation/new.html", form=None, source=None), 400
    sites = supplier_queries.visible_sites(current_user)
    form = PlanForm()
    form.site_id.choices = options(
        [(site.id, f"{site.name} · {site.supplier.name}") for site in sites]
    )
    form.indicator.choices = options(_indicator_choices())
    if request.method == "GET":
        form.due_on.data = services.today() + _days(current_app.config["CAP_DEFAULT_DAYS"])
        if source is not None:
            form.title.data, form.severity.data = source.title, source.severity
            for name, value in (source.fields or {}).items():
                form[name].data = value
        elif request.args.get("site", type=query_int):
            form.site_id.data = request.args.get("site", type=query_int)
    if form.validate_on_submit():
        if source is None and (not form.site_id.data or not form.indicator.data):
            form.site_id.errors = [_("Choose the site and the indicator the plan answers.")]
        else:
            site_id = source.site.id if source else form.site_id.data
            findings = source.findings if source else [
                services.FindingData("manual", form.indicator.data)]  # fmt: skip
            for finding in findings:
                finding.note = form.note.data
            cap = services.open_plan(
                services.PlanData(
                    site_id=site_id, title=form.title.data, severity=form.severity.data,
                    due_on=form.due_on.data, summary=form.summary.data,
                    verification_plan=form.verification_plan.data, findings=findings,
                ),
                current_user,
            )  # fmt: skip
            flash(_("Plan #%(id)s opened as a draft. The supplier can now propose a root cause "
                    "and actions.", id=cap.id), "success")  # fmt: skip
            return redirect(url_for(".detail", cap_id=cap.id))
    status = 400 if request.method == "POST" else 200
    return render_template("remediation/new.html", form=form, source=source), status


def _days(count):
    from datetime import timedelta

    return timedelta(days=int(count))


# --- the plan's page -----------------------------------------------------------------------


def plan_page(cap: CorrectiveActionPlan, *, status: int = 200, **forms):
    """The one page of a plan, with whichever forms this user may use (a failed form is
    passed back with its errors)."""
    role = services.role_of(cap, current_user)
    day = services.today()
    staff = role in ("compliance", "monitor", "verifier")
    choices = [(0, _("The whole plan"))] + [
        (a.id, f"#{a.id} {a.description[:60]}") for a in cap.actions if a.state == "accepted"
    ]
    evidence_form = forms.get("evidence_form") or EvidenceForm(formdata=None)
    evidence_form.action_id.choices = options([(0, _("None")), *choices[1:]])
    extension_form = forms.get("extension_form") or ExtensionForm(formdata=None)
    extension_form.action_id.choices = options(choices)
    moves = services.allowed_moves(cap, current_user)
    status_form = forms.get("status_form") or StatusForm(formdata=None)
    status_form.status.choices = options([(move, labels.STATUS_LABELS[move]) for move in moves])
    verifiers_form = forms.get("verifiers_form") or VerifiersForm(
        formdata=None, verifiers=[v.id for v in cap.verifiers]
    )
    verifiers_form.verifiers.choices = options([(u.id, u.name) for u in _monitors_of(cap)])
    finding_form = forms.get("finding_form") or FindingForm(formdata=None)
    finding_form.indicator.choices = options(_indicator_choices())
    finding_form.stakeholder_group.choices = options(
        [(g, GROUP_LABELS[g]) for g in STAKEHOLDER_GROUPS]
    )
    events = cap.events
    if role == "supplier":  # staff notes stay among staff, in the log too
        events = [e for e in events if not (e.action == "note" and (e.detail or {}).get("to")
                                            == "staff")]  # fmt: skip
    return render_template(
        "remediation/plan.html",
        cap=cap,
        role=role,
        staff=staff,
        events=events,
        notes=[n for n in cap.notes if staff or n.shared],
        overdue=queries.is_overdue(cap, day),
        late_actions={a.id for a in queries.overdue_actions(cap, day)},
        comparison=pulse.comparison(cap, current_user),
        pulse_indicators=pulse.pulse_indicators(cap),
        pulse_responses=_pulse_responses(cap),
        cases={f.grievance_id for f in cap.findings if f.grievance_id} if staff else set(),
        moves=moves,
        may_work=role in ("compliance", "supplier")
        and cap.status in ("draft", "agreed", "in_progress"),
        root_form=forms.get("root_form")
        or TextForm(formdata=None, prefix="root", body=cap.root_cause),
        review_form=forms.get("review_form") or ReviewForm(formdata=None, prefix="review"),
        action_form=forms.get("action_form") or ActionForm(formdata=None, prefix="action"),
        progress_form=ProgressForm(formdata=None, prefix="progress"),
        failed_action=forms.get("failed_action"),
        action_error_form=forms.get("action_error_form"),
        evidence_form=evidence_form,
        extension_form=extension_form,
        note_form=forms.get("note_form") or TextForm(formdata=None, prefix="note"),
        status_form=status_form,
        verifiers_form=verifiers_form,
        finding_form=finding_form,
        upload_error=forms.get("upload_error"),
    ), status


def _pulse_responses(cap) -> int | None:
    """Complete pulse responses, or None under the staff threshold (a count of 1-4 at one
    site would tell a supplier who answered)."""
    from portal.risk.suppression import STAFF_THRESHOLD

    if cap.pulse_campaign is None:
        return None
    responses, _counts = pulse.pulse_counts(cap.pulse_campaign)
    return responses if responses >= STAFF_THRESHOLD else None


def _monitors_of(cap):
    from sqlalchemy import select

    from portal.accounts.models import User, monitor_sites

    stmt = (
        select(User)
        .join(monitor_sites, monitor_sites.c.user_id == User.id)
        .where(User.role == "monitor", User.active.is_(True), monitor_sites.c.site_id ==
               cap.site_id)
        .order_by(User.name)
    )  # fmt: skip
    return list(db.session.scalars(stmt))


def back(cap):
    return redirect(url_for("remediation.detail", cap_id=cap.id))


@bp.get("/<int:cap_id>")
@allow(*READERS)
def detail(cap_id: int):
    return plan_page(queries.cap_for(current_user, cap_id))


@bp.route("/<int:cap_id>/edit", methods=["GET", "POST"])
@allow("compliance")
def edit(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    if not cap.is_open:
        abort(409)
    form = EditForm(obj=cap) if request.method == "GET" else EditForm()
    if form.validate_on_submit():
        try:
            changed = services.edit_plan(cap, current_user, services.PlanEdit(
                title=form.title.data, severity=form.severity.data, due_on=form.due_on.data,
                summary=form.summary.data, verification_plan=form.verification_plan.data,
                remedy_description=form.remedy_description.data,
                remedy_amount=form.remedy_amount.data,
                remedy_currency=form.remedy_currency.data or None,
                remedy_workers=form.remedy_workers.data,
            ))  # fmt: skip
        except services.CapError as error:
            form.severity.errors = [refusal(error)]
        else:
            if changed:
                flash(_("Plan saved."), "success")
            return back(cap)
    status = 400 if request.method == "POST" else 200
    return render_template("remediation/edit.html", cap=cap, form=form), status


@bp.post("/<int:cap_id>/findings")
@allow("compliance")
def add_finding(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = FindingForm()
    form.indicator.choices = options(_indicator_choices())
    form.stakeholder_group.choices = options([(g, GROUP_LABELS[g]) for g in STAKEHOLDER_GROUPS])
    if not form.validate():
        return plan_page(cap, status=400, finding_form=form)
    try:
        services.add_finding(cap, current_user, services.FindingData(
            "manual", form.indicator.data, stakeholder_group=form.stakeholder_group.data,
            note=form.note.data))  # fmt: skip
    except services.CapError as error:
        form.indicator.errors = [refusal(error)]
        return plan_page(cap, status=409, finding_form=form)
    flash(_("Finding added."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/status")
@allow(*READERS)
def change_status(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = StatusForm()
    form.status.choices = options([(s, labels.STATUS_LABELS[s]) for s in STATUSES])
    if not form.validate():
        return plan_page(cap, status=400, status_form=form)
    try:
        services.change_status(cap, current_user, form.status.data, form.note.data)
    except services.CapError as error:
        form.status.errors = [refusal(error)]
        return plan_page(cap, status=409, status_form=form)
    flash(_("Status changed to %(status)s.", status=labels.STATUS_LABELS[cap.status]), "success")
    if cap.contradiction:
        flash(_("Workers' answers still put this indicator at high or critical."), "error")
    return back(cap)


@bp.post("/<int:cap_id>/verifiers")
@allow("compliance")
def verifiers(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    form = VerifiersForm()
    monitors = _monitors_of(cap)
    form.verifiers.choices = options([(u.id, u.name) for u in monitors])
    if not form.validate():
        return plan_page(cap, status=400, verifiers_form=form)
    chosen = [u for u in monitors if u.id in set(form.verifiers.data or [])]
    services.set_verifiers(cap, current_user, chosen)
    flash(_("Verifiers saved."), "success")
    return back(cap)


@bp.post("/<int:cap_id>/pulse")
@allow("compliance")
def start_pulse(cap_id: int):
    cap = queries.cap_for(current_user, cap_id)
    try:
        campaign = pulse.start_pulse(cap, current_user)
    except pulse.PulseError as error:
        flash(refusal(error), "error")
        return plan_page(cap, status=409)
    flash(_("Pulse survey open until %(day)s at the site's poster link.",
            day=campaign.closes_on.isoformat()), "success")  # fmt: skip
    return back(cap)
