"""Staff report pages: compliance drafts a public report, writes a narrative per section in
each language, previews it (HTML and PDF, with today's figures), answers the partners'
comments and publishes a frozen version; monitors of civil-society partners read drafts and
comment on their accuracy. The UNGP 31 page computes the grievance mechanism's effectiveness
for any period."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.audit import trail
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.reports import bp, figures, labels, services
from portal.reports.effectiveness import criteria
from portal.reports.forms import AnswerForm, CommentForm, PeriodForm, PublishForm, ReportForm
from portal.reports.models import SECTIONS, PublicReport, ReportComment
from portal.reports.views_public import reading_language, report_context, report_labels, report_pdf
from portal.risk.suppression import threshold_for
from portal.security import allow


def _refusal(error: services.ReportError) -> str:
    return str(services.ERRORS.get(error.code, services.ERRORS["period"]))


def _readable(report_id: int) -> PublicReport:
    """Compliance reads every report; a commenting monitor reads them too (404 otherwise)."""
    if current_user.role != "compliance" and not services.may_comment(current_user):
        abort(404)
    return db.session.get(PublicReport, report_id) or abort(404)


def last_quarter(today: date | None = None) -> tuple[date, date]:
    """The calendar quarter before today's: what a report usually covers."""
    today = today or date.today()
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


@bp.get("/reports")
@allow("compliance", "monitor")
def index():
    commenting = services.may_comment(current_user)
    if current_user.role != "compliance" and not commenting:
        return render_template("reports/index.html", reports=[], commenting=False)
    reports = list(db.session.scalars(
        select(PublicReport).order_by(PublicReport.period_end.desc(), PublicReport.id.desc())
    ))  # fmt: skip
    return render_template("reports/index.html", reports=reports, commenting=commenting)


def _report_form(report: PublicReport | None) -> ReportForm:
    form = ReportForm()
    if request.method == "GET":
        if report is None:
            form.period_start.data, form.period_end.data = last_quarter()
            form.languages.data = ["en"]
        else:
            form.period_start.data, form.period_end.data = report.period_start, report.period_end
            form.languages.data = list(report.languages)
            form.with_effectiveness.data = report.with_effectiveness
            for code, parts in report.texts.items():
                for part, text in parts.items():
                    if f"{part}_{code}" in form:
                        form[f"{part}_{code}"].data = text
    return form


def _save(form: ReportForm, report: PublicReport | None):
    if not form.validate_on_submit():
        return None
    chosen = [code for code in form.languages.data or [] if code in LANGUAGES]
    texts = {code: {part: form[f"{part}_{code}"].data or "" for part in ("title", *SECTIONS)}
             for code in chosen}  # fmt: skip
    data = services.ReportData(form.period_start.data, form.period_end.data, chosen, texts,
                               form.with_effectiveness.data)  # fmt: skip
    try:
        return services.save_report(data, current_user, report)
    except services.ReportError as error:
        db.session.rollback()
        first = chosen[0] if chosen else "en"
        target = {"languages": form.languages, "title": form[f"title_{first}"]}.get(
            error.code, form.period_end
        )
        target.errors = [_refusal(error)]
        return None


def _form_page(form: ReportForm, report: PublicReport | None):
    saved = _save(form, report)
    if saved is not None:
        flash(_("Draft saved. Preview it, then publish when it is ready."), "success")
        return redirect(url_for(".draft", report_id=saved.id))
    status = 400 if request.method == "POST" else 200
    page = render_template("reports/report_form.html", form=form, report=report,
                           LANGUAGES=LANGUAGES, SECTIONS=SECTIONS, L=report_labels())  # fmt: skip
    return page, status


@bp.route("/reports/new", methods=["GET", "POST"])
@allow("compliance")
def new():
    return _form_page(_report_form(None), None)


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@allow("compliance")
def edit(report_id: int):
    report = db.session.get(PublicReport, report_id) or abort(404)
    return _form_page(_report_form(report), report)


