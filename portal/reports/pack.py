"""CTPAT / UFLPA evidence pack: one zip for a supplier or the whole programme and a period
(docs/reports.md), built in a background thread (or by ``flask reports pack``) while the
page shows its progress.

Contents, each file written by the export that already exists for it where there is one:
``summary.pdf``; ``signals-<quarter>.csv`` (gated at 10 with complementary suppression);
``cases.csv`` (the case register without free text); ``caps.csv`` and ``cap-evidence.csv``
(the CAP register and an index of its evidence files with their SHA-256); ``activities.csv``;
``saq-answers.csv`` (supplier self-assessment answers: claims of a company, not of a person);
``data-dictionary.csv``; ``MANIFEST.sha256`` (``sha256sum -c`` verifies it) and
``README.txt``."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.db import utcnow
from portal.exports import services as exports
from portal.exports.dictionary import Column
from portal.extensions import db
from portal.reports.benchmark import quarters
from portal.reports.figures import publishing_viewer
from portal.reports.models import EvidencePack

#: A pack left "running" this long was cut off by a restart: it is marked failed.
STALE_AFTER = timedelta(hours=2)

SAQ_COLUMNS = (
    Column("site_code", _l("Public site code of the facility."), "code"),
    Column("site_name", _l("Name of the facility."), "text"),
    Column("supplier", _l("Name of the supplier that runs the facility."), "text"),
    Column("campaign", _l("Name of the questionnaire campaign."), "text"),
    Column("form_id", _l("Identifier of the questionnaire."), "code"),
    Column("version", _l("Version of the questionnaire answered."), "code"),
    Column("status", _l("submitted or accepted."), "code"),
    Column("submitted_on", _l("Day the questionnaire was submitted."), "date"),
    Column("question", _l("Name of the question in the questionnaire."), "code"),
    Column("question_label", _l("The question, in the questionnaire's language."), "text"),
    Column("value", _l("The answer as stored (choice names for choices)."), "text"),
    Column("value_label", _l("The label of the chosen answer."), "text"),
    Column("indicator", _l("Risk indicator the question informs, if any."), "code"),
)  # fmt: skip
EVIDENCE_COLUMNS = (
    Column("cap", _l("Number of the corrective action plan."), "integer"),
    Column("file", _l("File name as uploaded."), "text"),
    Column("kind", _l("What the file shows (photo, document, payment record...)."), "code"),
    Column("content_type", _l("Type of the file."), "code"),
    Column("size", _l("Size in bytes."), "integer"),
    Column("sha256", _l("SHA-256 of the stored file, to check a copy against."), "code"),
    Column("uploaded_on", _l("Day the file was uploaded."), "date"),
)  # fmt: skip


def packs_folder() -> Path:
    folder = Path(current_app.instance_path) / "packs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(pack: EvidencePack) -> Path:
    return packs_folder() / f"{pack.stored_name}.zip"


def create(supplier_id: int | None, start: date, end: date, user) -> EvidencePack:
    pack = EvidencePack(supplier_id=supplier_id, period_start=start, period_end=end,
                        created_by_id=getattr(user, "id", None))  # fmt: skip
    db.session.add(pack)
    db.session.commit()
    return pack


def start_in_background(pack: EvidencePack) -> threading.Thread:
    """Build the pack in a thread of this process, with its own app context and session."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    pack_id = pack.id

    def run():
        # A request context of its own: templates and translations expect one.
        with app.test_request_context("/"):
            build(db.session.get(EvidencePack, pack_id))

    thread = threading.Thread(target=run, name=f"evidence-pack-{pack_id}", daemon=True)
    thread.start()
    return thread


def mark_stale() -> None:
    """Packs cut off by a restart say so instead of spinning forever."""
    cutoff = utcnow() - STALE_AFTER
    for pack in db.session.scalars(
        select(EvidencePack).where(EvidencePack.status.in_(("queued", "running")))
    ):
        from portal.grievances.services import as_utc

        if as_utc(pack.created_at) < cutoff:
            pack.status, pack.error = "failed", "interrupted"
    db.session.commit()


def _progress(pack: EvidencePack, done: int, steps: int, step: str) -> None:
    pack.status, pack.step = "running", step
    pack.progress = min(99, round(100 * done / steps))
    db.session.commit()


