"""Supplier self-assessment questionnaires (SAQ): drafts saved section by section over several
sittings, evidence files checked by content, submission, and review by compliance."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from portal.db import utcnow
from portal.extensions import db
from portal.surveys import engine
from portal.surveys.models import Answer, Campaign, Evidence, Response

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Magic numbers: the type comes from the first bytes, never from the name or the browser.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".png": "image/png"}  # fmt: skip
EDITABLE = ("draft", "returned")


class UploadRejected(ValueError):
    """``too_large``, ``empty``, ``type`` (not PDF/JPEG/PNG) or ``mismatch`` (name lies)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class NotEditable(ValueError):
    pass


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def uploads_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_upload(stream, limit: int = UPLOAD_MAX_BYTES) -> bytes:
    """Read at most ``limit`` bytes; one more means the file is too large."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected("too_large")
    if not data:
        raise UploadRejected("empty")
    return data


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """(clean file name, content type) or UploadRejected."""
    kind = sniff(data[:16])
    if kind is None:
        raise UploadRejected("type")
    clean = secure_filename(filename or "") or "evidence"
    suffix = Path(clean).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UploadRejected("type")
    if EXTENSIONS[suffix] != kind:
        raise UploadRejected("mismatch")
    # Cap the length but keep the extension, so the download still opens as what it is.
    stem, ending = clean[: -len(suffix)], clean[-len(suffix) :]
    return stem[: 200 - len(ending)] + ending, kind


def draft_for(campaign: Campaign, site, user) -> Response:
    """The site's questionnaire for this campaign, created on first use."""
    response = db.session.scalar(
        select(Response).where(Response.campaign_id == campaign.id, Response.site_id == site.id)
    )
    if response is None:
        response = Response(
            campaign_id=campaign.id,
            survey_version_id=campaign.survey_version_id,
            site_id=site.id,
            stakeholder_group="suppliers",
            language=campaign.languages[0],
            submitted_on=utcnow().date(),
            status="draft",
            user_id=user.id if user is not None else None,
            updated_at=utcnow(),
        )
        db.session.add(response)
        db.session.commit()
    return response


def answers_of(response: Response) -> dict[str, str]:
    return {answer.question: answer.value for answer in response.answers}


def _write_answers(response: Response, updates: dict[str, str]) -> None:
    existing = {answer.question: answer for answer in response.answers}
    form = engine.build_form(response.campaign_version_spec())
    for name, value in updates.items():
        question = form.spec.question(name)
        if question is None or question.base_type == "file":
            continue
        if value == "":
            if name in existing:
                response.answers.remove(existing[name])
            continue
        number = None
        if question.base_type in ("integer", "decimal", "range"):
            try:
                number = float(value)
            except ValueError:
                number = None
        if name in existing:
            existing[name].value, existing[name].number = value, number
        else:
            response.answers.append(Answer(question=name, value=value, number=number))


@dataclass
class SaveResult:
    errors: dict[str, str]


def save_section(response, screen, formdata, language: str, user, today: date) -> SaveResult:
    """Save what is valid on one section; required answers are only enforced at submit."""
    if response.status not in EDITABLE:
        raise NotEditable(response.status)
    form = engine.build_form(response.campaign_version_spec())
    current = answers_of(response)
    updates, errors = engine.parse_screen(
        form, screen, formdata, current, language, today, enforce_required=False
    )
    _write_answers(response, {name: value for name, value in updates.items()
                              if name not in errors})  # fmt: skip
    response.user_id = user.id if user is not None else None
    response.language = language
    response.updated_at = utcnow()
    db.session.commit()
    return SaveResult(errors)


def attach_evidence(
    response: Response, question: str, filename: str, data: bytes, user
) -> Evidence:
    if response.status not in EDITABLE:
        raise NotEditable(response.status)
    clean, kind = check_upload(filename, data)
    stored_name = secrets.token_hex(16)
    path = uploads_folder() / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    for old in [item for item in response.evidence if item.question == question]:
        remove_evidence(response, old, commit=False)
    evidence = Evidence(
        question=question, filename=clean, stored_name=stored_name, content_type=kind,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=user.id if user is not None else None,
    )  # fmt: skip
    response.evidence.append(evidence)
    existing = {answer.question: answer for answer in response.answers}
    if question in existing:
        existing[question].value = clean
    else:
        response.answers.append(Answer(question=question, value=clean))
    response.updated_at = utcnow()
    db.session.commit()
    return evidence


def remove_evidence(response: Response, evidence: Evidence, *, commit: bool = True) -> None:
    (uploads_folder() / evidence.stored_name).unlink(missing_ok=True)
    response.evidence.remove(evidence)
    for answer in list(response.answers):
        if answer.question == evidence.question:
            response.answers.remove(answer)
    if commit:
        db.session.commit()


def missing_answers(response: Response, today: date) -> list[str]:
    form = engine.build_form(response.campaign_version_spec())
    return engine.unanswered_required(form, answers_of(response), today)


def submit(response: Response, today: date) -> list[str]:
    """Submit when complete; returns the names of required questions still unanswered."""
    if response.status not in EDITABLE:
        raise NotEditable(response.status)
    missing = missing_answers(response, today)
    if missing:
        return missing
    response.status = "submitted"
    response.submitted_on = today
    response.updated_at = utcnow()
    db.session.commit()
    return []


def return_for_changes(response: Response, comment: str) -> None:
    if response.status != "submitted":
        raise NotEditable(response.status)
    response.status = "returned"
    response.review_comment = comment
    response.updated_at = utcnow()
    db.session.commit()


def accept(response: Response) -> None:
    if response.status != "submitted":
        raise NotEditable(response.status)
    response.status = "accepted"
    response.review_comment = None
    response.updated_at = utcnow()
    db.session.commit()
