"""Published reports, for anyone: the index, each frozen version at a stable address
(``/accountability/<report>/v<number>``) as HTML and as PDF, and the latest version."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import parse_language
from portal.reports import bp, labels
from portal.reports.models import PublicReport, ReportVersion, text_language
from portal.reports.pdf import PdfUnavailable, font_css, render_pdf
from portal.security import public


def report_labels() -> SimpleNamespace:
    """Everything the report templates look words up in (translated when rendered)."""
    from portal.dashboard.queries import AREA_LABELS, BAND_LABELS, indicator_name
    from portal.grievances.labels import CATEGORY_LABELS, SATISFACTION_LABELS
    from portal.reports.figures import BANDS
    from portal.suppliers.services import country_name
    from portal.surveys.forms import GROUP_LABELS

    return SimpleNamespace(
        SECTION_LABELS=labels.SECTION_LABELS, OUTCOME_LABELS=labels.OUTCOME_LABELS,
        CRITERIA=labels.CRITERIA, FIGURES=labels.FIGURES, GROUP_LABELS=GROUP_LABELS,
        AREA_LABELS=AREA_LABELS, BAND_LABELS=BAND_LABELS, BANDS=BANDS,
        CATEGORY_LABELS=CATEGORY_LABELS, SATISFACTION_LABELS=SATISFACTION_LABELS,
        indicator_name=indicator_name,
        country=lambda code: country_name(code, str(get_locale() or "en")),
    )  # fmt: skip


def reading_language() -> str:
    return parse_language(str(get_locale() or "")) or "en"


def report_context(record, fig: dict, language: str) -> dict:
    """Template variables of a report body: ``record`` is a draft or a published version."""

    def narrative(part: str) -> tuple[str, str]:
        return (record.text(language, part),
                text_language(record.texts, record.languages, language, part))  # fmt: skip

    title_lang = text_language(record.texts, record.languages, language, "title")
    return {"fig": fig, "narrative": narrative, "L": report_labels(), "record": record,
            "title": record.text(language), "title_lang": title_lang}  # fmt: skip


def report_pdf(record, fig: dict, language: str, *, cache: bool = False, **extra) -> Response:
    """The PDF of a draft or a version. A published version's PDF is kept on disk under the
    SHA-256 of its HTML: rendering costs about fifty times the HTML page, and the same HTML
    (same figures, words, translations) always gives the same document."""
    html = render_template("reports/pdf.html", fonts=font_css(),
                           **report_context(record, fig, language), **extra)  # fmt: skip
    stored = None
    if cache:
        folder = Path(current_app.instance_path) / "report-pdfs"
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / f"{hashlib.sha256(html.encode()).hexdigest()}.pdf"
    if stored is not None and stored.is_file():
        data = stored.read_bytes()
    else:
        try:
            data = render_pdf(html)
        except PdfUnavailable:
            abort(503)
        if stored is not None:
            partial = stored.with_suffix(f".{os.getpid()}.partial")
            partial.write_bytes(data)
            os.replace(partial, stored)
    name = f"report-{extra.get('file_label', 'draft')}-{language}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})  # fmt: skip


def _version(report_id: int, number: int) -> ReportVersion:
    version = db.session.scalar(
        select(ReportVersion).where(ReportVersion.report_id == report_id,
                                    ReportVersion.number == number)
    )  # fmt: skip
    return version or abort(404)


@bp.get("/accountability")
@public
def published():
    latest = (
        select(ReportVersion.report_id, func.max(ReportVersion.number).label("number"))
        .group_by(ReportVersion.report_id).subquery()
    )  # fmt: skip
    versions = list(db.session.scalars(
        select(ReportVersion)
        .join(latest, (latest.c.report_id == ReportVersion.report_id)
              & (latest.c.number == ReportVersion.number))
        .order_by(ReportVersion.period_end.desc(), ReportVersion.id.desc())
    ))  # fmt: skip
    return render_template("reports/published.html", versions=versions,
                           language=reading_language())  # fmt: skip


@bp.get("/accountability/<int:report_id>")
@public
def latest(report_id: int):
    report = db.session.get(PublicReport, report_id)
    if report is None or report.latest is None:
        abort(404)
    args = {"lang": request.args["lang"]} if request.args.get("lang") else {}
    return redirect(url_for(".version", report_id=report_id, number=report.latest.number, **args))


@bp.get("/accountability/<int:report_id>/v<int:number>")
@public
def version(report_id: int, number: int):
    record = _version(report_id, number)
    language = reading_language()
    return render_template("reports/public.html", version=record,
                           others=record.report.versions,
                           **report_context(record, record.figures, language))  # fmt: skip


@bp.get("/accountability/<int:report_id>/v<int:number>.pdf")
@public
def version_pdf(report_id: int, number: int):
    record = _version(report_id, number)
    return report_pdf(record, record.figures, reading_language(), cache=True, version=record,
                      file_label=f"{report_id}-v{number}")  # fmt: skip
