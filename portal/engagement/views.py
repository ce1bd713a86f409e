"""Engagement log views: the matrix, activities (with files, training feedback and plans
opened from them), partner organisations and the yearly plan. Consultations are in
``views_consult``. Views are thin: the rules are in ``services``."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import uploads
from portal.audit import trail
from portal.engagement import bp, labels, matrix, queries, services
from portal.engagement.forms import ActivityForm, DeleteForm, FeedbackForm
from portal.engagement.models import ACTIVITY_KINDS, ActivityFile
from portal.extensions import db
from portal.forms import options, page_number, query_int
from portal.risk.catalogue import ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS
from portal.security import accepts_uploads, allow
from portal.suppliers import queries as supplier_queries

READERS = ("compliance", "monitor")


@bp.context_processor
def _labels():
    return labels.template_context()


def refusal(error: services.EngagementError) -> str:
    return str(labels.ERRORS.get(error.code, labels.ERRORS["unknown_choice"]))


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _country(value: str | None) -> str:
    value = (value or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() and value.isascii() else ""


def _split_countries(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


# --- the matrix -------------------------------------------------------------------------------


def _period() -> tuple[str, date, date, int]:
    """``?period=12m`` (the default: the last twelve months), ``2026`` or ``2026-Q3`` →
    (label, first day, last day, the year whose targets are shown)."""
    raw = request.args.get("period", "")
    today = services.today()
    year, quarter = None, None
    if len(raw) == 4 and raw.isdigit():
        year = int(raw)
    elif len(raw) == 7 and raw[:4].isdigit() and raw[4:6] == "-Q" and raw[6] in "1234":
        year, quarter = int(raw[:4]), int(raw[6])
    if year is None or not 2000 <= year <= 2100:
        return "12m", today - timedelta(days=364), today, today.year
    if quarter is None:
        return str(year), date(year, 1, 1), date(year, 12, 31), year
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return f"{year}-Q{quarter}", start, end - timedelta(days=1), year


@bp.get("/engagement/matrix")
@allow(*READERS)
def matrix_page():
    label, start, end, year = _period()
    country = _country(request.args.get("country"))
    supplier = request.args.get("supplier", type=query_int)
    site = request.args.get("site", type=query_int)
    scope = matrix.scope_for(current_user, country=country, supplier=supplier, site=site)
    built = matrix.build(current_user, start, end, scope, year=year)
    sites = supplier_queries.visible_sites(current_user)
    this_year = services.today().year
    periods = ["12m", *(str(y) for y in range(this_year, this_year - 4, -1))]
    periods += [f"{this_year}-Q{q}" for q in range(1, 5)]
    return render_template(
        "engagement/matrix.html", matrix=built, period=label, periods=periods, year=year,
        country=country, supplier=supplier, site=site, sites=sites,
        countries=sorted({s.country for s in sites}),
        suppliers=sorted({(s.supplier.id, s.supplier.name) for s in sites}, key=lambda x: x[1]),
        groups=STAKEHOLDER_GROUPS, areas=ENGAGEMENT_AREAS,
        grievance_areas=matrix.GRIEVANCE_AREAS,
    )  # fmt: skip


# --- activities -------------------------------------------------------------------------------


def _filters() -> queries.ActivityFilters:
    pick = request.args.get
    return queries.ActivityFilters(
        kind=pick("kind", "") if pick("kind") in ACTIVITY_KINDS else "",
        group=pick("group", "") if pick("group") in STAKEHOLDER_GROUPS else "",
        area=pick("area", "") if pick("area") in ENGAGEMENT_AREAS else "",
        site=pick("site", type=query_int), supplier=pick("supplier", type=query_int),
        country=_country(pick("country")), partner=pick("partner", type=query_int),
        start=_day("from"), end=_day("to"),
    )  # fmt: skip


@bp.get("/engagement")
@allow(*READERS)
def activities():
    filters = _filters()
    rows = queries.filter_json(db.session.scalars(queries.activities(current_user, filters)),
                               filters)  # fmt: skip
    per_page = int(current_app.config["ACTIVITIES_PER_PAGE"])
    page = page_number()
    shown = rows[(page - 1) * per_page : page * per_page]
    return render_template(
        "engagement/activities.html", rows=shown, total=len(rows), page=page,
        pages=max(1, -(-len(rows) // per_page)), filters=filters,
        sites=supplier_queries.visible_sites(current_user),
        partners=queries.partners() if current_user.role == "compliance" else [],
        kinds=ACTIVITY_KINDS, groups=STAKEHOLDER_GROUPS, areas=ENGAGEMENT_AREAS,
    )  # fmt: skip


def _activity_form(activity=None) -> ActivityForm:
    form = ActivityForm(obj=activity if request.method == "GET" else None)
    sites = current_user.sites if current_user.role == "monitor" else \
        supplier_queries.visible_sites(current_user)  # fmt: skip
    form.sites.choices = options([(s.id, f"{s.name} · {s.supplier.name}") for s in sites])
    form.partners.choices = options([(p.id, p.name) for p in queries.partners() if p.active
                             or (activity and p in activity.partners)])  # fmt: skip
    if request.method == "GET" and activity is not None:
        form.sites.data = [s.id for s in activity.sites]
        form.partners.data = [p.id for p in activity.partners]
        form.countries.data = ", ".join(activity.countries or [])
        for person in activity.participants:
            for part in ("total", "women", "men"):
                form[f"people_{person.stakeholder_group}_{part}"].data = getattr(person, part)
    elif request.method == "GET":
        form.held_on.data = services.today()
        form.sites.data = [request.args.get("site", type=query_int)]
    return form


def _activity_data(form: ActivityForm) -> services.ActivityData:
    people = {}
    for group in STAKEHOLDER_GROUPS:
        total, women, men = (form[f"people_{group}_{part}"].data for part in ("total", "women",
                                                                             "men"))  # fmt: skip
        if total or women or men:
            people[group] = services.Headcount(total or (women or 0) + (men or 0), women, men)
    return services.ActivityData(
        kind=form.kind.data, title=form.title.data, held_on=form.held_on.data,
        groups=form.groups.data or [], areas=form.areas.data or [], site_ids=form.sites.data or [],
        partner_ids=form.partners.data or [], countries=_split_countries(form.countries.data),
        participants=people, summary=form.summary.data, outcomes=form.outcomes.data,
        follow_up=form.follow_up.data,
    )  # fmt: skip


def _save_activity(form, activity=None):
    if not form.validate_on_submit():
        return None
    try:
        return services.save_activity(_activity_data(form), current_user, activity)
    except services.EngagementError as error:
        db.session.rollback()
        target = {"site": form.sites, "groups": form.groups, "areas": form.areas,
                  "country": form.countries, "participants": form.people_workers_total,
                  "participants_sex": form.people_workers_total,
                  "date": form.held_on}.get(error.code, form.title)  # fmt: skip
        target.errors = [refusal(error)]
        return None


@bp.route("/engagement/activities/new", methods=["GET", "POST"])
@allow(*READERS)
def activity_new():
    form = _activity_form()
    saved = _save_activity(form)
    if saved is not None:
        flash(_("Activity recorded."), "success")
        return redirect(url_for(".activity", activity_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/activity_form.html", form=form, activity=None,
                           groups=STAKEHOLDER_GROUPS), status  # fmt: skip


@bp.route("/engagement/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@allow(*READERS)
def activity_edit(activity_id: int):
    activity = queries.activity_for(current_user, activity_id)
    if not services.may_edit(activity, current_user):
        abort(403)
    form = _activity_form(activity)
    saved = _save_activity(form, activity)
    if saved is not None:
        flash(_("Activity saved."), "success")
        return redirect(url_for(".activity", activity_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/activity_form.html", form=form, activity=activity,
                           groups=STAKEHOLDER_GROUPS), status  # fmt: skip


def activity_page(activity, *, status: int = 200, **extra):
    from portal.dashboard.queries import indicator_name
    from portal.engagement.feedback import results
    from portal.remediation.models import CapFinding, CorrectiveActionPlan
    from portal.remediation.queries import visible
    from portal.remediation.sources import known_indicators

    plans = list(db.session.scalars(visible(current_user).where(
        CorrectiveActionPlan.id.in_(db.session.query(CapFinding.cap_id).filter(
            CapFinding.activity_id == activity.id)))))  # fmt: skip
    context = {
        "activity": activity, "editable": services.may_edit(activity, current_user),
        "events": trail("activity", activity.id), "plans": plans,
        "feedback": results(activity, current_user) if activity.feedback_campaign else None,
        "indicators": [(key, f"{key} {indicator_name(key)}") for key in known_indicators()],
        "feedback_form": FeedbackForm(prefix="feedback"),
        "delete_form": DeleteForm(prefix="delete"),
        **extra,
    }  # fmt: skip
    return render_template("engagement/activity.html", **context), status


@bp.get("/engagement/activities/<int:activity_id>")
@allow(*READERS)
def activity(activity_id: int):
    return activity_page(queries.activity_for(current_user, activity_id))


@bp.post("/engagement/activities/<int:activity_id>/delete")
@allow("compliance")
def activity_delete(activity_id: int):
    activity = queries.activity_for(current_user, activity_id)
    form = DeleteForm(prefix="delete")
    if not form.validate():
        return activity_page(activity, status=400, delete_form=form)
    services.delete_activity(activity, current_user)
    flash(_("Activity deleted."), "success")
    return redirect(url_for(".activities"))


@bp.post("/engagement/activities/<int:activity_id>/files")
@allow(*READERS)
@accepts_uploads(uploads.UPLOAD_MAX_BYTES + 1024 * 1024)
def activity_upload(activity_id: int):
    activity = queries.activity_for(current_user, activity_id)
    if not services.may_edit(activity, current_user):
        abort(403)
    form = FeedbackForm(prefix="file")
    upload = request.files.get("file")
    if not form.validate():
        return activity_page(activity, status=400, upload_error=_("The form expired. Try again."))
    if upload is None or not upload.filename:
        return activity_page(activity, status=400, upload_error=_("Choose a file to attach."))
    try:
        services.attach_file(activity, current_user, upload.filename, uploads.read_upload(upload))
    except uploads.UploadRejected as error:
        return activity_page(activity, status=400, upload_error=error.message)
    flash(_("File attached."), "success")
    return redirect(url_for(".activity", activity_id=activity.id))


@bp.get("/engagement/activities/<int:activity_id>/files/<int:file_id>")
@allow(*READERS)
def activity_file(activity_id: int, file_id: int):
    activity = queries.activity_for(current_user, activity_id)
    row = db.session.get(ActivityFile, file_id)
    if row is None or row.activity_id != activity.id:
        abort(404)
    return uploads.send(row)


@bp.post("/engagement/activities/<int:activity_id>/feedback")
@allow("compliance")
def activity_feedback(activity_id: int):
    activity = queries.activity_for(current_user, activity_id)
    form = FeedbackForm(prefix="feedback")
    if not form.validate():
        return activity_page(activity, status=400, feedback_error=_("The form expired. Try again."))
    try:
        services.start_training_feedback(activity, current_user)
    except services.EngagementError as error:
        db.session.rollback()
        return activity_page(activity, status=409, feedback_error=refusal(error))
    flash(_("Feedback survey open. Its link is on each site's public page."), "success")
    return redirect(url_for(".activity", activity_id=activity.id))
