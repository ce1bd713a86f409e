"""Supplier self-assessment questionnaires (SAQ): drafts saved section by section over several
sittings, evidence files checked by content, submission, and review by compliance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal import uploads
from portal.db import utcnow
from portal.extensions import db
from portal.surveys import engine
from portal.surveys.models import Answer, Campaign, Evidence, Response

# The evidence rules every capability shares (portal.uploads), under the names views use.
UPLOAD_MAX_BYTES = uploads.UPLOAD_MAX_BYTES
UploadRejected = uploads.UploadRejected
read_upload = uploads.read_upload

EDITABLE = ("draft", "returned")


class NotEditable(ValueError):
    pass


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
    stored = uploads.store(filename, data)
    for old in [item for item in response.evidence if item.question == question]:
        remove_evidence(response, old, commit=False)
    evidence = Evidence(
        question=question,
        **stored.columns(),
        uploaded_by_id=user.id if user is not None else None,
    )
    response.evidence.append(evidence)
    existing = {answer.question: answer for answer in response.answers}
    if question in existing:
        existing[question].value = stored.filename
    else:
        response.answers.append(Answer(question=question, value=stored.filename))
    response.updated_at = utcnow()
    db.session.commit()
    return evidence


def remove_evidence(response: Response, evidence: Evidence, *, commit: bool = True) -> None:
    uploads.remove(evidence.stored_name)
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
