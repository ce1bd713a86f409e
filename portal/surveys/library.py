"""The survey library: upload a definition (XLSForm or YAML), check it, preview it, publish it
as an immutable version, download any version, archive a survey. Plain functions that the
staff views, the CLI and the tests call alike.

Nothing is stored until a definition passes every check: an upload that fails raises
``DefinitionInvalid`` listing each problem with its sheet, row and column. An upload that passes
is kept as a ``SurveyUpload`` for preview; publishing turns it into a ``SurveyVersion`` through
``services.store_version`` (the same function ``flask surveys sync`` uses), so the YAML files
in ``surveys/`` and uploaded forms end up as the same kind of version.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.surveys.definitions import (
    DefinitionError,
    DefinitionInvalid,
    SurveySpec,
    dump_yaml,
    load_yaml,
    parse_definition,
)
from portal.surveys.models import Campaign, Survey, SurveyUpload, SurveyVersion
from portal.surveys.services import store_version
from portal.surveys.xlsform import read_xlsform, write_xlsform
from portal.surveys.xlsform_sources import SUFFIXES as XLSFORM_SUFFIXES

YAML_SUFFIXES = (".yaml", ".yml")
#: A form and its choice files; forms are small (the largest shipped one is 30 KB).
FORM_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
ATTACHMENT_SUFFIXES = (".csv", ".xml")
#: A workbook is a zip: refuse one that would unpack to more than this (a "zip bomb").
UNPACKED_MAX_BYTES = 50 * 1024 * 1024


class UploadRefused(ValueError):
    """The file itself is not acceptable (type, size); ``code`` names the reason."""

    def __init__(self, code: str, filename: str = ""):
        super().__init__(code)
        self.code = code
        self.filename = filename


@dataclass
class UploadFile:
    filename: str
    data: bytes


def _check_form_file(upload: UploadFile) -> str:
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (*XLSFORM_SUFFIXES, *YAML_SUFFIXES):
        raise UploadRefused("form_type", upload.filename)
    if not upload.data:
        raise UploadRefused("empty", upload.filename)
    if len(upload.data) > FORM_MAX_BYTES:
        raise UploadRefused("form_size", upload.filename)
    head = upload.data[:8]
    if suffix == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise UploadRefused("form_content", upload.filename)
        try:
            with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
                unpacked = sum(item.file_size for item in archive.infolist())
        except zipfile.BadZipFile:
            raise UploadRefused("form_content", upload.filename) from None
        if unpacked > UNPACKED_MAX_BYTES:
            raise UploadRefused("form_size", upload.filename)
    elif suffix == ".xls":
        if not head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UploadRefused("form_content", upload.filename)
    elif b"\x00" in upload.data:
        raise UploadRefused("form_content", upload.filename)  # text formats are text
    return suffix


def _check_attachment(upload: UploadFile) -> None:
    if Path(upload.filename).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise UploadRefused("attachment_type", upload.filename)
    if len(upload.data) > ATTACHMENT_MAX_BYTES:
        raise UploadRefused("attachment_size", upload.filename)
    if b"\x00" in upload.data:
        raise UploadRefused("attachment_type", upload.filename)


def read_definition(
    form: UploadFile,
    *,
    attachments: Iterable[UploadFile] = (),
    audience: str | None = None,
    areas: Iterable[str] | None = None,
    skip_refused: bool = False,
) -> tuple[dict, list[str]]:
    """(validated definition dict, warnings) from an uploaded file; raises ``UploadRefused``
    for a wrong file and ``DefinitionInvalid`` for a wrong definition."""
    suffix = _check_form_file(form)
    files = list(attachments)
    for attachment in files:
        _check_attachment(attachment)
    warned: list[str] = []
    name = Path(form.filename).name
    if suffix in YAML_SUFFIXES:
        try:
            data = load_yaml(form.data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise DefinitionInvalid([DefinitionError(name, f"not valid YAML{where}")]) from None
        if isinstance(data, dict):
            if audience:
                data["audience"] = audience
            if areas:
                data["areas"] = list(areas)
        spec = parse_definition(data, name)
        return spec.model_dump(mode="json"), warned
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"form{suffix}"
        path.write_bytes(form.data)
        data = read_xlsform(
            path,
            audience=audience or None,
            areas=list(areas) if areas else None,
            warn=lambda message: warned.append(message.removeprefix(f"{name}: ")),
            attachments={item.filename: item.data for item in files},
            skip_refused=skip_refused,
            source=name,
        )
    spec = parse_definition(data, name)
    return spec.model_dump(mode="json"), warned


def upload(form: UploadFile, user, **options) -> SurveyUpload:
    """Check an uploaded definition and keep it for preview (nothing stored on error)."""
    definition, warned = read_definition(form, **options)
    row = SurveyUpload(
        form_id=definition["form_id"],
        definition=definition,
        warnings=warned,
        filename=Path(form.filename).name[:255],
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.commit()
    return row


class PublishRefused(ValueError):
    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail


def publish(row: SurveyUpload, user) -> tuple[SurveyVersion, bool]:
    """Store an upload as the survey's new immutable version: (version, created)."""
    if row.published_version_id is not None:
        raise PublishRefused("published")
    spec = row.spec()
    survey = db.session.scalar(select(Survey).where(Survey.form_id == spec.form_id))
    if survey is not None and survey.audience != spec.audience:
        raise PublishRefused("audience", audience=survey.audience)
    digest = spec.content_hash()
    if survey is not None:
        # As ODK Central does: a version label names one content, for good.
        clash = db.session.scalar(
            select(SurveyVersion).where(
                SurveyVersion.survey_id == survey.id,
                SurveyVersion.label == spec.version,
                SurveyVersion.content_hash != digest,
            )
        )
        if clash is not None:
            raise PublishRefused("label", label=spec.version)
    version, created = store_version(spec, source=row.filename)
    row.published_version_id = version.id
    survey = version.survey
    if survey.archived_at is not None:
        survey.archived_at = None
        audit.record("survey", survey.id, user, "restored")
    audit.record(
        "survey",
        survey.id,
        user,
        "published" if created else "republished",
        version=version.label,
        hash=version.content_hash[:12],
        file=row.filename,
    )
    db.session.commit()
    return version, created