def build(pack: EvidencePack, on_step: Callable[[str, int], None] | None = None) -> EvidencePack:
    """Write the zip, entry by entry, hashing each as it is written."""
    pack.stored_name = secrets.token_hex(16)
    final = path_of(pack)
    partial = final.with_suffix(".partial")
    try:
        with force_locale("en"):
            entries = list(_entries(pack))
            manifest: list[tuple[str, str]] = []
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, (name, chunks) in enumerate(entries):
                    _progress(pack, done, len(entries) + 1, name)
                    if on_step:
                        on_step(name, pack.progress)
                    digest = hashlib.sha256()
                    with archive.open(name, "w") as handle:
                        for chunk in chunks():
                            digest.update(chunk)
                            handle.write(chunk)
                    manifest.append((digest.hexdigest(), name))
                text = "".join(f"{digest}  {name}\n" for digest, name in manifest)
                archive.writestr("MANIFEST.sha256", text)
        os.replace(partial, final)
    except Exception as error:  # a failed pack says why and leaves no half-written file
        db.session.rollback()
        partial.unlink(missing_ok=True)
        pack.status, pack.error = "failed", str(error)[:300]
        pack.finished_at = utcnow()
        db.session.commit()
        if current_app.testing and not current_app.config.get("REPORTS_PACK_SWALLOW_ERRORS"):
            raise
        current_app.logger.exception("evidence pack %s failed", pack.id)
        return pack
    data_hash = hashlib.sha256()
    with open(final, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            data_hash.update(block)
    pack.sha256, pack.size = data_hash.hexdigest(), final.stat().st_size
    pack.status, pack.progress, pack.step, pack.finished_at = "done", 100, None, utcnow()
    db.session.commit()
    return pack


# --- the entries ------------------------------------------------------------------------------


def _csv(prepared: exports.Prepared) -> Callable[[], Iterable[bytes]]:
    return lambda: exports.csv_stream(prepared)


def _keep(prepared: exports.Prepared, test: Callable[[dict], bool]) -> exports.Prepared:
    """The same export with only the rows ``test`` keeps (given the row by column name)."""
    names = [column.name for column in prepared.columns]
    rows = prepared.rows
    prepared.rows = (row for row in rows if test(dict(zip(names, row, strict=False))))
    return prepared


def _entries(pack: EvidencePack):
    start, end = pack.period_start, pack.period_end
    viewer = publishing_viewer(pack.supplier_id)
    programme = publishing_viewer()
    site_codes = _site_codes(pack.supplier_id)

    def options(user=viewer, **kwargs):
        return exports.Options(user=user, **kwargs)

    def within(day) -> bool:
        return day is not None and start <= day <= end

    caps = _keep(exports.prepare("caps", options()),
                 lambda r: r["opened_on"] <= end and (r["closed_on"] is None
                                                      or r["closed_on"] >= start))  # fmt: skip
    cap_ids: list[int] = []
    caps.rows = (cap_ids.append(row[0]) or row for row in caps.rows)
    entries = [("summary.pdf", lambda: [_summary_pdf(pack)])]
    entries += [(f"signals-{quarter}.csv", _csv(exports.prepare("signals",
                                                               options(period=quarter))))
                for quarter in quarters(start, end)]  # fmt: skip
    entries += [
        ("cases.csv", _csv(_keep(exports.prepare("cases", options()),
                                 lambda r: within(r["received_on"])))),
        ("caps.csv", _csv(caps)),
        ("cap-evidence.csv", lambda: exports.csv_stream(exports.Prepared(
            "cap-evidence", EVIDENCE_COLUMNS, _evidence_rows(cap_ids)))),
        ("activities.csv", _csv(_keep(
            exports.prepare("activities", options(programme)),
            lambda r: within(r["held_on"]) and (pack.supplier_id is None
                                                or set(r["site_codes"].split()) & site_codes)))),
        ("saq-answers.csv", lambda: exports.csv_stream(exports.Prepared(
            "saq-answers", SAQ_COLUMNS, _saq_rows(pack.supplier_id, start, end)))),
        ("data-dictionary.csv", lambda: exports.csv_stream(_dictionary())),
        ("README.txt", lambda: [_readme(pack).encode("utf-8")]),
    ]  # fmt: skip
    return entries


def _site_codes(supplier_id: int | None) -> set[str]:
    from portal.suppliers.models import Site

    stmt = select(Site.code)
    if supplier_id is not None:
        stmt = stmt.where(Site.supplier_id == supplier_id)
    return set(db.session.scalars(stmt))


def _evidence_rows(cap_ids: list[int]):
    from portal.remediation.models import CapEvidence

    if not cap_ids:
        return
    stmt = (
        select(CapEvidence)
        .where(CapEvidence.cap_id.in_(cap_ids))
        .order_by(CapEvidence.cap_id, CapEvidence.id)
    )
    for item in db.session.scalars(stmt):
        yield [item.cap_id, item.filename, item.kind, item.content_type, item.size,
               item.sha256, item.uploaded_at.date()]  # fmt: skip


def _saq_rows(supplier_id: int | None, start: date, end: date):
    from portal.suppliers.models import Site, Supplier
    from portal.surveys.models import Answer, Campaign, Response

    versions = exports._version_questions()
    stmt = (
        select(Response, Site.code, Site.name, Supplier.name, Campaign.name)
        .join(Site, Site.id == Response.site_id).join(Supplier, Supplier.id == Site.supplier_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(Response.stakeholder_group == "suppliers",
               Response.status.in_(("submitted", "accepted")),
               Response.submitted_on >= start, Response.submitted_on <= end)
        .order_by(Site.code, Response.id)
    )  # fmt: skip
    if supplier_id is not None:
        stmt = stmt.where(Site.supplier_id == supplier_id)
    for response, code, site_name, supplier, campaign in db.session.execute(stmt):
        form_id, label, questions = versions.get(response.survey_version_id, ("", "", {}))
        answers = db.session.scalars(
            select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)
        )
        for answer in answers:
            info = questions.get(answer.question, exports._UNKNOWN_QUESTION)
            yield [code, site_name, supplier, campaign, form_id, label, response.status,
                   response.submitted_on, answer.question, info.label, answer.value,
                   exports._value_label(info, answer.value), info.indicator]  # fmt: skip


def _dictionary() -> exports.Prepared:
    prepared = exports.prepare("dictionary", exports.Options(user=publishing_viewer()))
    extra = [["saq-answers", c.name, str(c.meaning), c.type] for c in SAQ_COLUMNS]
    extra += [["cap-evidence", c.name, str(c.meaning), c.type] for c in EVIDENCE_COLUMNS]
    rows = prepared.rows
    prepared.rows = (row for part in (rows, extra) for row in part)
    return prepared


def _scope_line(pack: EvidencePack) -> str:
    name = pack.supplier.name if pack.supplier else _("the whole programme")
    return _("Evidence pack for %(scope)s, %(start)s to %(end)s.", scope=name,
             start=pack.period_start.isoformat(), end=pack.period_end.isoformat())  # fmt: skip


def _readme(pack: EvidencePack) -> str:
    lines = [
        _scope_line(pack),
        _("Generated on %(day)s by the Worker Voice Portal.", day=utcnow().date().isoformat()),
        "",
        _("Check the files with: sha256sum -c MANIFEST.sha256"),
        _("Risk signals hide every cell with fewer than 10 valid answers, with complementary "
          "suppression. The case register holds no reporter's words, messages or contacts. "
          "The evidence index lists the files of each plan with their SHA-256; the files "
          "themselves stay in the portal."),
        _("data-dictionary.csv explains every column of every file."),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _summary_pdf(pack: EvidencePack) -> bytes:
    from portal.reports import figures
    from portal.reports.pdf import font_css, render_pdf
    from portal.reports.views_public import report_labels

    viewer = publishing_viewer(pack.supplier_id)
    start, end = pack.period_start, pack.period_end
    summary = {
        "scope": figures.scope(viewer, start, end),
        "grievances": figures.grievances(viewer, start, end),
        "risks": figures.risks(viewer, end),
        "remediation": figures.remediation(viewer, start, end),
    }
    html = render_template("reports/pack_summary.html", pack=pack, fig=summary,
                           scope_line=_scope_line(pack), L=report_labels(),
                           fonts=font_css())  # fmt: skip
    return render_pdf(html)
