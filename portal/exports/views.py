"""Export views: the list page, one download route for every export and format, and the wide
export of one survey version (its form on the list page, and its download route).

Thin: ``services`` prepares the rows and ``formats`` writes them; here only the request is read
and the streamed response assembled (CSV and XLSX are both written as the rows come).
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import render_error
from portal.exports import bp, formats, services, wide
from portal.extensions import db
from portal.i18n import current_language
from portal.security import allow

#: Database integers stop here; a larger number in the address names no version.
_LARGEST_ID = 2**31 - 1


@bp.get("/exports")
@allow("compliance")
def index():
    from portal.risk.models import RiskCell
    from portal.risk.signals import current_period

    periods = set(db.session.scalars(select(RiskCell.period).distinct()))
    periods.add(current_period())
    versions = _versions_with_responses()
    languages = sorted({code for version, _title in versions for code in version.spec().languages})
    return render_template(
        "exports/index.html",
        exports=services.EXPORTS,
        periods=sorted(periods, reverse=True),
        current_period=current_period(),
        versions=versions,
        languages=languages,
        wide_formats=_wide_formats(),
    )


def _versions_with_responses() -> list[tuple]:
    """(version, survey title in its default language) of every version with complete
    responses, newest first: what the exports page offers."""
    from portal.surveys.models import Response, SurveyVersion

    answered = select(Response.survey_version_id).where(Response.status == "complete").distinct()
    found = []
    for version in db.session.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.id.in_(answered))
        .order_by(SurveyVersion.id.desc())
    ):
        spec = version.spec()  # the title in the interface language when the survey has it
        language = current_language() if current_language() in spec.languages else None
        found.append((version, services._text(spec.title, language or spec.default_language)))
    return found


def _wide_formats() -> dict[str, str]:
    return {"csv": _("CSV"), "xlsx": _("XLSX (Excel)"), "dta": _("Stata (.dta)"),
            "sav": _("SPSS (.sav)"), "parquet": _("Parquet")}  # fmt: skip


def _attachment(prepared: services.Prepared, fmt: str) -> dict[str, str]:
    parts = [prepared.name, prepared.label, utcnow().date().isoformat()]
    filename = "-".join(part for part in parts if part) + "." + fmt
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@bp.get("/exports/<name>.<fmt>")
@allow("compliance")
def download(name: str, fmt: str):
    if name not in services.EXPORTS or fmt not in services.FORMATS:
        abort(404)
    options = services.Options(
        user=current_user._get_current_object(),
        period=request.args.get("period"),
        free_text=request.args.get("free_text") == "1",
        batch_size=int(current_app.config["EXPORT_BATCH_SIZE"]),
    )
    try:
        prepared = services.prepare(name, options)
    except services.ExportError:
        abort(400)
    headers = _attachment(prepared, fmt)
    if fmt == "csv":
        body, mimetype = services.csv_stream(prepared), "text/csv"
    else:
        body, mimetype = services.xlsx_stream(prepared), services.XLSX_MIMETYPE
    return Response(stream_with_context(body), mimetype=mimetype, headers=headers)


def _wide_args(args) -> dict:
    """labels, language and free_text of a wide export request (WideError when malformed)."""
    found = {}
    for name in ("labels", "free_text"):
        value = args.get(name, "")
        if value not in ("", "0", "1"):
            raise wide.WideError(400, _("“%(name)s” must be 0 or 1.", name=name))
        found[name] = value == "1"
    language = args.get("language", "").strip()
    if len(language) > 20:
        raise wide.WideError(400, _("There is no such language."))
    found["language"] = language or None
    return found


@bp.get("/exports/wide")
@allow("compliance")
def wide_form():
    """The wide export form of the list page (a GET form, without JavaScript): the choices
    are checked and the browser is sent to the file's own address."""
    try:
        options = _wide_args(request.args)
        version = request.args.get("version", "")
        if not version.isdigit() or int(version) > _LARGEST_ID:
            raise wide.WideError(400, _("Choose a survey version from the list."))
        fmt = request.args.get("fmt", "")
        if fmt not in wide.FORMATS:
            raise wide.WideError(400, _("Choose a file format from the list."))
        _version, _spec, language = wide.check(int(version), options["language"])
    except wide.WideError as error:
        return render_error(error.status, error.message)
    return redirect(url_for(
        "exports.wide_download", version_id=int(version), fmt=fmt,
        labels=int(options["labels"]), language=language,
        free_text=int(options["free_text"]),
    ))  # fmt: skip


@bp.get("/exports/wide/<int:version_id>.<fmt>")
@allow("compliance")
def wide_download(version_id: int, fmt: str):
    """One survey version's answers, one row per response, as CSV, XLSX, Stata, SPSS or
    Parquet (``?labels=1&language=bn&free_text=0``)."""
    config = current_app.config
    try:
        if fmt not in wide.FORMATS:
            raise wide.WideError(404, _("There is no such file format: choose CSV, XLSX, "
                                        "Stata (.dta), SPSS (.sav) or Parquet."))  # fmt: skip
        if version_id > _LARGEST_ID:
            raise wide.WideError(404, _("There is no survey version with this number."))
        options = _wide_args(request.args)
        plan = wide.plan(version_id, batch_size=int(config["EXPORT_BATCH_SIZE"]), **options)
        limit = int(config["EXPORT_FRAME_MAX_RESPONSES"])
        if fmt == "sav" and plan.kept > limit:
            raise wide.WideError(400, _(
                "This survey version has %(count)s responses: SPSS files are made in memory, "
                "for up to %(limit)s responses. Download it as Stata, Parquet or CSV.",
                count=plan.kept, limit=limit,
            ))  # fmt: skip
    except wide.WideError as error:
        return render_error(error.status, error.message)
    filename = f"wide-{plan.label}-{utcnow().date().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt in ("csv", "xlsx"):
        prepared = wide.prepared(plan)
        body = formats.csv_stream(prepared) if fmt == "csv" else formats.xlsx_stream(prepared)
        mimetype = "text/csv" if fmt == "csv" else formats.XLSX_MIMETYPE
        return Response(stream_with_context(body), mimetype=mimetype, headers=headers)
    from portal.exports import wide_files

    if fmt == "parquet":
        body = wide_files.parquet_stream(plan, int(config["EXPORT_PARQUET_ROWS"]))
        return Response(stream_with_context(body), mimetype=wide_files.PARQUET_MIMETYPE,
                        headers=headers)  # fmt: skip
    if fmt == "dta":
        handle = wide_files.dta_file(plan, int(config["EXPORT_SPOOL_BYTES"]))
        mimetype = wide_files.DTA_MIMETYPE
    else:
        handle = wide_files.sav_file(plan)
        mimetype = wide_files.SAV_MIMETYPE
    headers["Content-Length"] = str(formats.file_size(handle))
    response = Response(formats.file_chunks(handle), mimetype=mimetype, headers=headers)
    response.call_on_close(handle.close)  # also when the download never starts
    return response