def _draft_page(report: PublicReport, *, status: int = 200, **forms):
    language = reading_language()
    fig = figures.compute(report.period_start, report.period_end,
                          with_effectiveness=report.with_effectiveness)  # fmt: skip
    comments = [c for c in report.comments
                if current_user.role == "compliance" or c.user_id == current_user.id]  # fmt: skip
    return render_template(
        "reports/draft.html", report=report, comments=comments,
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        answer_form=AnswerForm(formdata=None), publish_form=PublishForm(formdata=None),
        answer_errors=forms.get("answer_errors", {}), trail=trail("report", report.id),
        commenting=services.may_comment(current_user), L_AUDIT=labels.AUDIT_LABELS,
        **report_context(report, fig, language),
    ), status  # fmt: skip


@bp.get("/reports/<int:report_id>")
@allow("compliance", "monitor")
def draft(report_id: int):
    return _draft_page(_readable(report_id))


@bp.get("/reports/<int:report_id>/preview.pdf")
@allow("compliance", "monitor")
def draft_pdf(report_id: int):
    report = _readable(report_id)
    fig = figures.compute(report.period_start, report.period_end,
                          with_effectiveness=report.with_effectiveness)  # fmt: skip
    return report_pdf(report, fig, reading_language(), version=None,
                      file_label=f"{report.id}-draft")  # fmt: skip


@bp.post("/reports/<int:report_id>/publish")
@allow("compliance")
def publish(report_id: int):
    report = db.session.get(PublicReport, report_id) or abort(404)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        version = services.publish(report, current_user)
    except services.ReportError as error:
        flash(_refusal(error), "error")
        return _draft_page(report, status=409)
    flash(_("Version %(num)s is published. Its figures will not change.", num=version.number),
          "success")  # fmt: skip
    return redirect(url_for(".version", report_id=report.id, number=version.number))


@bp.post("/reports/<int:report_id>/comments")
@allow("monitor")
def comment(report_id: int):
    report = _readable(report_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _draft_page(report, status=400, comment_form=form)
    try:
        services.add_comment(report, current_user, form.section.data, form.body.data)
    except services.ReportError as error:
        db.session.rollback()
        form.body.errors = [_refusal(error)]
        return _draft_page(report, status=400, comment_form=form)
    flash(_("Thank you: your comment was sent to the compliance team."), "success")
    return redirect(url_for(".draft", report_id=report.id))


@bp.post("/reports/<int:report_id>/comments/<int:comment_id>")
@allow("compliance")
def answer(report_id: int, comment_id: int):
    report = db.session.get(PublicReport, report_id) or abort(404)
    item = db.session.get(ReportComment, comment_id)
    if item is None or item.report_id != report.id:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_comment(item, current_user, form.answer.data)
        except services.ReportError as error:
            db.session.rollback()
            form.answer.errors = [_refusal(error)]
    if form.answer.errors or not form.validate_on_submit():
        errors = form.answer.errors or [_("Write the answer.")]
        return _draft_page(report, status=400, answer_errors={item.id: errors})
    flash(_("Answer saved."), "success")
    return redirect(url_for(".draft", report_id=report.id) + f"#comment-{item.id}")


@bp.get("/reports/effectiveness")
@allow("compliance", "monitor")
def effectiveness():
    form = PeriodForm(request.args, meta={"csrf": False})
    start, end = last_quarter()
    status = 200
    if {"period_start", "period_end"} & request.args.keys():
        if form.validate() and form.period_start.data <= form.period_end.data:
            start, end = form.period_start.data, form.period_end.data
        else:
            if not form.errors:
                form.period_end.errors = [_refusal(services.ReportError("period"))]
            status = 400
    if status == 200:
        form.period_start.data, form.period_end.data = start, end
    # Monitors see their own sites' cases, at their own threshold.
    threshold = threshold_for(current_user)
    computed = criteria(current_user, start, end, threshold)
    return render_template("reports/effectiveness.html", form=form, criteria=computed,
                           threshold=threshold, start=start, end=end,
                           L=report_labels()), status  # fmt: skip
