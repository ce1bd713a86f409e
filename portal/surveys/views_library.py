"""The survey library for compliance and admin: list, upload, preview, publish, download,
archive. Every rule is in ``library``; previews reuse the worker's own screen template and
engine, with the interface in the catalog closest to the survey language, as a worker sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import audit, uploads
from portal.extensions import db
from portal.i18n import interface_language
from portal.security import accepts_uploads, allow
from portal.surveys import bp, engine, library
from portal.surveys.definitions import DefinitionInvalid
from portal.surveys.forms import SurveyUploadForm
from portal.surveys.models import Survey, SurveyUpload, SurveyVersion

LIBRARIANS = ("compliance", "admin")
PREVIEW_KEY = "survey_preview"

UPLOAD_ERRORS = {
    "form_type": _l("Choose an XLSForm (.xlsx, .xls, .csv or .md) or a YAML definition."),
    "form_content": _l("The file is not what its name says: it cannot be read."),
    "form_size": _l("The form file is too large (at most 5 MB, unpacked at most 50 MB)."),
    "empty": _l("The file is empty."),
    "attachment_type": _l("Choice files must be .csv or .xml text files."),
    "attachment_size": _l("A choice file is too large (at most 2 MB)."),
    "missing": _l("Choose the form file."),
}
PUBLISH_ERRORS = {
    "published": _l("This upload is already published."),
    "audience": _l(
        "A survey with this form_id already exists for another group (%(audience)s): give the "
        "new form its own form_id."
    ),
    "label": _l(
        "Version %(label)s of this survey already exists with other questions: change the "
        "version in the settings sheet (or remove it, and one is made from the content)."
    ),
}
AUDIT_LABELS = {
    "published": _l("Published a version"),
    "republished": _l("Published again (no change)"),
    "archived": _l("Archived"),
    "restored": _l("Restored"),
}


@bp.get("/surveys")
@allow(*LIBRARIANS)
def surveys():
    return render_template(
        "surveys/library.html",
        entries=library.library(),
        pending=library.pending_uploads(),
        AREA_NAMES=_area_names(),
    )


@bp.get("/surveys/<int:survey_id>")
@allow(*LIBRARIANS)
def survey_detail(survey_id: int):
    survey = db.session.get(Survey, survey_id) or abort(404)
    entry = next(item for item in library.library() if item.survey.id == survey.id)
    return render_template(
        "surveys/survey.html",
        entry=entry,
        campaigns=library.campaigns_of(survey),
        events=audit.trail("survey", survey.id),
        audit_labels=AUDIT_LABELS,
        AREA_NAMES=_area_names(),
    )


def _area_names():
    from portal.dashboard.queries import AREA_LABELS

    return AREA_LABELS


@bp.post("/surveys/<int:survey_id>/archive")
@allow(*LIBRARIANS)
def survey_archive(survey_id: int):
    survey = db.session.get(Survey, survey_id) or abort(404)
    archived = request.form.get("archived") == "1"
    library.set_archived(survey, archived, current_user)
    flash(
        _("Archived: new campaigns cannot use it; running campaigns go on.")
        if archived
        else _("Restored: new campaigns can use it again."),
        "success",
    )
    return redirect(url_for(".survey_detail", survey_id=survey.id))


def _files() -> tuple[library.UploadFile | None, list[library.UploadFile]]:
    limit = library.FORM_MAX_BYTES + 1
    given = request.files.get("form_file")
    form = None
    if given is not None and given.filename:
        form = library.UploadFile(given.filename, uploads.read_upload(given.stream, limit))
    attachments = [
        library.UploadFile(item.filename, uploads.read_upload(item.stream, limit))
        for item in request.files.getlist("attachments")
        if item.filename
    ]
    return form, attachments


@bp.route("/surveys/upload", methods=["GET", "POST"])
@allow(*LIBRARIANS)
@accepts_uploads(library.FORM_MAX_BYTES + 4 * library.ATTACHMENT_MAX_BYTES)
def survey_upload():
    form = SurveyUploadForm()
    problems: list[dict] = []
    message = None
    refusals_only = False
    if form.validate_on_submit():
        try:
            given, attachments = _files()
            if given is None:
                raise library.UploadRefused("missing")
            row = library.upload(
                given,
                current_user,
                attachments=attachments,
                audience=form.audience.data or None,
                areas=form.areas.data or None,
                skip_refused=form.skip_refused.data,
            )
        except uploads.UploadRejected as error:
            message = error.message
        except library.UploadRefused as error:
            message = str(UPLOAD_ERRORS[error.code])
        except DefinitionInvalid as invalid:
            problems = [library.locate(error) for error in invalid.errors]
            refusals_only = all(error.refused for error in invalid.errors)
        else:
            return redirect(url_for(".upload_detail", upload_id=row.id))
    failed = request.method == "POST"
    return render_template(
        "surveys/upload.html",
        form=form,
        problems=problems,
        message=message,
        refusals_only=refusals_only,
    ), (400 if failed else 200)


def _upload_or_404(upload_id: int) -> SurveyUpload:
    return db.session.get(SurveyUpload, upload_id) or abort(404)


@bp.get("/surveys/uploads/<int:upload_id>")
@allow(*LIBRARIANS)
def upload_detail(upload_id: int):
    row = _upload_or_404(upload_id)
    spec = row.spec()
    existing = db.session.scalar(db.select(Survey).where(Survey.form_id == spec.form_id))
    same = None
    if existing is not None:
        digest = spec.content_hash()
        same = next((v for v in existing.versions if v.content_hash == digest), None)
    return render_template(
        "surveys/upload_detail.html",
        upload=row,
        spec=spec,
        existing=existing,
        same=same,
        screens=len(engine.build_form(spec).screens),
    )


@bp.post("/surveys/uploads/<int:upload_id>/publish")
@allow(*LIBRARIANS)
def upload_publish(upload_id: int):
    row = _upload_or_404(upload_id)
    try:
        version, created = library.publish(row, current_user)
    except library.PublishRefused as error:
        detail = dict(error.detail)
        if "audience" in detail:
            from portal.surveys.forms import GROUP_LABELS

            detail["audience"] = GROUP_LABELS[detail["audience"]]
        flash(PUBLISH_ERRORS[error.code] % detail, "error")
        return redirect(url_for(".upload_detail", upload_id=row.id)), 303
    if created:
        flash(_("Published as version %(label)s.", label=version.label), "success")
    else:
        flash(_("Nothing changed: this is version %(label)s.", label=version.label), "success")
    return redirect(url_for(".survey_detail", survey_id=version.survey_id))


@bp.post("/surveys/uploads/<int:upload_id>/discard")
@allow(*LIBRARIANS)
def upload_discard(upload_id: int):
    row = _upload_or_404(upload_id)
    if row.published_version_id is None:
        library.discard(row)
        flash(_("The upload was discarded."), "success")
    return redirect(url_for(".surveys"))


@bp.get("/surveys/versions/<int:version_id>/download.<any(xlsx, yaml):file_format>")
@allow(*LIBRARIANS)
def version_download(version_id: int, file_format: str):
    version = db.session.get(SurveyVersion, version_id) or abort(404)
    spec = version.spec()
    name = f"{spec.form_id}-{version.label}".replace('"', "")
    if file_format == "xlsx":
        return Response(
            library.as_xlsform(spec),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        library.as_yaml(spec),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
    )


# --- preview: every screen as a worker sees it, answers kept in the session only -------------


def _preview_spec(kind: str, ident: int):
    model = SurveyUpload if kind == "upload" else SurveyVersion
    row = db.session.get(model, ident) or abort(404)
    return row.spec()


def _preview_state(kind: str, ident: int, spec) -> dict:
    key = f"{kind}:{ident}"
    state = session.get(PREVIEW_KEY)
    if not state or state.get("k") != key:
        state = {"k": key, "l": spec.default_language, "a": {}}
        session[PREVIEW_KEY] = state
    asked = request.args.get("lang", "").replace("-", "_")
    if asked in spec.languages and asked != state["l"]:
        state["l"] = asked
        session.modified = True
    return state


def _today():
    return datetime.now(UTC).date()


@bp.get("/surveys/preview/<any(upload, version):kind>/<int:ident>")
@allow(*LIBRARIANS)
def preview_start(kind: str, ident: int):
    spec = _preview_spec(kind, ident)
    language = request.args.get("lang", spec.default_language).replace("-", "_")
    language = language if language in spec.languages else spec.default_language
    session[PREVIEW_KEY] = {"k": f"{kind}:{ident}", "l": language, "a": {}}
    form = engine.build_form(spec)
    first = engine.relevant_screens(form, {}, _today())
    if not first:
        return redirect(url_for(".preview_end", kind=kind, ident=ident))
    return redirect(url_for(".preview_screen", kind=kind, ident=ident, number=first[0].index))


def _preview_bar(kind: str, ident: int, spec, language: str, endpoint: str, **args) -> dict:
    return {
        "kind": kind,
        "ident": ident,
        "spec": spec,
        "language": language,
        "interface": interface_language(language),
        "links": {
            code: url_for(endpoint, kind=kind, ident=ident, lang=code, **args)
            for code in spec.languages
        },
        "back_to": url_for(".upload_detail", upload_id=ident)
        if kind == "upload"
        else url_for(".survey_detail", survey_id=db.session.get(SurveyVersion, ident).survey_id),
    }


@bp.route(
    "/surveys/preview/<any(upload, version):kind>/<int:ident>/<int:number>",
    methods=["GET", "POST"],
)
@allow(*LIBRARIANS)
def preview_screen(kind: str, ident: int, number: int):
    spec = _preview_spec(kind, ident)
    form = engine.build_form(spec)
    if not 0 <= number < len(form.screens):
        abort(404)
    state = _preview_state(kind, ident, spec)
    language = state["l"]
    today = _today()
    formdata = request.form if request.method == "POST" else None
    with force_locale(interface_language(language)):  # messages as the worker reads them
        result = engine.step(form, number, state["a"], formdata, language, today)
    if formdata is not None:
        state["a"] = result.answers
        session.modified = True

    def screen_url(index: int) -> str:
        return url_for(".preview_screen", kind=kind, ident=ident, number=index)

    if result.same:
        return redirect(request.path)  # the same screen, with the questions now asked
    if result.go_to is not None:
        return redirect(screen_url(result.go_to))
    if result.done:
        return redirect(url_for(".preview_end", kind=kind, ident=ident))
    with force_locale(interface_language(language)):
        page = render_template(
            "surveys/screen.html",
            spec=spec,
            screen=form.screens[number],
            questions=result.shown,
            choices=result.choices,
            answers=result.answers,
            values=engine.with_calculations(form, result.answers, today),
            errors=result.errors,
            language=language,
            position=result.position,
            total=result.total,
            back_url=screen_url(result.back) if result.back is not None else None,
            preview=_preview_bar(kind, ident, spec, language, ".preview_screen", number=number),
        )
    return page, 400 if result.errors else 200


@bp.get("/surveys/preview/<any(upload, version):kind>/<int:ident>/end")
@allow(*LIBRARIANS)
def preview_end(kind: str, ident: int):
    spec = _preview_spec(kind, ident)
    state = _preview_state(kind, ident, spec)
    form = engine.build_form(spec)
    today = _today()
    kept = engine.clean_answers(form, state["a"], today)
    missing = engine.unanswered_required(form, state["a"], today)
    language = state["l"]
    with force_locale(interface_language(language)):
        return render_template(
            "surveys/preview_end.html",
            spec=spec,
            kept=kept,
            missing=missing,
            language=language,
            preview=_preview_bar(kind, ident, spec, language, ".preview_end"),
        )
