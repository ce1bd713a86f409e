"""Writes for surveys: syncing definition files into versions, campaigns, and submitting
responses (the same functions serve the web views, the CLI and the demo simulation)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import bindparam, exists, insert, select

from portal.db import serialised_writes, utcnow
from portal.extensions import db
from portal.risk.catalogue import ANONYMOUS_GROUPS, STAKEHOLDER_GROUPS
from portal.suppliers.models import Site
from portal.surveys import engine
from portal.surveys.definitions import (
    DefinitionInvalid,
    SurveySpec,
    definition_files,
    load_definition,
)
from portal.surveys.models import (
    Answer,
    Campaign,
    Response,
    Survey,
    SurveyVersion,
    campaign_sites,
)


@dataclass
class SyncResult:
    created: list[str]
    unchanged: list[str]
    errors: list[str]


def store_version(spec: SurveySpec, source: str | None = None) -> tuple[SurveyVersion, bool]:
    """The version for this exact content, creating it (and the survey) when new.

    Versions are never updated: a changed definition always becomes a new version, so
    responses keep pointing at exactly the questions they answered."""
    survey = db.session.scalar(select(Survey).where(Survey.form_id == spec.form_id))
    if survey is None:
        survey = Survey(form_id=spec.form_id, audience=spec.audience)
        db.session.add(survey)
        db.session.flush()
    digest = spec.content_hash()
    existing = db.session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.content_hash == digest
        )
    )
    if existing is not None:
        return existing, False
    version = SurveyVersion(
        survey_id=survey.id,
        label=spec.version,
        content_hash=digest,
        definition=spec.model_dump(mode="json"),
        source=source,
    )
    db.session.add(version)
    db.session.flush()
    return version, True


def sync_folder(folder: Path) -> SyncResult:
    result = SyncResult([], [], [])
    for path in definition_files(folder):
        try:
            spec = load_definition(path)
        except DefinitionInvalid as error:
            result.errors.extend(str(item) for item in error.errors)
            continue
        version, created = store_version(spec, source=path.name)
        (result.created if created else result.unchanged).append(
            f"{spec.form_id} {version.label} ({version.content_hash[:8]})"
        )
    db.session.commit()
    return result


@dataclass
class CampaignData:
    name: str
    survey_version_id: int
    stakeholder_group: str
    site_ids: list[int]
    opens_on: date
    closes_on: date
    languages: list[str]


class CampaignInvalid(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def create_campaign(data: CampaignData, created_by_id: int | None = None) -> Campaign:
    version = db.session.get(SurveyVersion, data.survey_version_id)
    if version is None:
        raise CampaignInvalid("version_unknown")
    if data.stakeholder_group not in STAKEHOLDER_GROUPS:
        raise CampaignInvalid("group_unknown")
    if data.closes_on < data.opens_on:
        raise CampaignInvalid("window_order")
    spec = version.spec()
    languages = [code for code in data.languages if code in spec.languages]
    if not languages or len(languages) != len(data.languages):
        raise CampaignInvalid("languages")
    sites = list(db.session.scalars(select(Site).where(Site.id.in_(data.site_ids))))
    if not sites or len(sites) != len(set(data.site_ids)):
        raise CampaignInvalid("sites")
    invited = data.stakeholder_group not in (*ANONYMOUS_GROUPS, "suppliers")
    campaign = Campaign(
        name=data.name,
        survey_version_id=version.id,
        stakeholder_group=data.stakeholder_group,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        languages=languages,
        token=secrets.token_urlsafe(24) if invited else None,
        created_by_id=created_by_id,
        sites=sites,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def close_campaign(campaign: Campaign) -> None:
    if campaign.closed_at is None:
        campaign.closed_at = utcnow()
        db.session.commit()


class ResponseRejected(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@cache
def _site_in_campaign():
    return select(exists().where(campaign_sites.c.campaign_id == bindparam("campaign_id"),
                                 campaign_sites.c.site_id == bindparam("site_id")))  # fmt: skip


def _in_campaign(campaign: Campaign, site: Site) -> bool:
    """Without loading every site of the campaign (one EXISTS instead)."""
    if "sites" in campaign.__dict__:  # already loaded
        return site.id in {s.id for s in campaign.sites}
    params = {"campaign_id": campaign.id, "site_id": site.id}
    return bool(db.session.scalar(_site_in_campaign(), params))


def submit_response(
    campaign: Campaign, site: Site, language: str, answers: dict[str, str], today: date
) -> Response:
    """Validate everything again and write the response in one transaction.

    Only the day is stored, and nothing about the respondent: no user, address or device."""
    if campaign.state(today) != "open":
        raise ResponseRejected("closed")
    if not _in_campaign(campaign, site):
        raise ResponseRejected("site")
    if language not in campaign.languages:
        raise ResponseRejected("language")
    form = engine.build_form(campaign.survey_version.spec())
    kept = engine.clean_answers(form, answers, today)
    missing = engine.unanswered_required(form, kept, today)
    if missing:
        raise ResponseRejected("incomplete")
    response = Response(
        campaign_id=campaign.id,
        survey_version_id=campaign.survey_version_id,
        site_id=site.id,
        stakeholder_group=campaign.stakeholder_group,
        language=language,
        submitted_on=today,
        status="complete",
    )
    # Everything computed before the first write: the write lock is held only for the writes.
    rows = []
    for name, value in kept.items():
        question = form.spec.question(name)
        number = None
        if question.base_type in ("integer", "decimal", "range"):
            try:
                number = float(value)
            except ValueError:
                number = None
        rows.append({"question": name, "value": value, "number": number})
    from portal.risk import rollup  # here: portal.risk reads surveys, which import this module

    counts, cells = rollup.contribution(response, form.spec, kept)
    with serialised_writes(db.session):
        db.session.add(response)
        db.session.flush()
        # One executemany for every answer (the ORM sent one INSERT … RETURNING per answer).
        if rows:
            db.session.execute(insert(Answer.__table__), [{**row, "response_id": response.id}
                                                          for row in rows])  # fmt: skip
        # The rollups change in the same transaction: they always match the stored answers.
        rollup.add_contribution(counts, cells)
        db.session.commit()
    return response