def discard(row: SurveyUpload) -> None:
    db.session.delete(row)
    db.session.commit()


def set_archived(survey: Survey, archived: bool, user) -> None:
    if (survey.archived_at is not None) == archived:
        return
    survey.archived_at = utcnow() if archived else None
    audit.record("survey", survey.id, user, "archived" if archived else "restored")
    db.session.commit()


def as_xlsform(spec: SurveySpec) -> bytes:
    buffer = io.BytesIO()
    write_xlsform(spec, buffer)
    return buffer.getvalue()


def as_yaml(spec: SurveySpec) -> str:
    return dump_yaml(spec.model_dump(mode="json", exclude_defaults=True))


@dataclass
class VersionRow:
    version: SurveyVersion
    spec: SurveySpec
    campaigns: int


@dataclass
class LibraryEntry:
    survey: Survey
    latest: SurveySpec
    versions: list[VersionRow]

    @property
    def campaigns(self) -> int:
        return sum(row.campaigns for row in self.versions)


def library(include_archived: bool = True) -> list[LibraryEntry]:
    """Every survey with its versions (newest first) and how many campaigns use each."""
    counts: Mapping[int, int] = dict(
        db.session.execute(
            select(Campaign.survey_version_id, func.count(Campaign.id)).group_by(
                Campaign.survey_version_id
            )
        ).all()
    )
    stmt = (
        select(Survey)
        .options(selectinload(Survey.versions))
        .order_by(Survey.archived_at.is_not(None), Survey.form_id)
    )
    if not include_archived:
        stmt = stmt.where(Survey.archived_at.is_(None))
    entries = []
    for survey in db.session.scalars(stmt):
        rows = [
            VersionRow(version, version.spec(), counts.get(version.id, 0))
            for version in reversed(survey.versions)
        ]
        if rows:
            entries.append(LibraryEntry(survey, rows[0].spec, rows))
    return entries


def campaigns_of(survey: Survey) -> list[Campaign]:
    ids = [version.id for version in survey.versions]
    stmt = (
        select(Campaign)
        .where(Campaign.survey_version_id.in_(ids))
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
    )
    return list(db.session.scalars(stmt))


def pending_uploads() -> list[SurveyUpload]:
    stmt = (
        select(SurveyUpload)
        .where(SurveyUpload.published_version_id.is_(None))
        .order_by(SurveyUpload.id.desc())
    )
    return list(db.session.scalars(stmt))


def locate(error: DefinitionError) -> dict:
    """A problem as a table row: sheet, row, column (or field), question, and the reason."""
    import re

    found = re.match(r"(?:(?P<sheet>[\w.-]+) (?:sheet )?(?:row|line) (?P<row>\d+)|"
                     r"(?P<settings>settings) sheet)(?:, column '(?P<column>[^']*)')?: ",
                     error.message)  # fmt: skip
    sheet = row = column = None
    reason = error.message
    if found:
        sheet = found.group("sheet") or found.group("settings")
        row = int(found.group("row")) if found.group("row") else None
        column = found.group("column")
        reason = error.message[found.end() :]
    else:
        sheet_only = re.match(r"(?P<sheet>\w+) sheet(?:, column '(?P<column>[^']*)')?: ", reason)
        if sheet_only:
            sheet, column = sheet_only.group("sheet"), sheet_only.group("column")
            reason = reason[sheet_only.end() :]
    return {
        "sheet": sheet,
        "row": row,
        "column": column or error.field,
        "question": error.question,
        "reason": reason,
        "refused": error.refused,
    }
