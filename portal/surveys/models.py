"""Surveys, immutable versions, campaigns and responses.

"Who answered" is kept apart from what was answered: an anonymous response row carries its
campaign, site, stakeholder group, language and the day it was submitted, nothing else; the
check constraint makes an anonymous response with a user impossible.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import CheckConstraint as Check
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.risk.catalogue import ANONYMOUS_GROUPS, STAKEHOLDER_GROUPS
from portal.uploads import CONTENT_TYPES_SQL, StoredFileMixin

if TYPE_CHECKING:
    from portal.suppliers.models import Site

_GROUPS = ", ".join(f"'{group}'" for group in STAKEHOLDER_GROUPS)
_ANONYMOUS = ", ".join(f"'{group}'" for group in ANONYMOUS_GROUPS)


class Survey(db.Model):
    """A definition file's identity (its ``form_id``); content lives in versions."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: The stakeholder group it was written for.
    audience: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Archived surveys are not offered for new campaigns; running campaigns go on.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.id"
    )

    @property
    def latest(self) -> SurveyVersion | None:
        return self.versions[-1] if self.versions else None


class _HasDefinition:
    """A validated definition kept as JSON (``definition``); ``spec()`` parses it once."""

    def spec(self):
        from portal.surveys.definitions import SurveySpec

        cached = getattr(self, "_spec", None)
        if cached is None:
            cached = self._spec = SurveySpec.model_validate(self.definition)
        return cached


#: Parsed specs of survey versions, shared by every request of this process: a version never
#: changes, and parsing its JSON and validating it was most of a survey screen's database
#: time. The key carries the content hash, so a database restored or emptied under the same
#: ids can never serve another version's questions. Bounded: oldest first out.
_VERSION_SPECS: dict[tuple[int, str], Any] = {}
VERSION_SPECS_KEPT = 256


class SurveyVersion(_HasDefinition, db.Model):
    """An immutable snapshot of a definition; a changed file makes a new version."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"))
    #: The file's own ``version`` string, for people; identity is the content hash.
    label: Mapped[str] = mapped_column(String(40))
    #: SHA-256 of the canonical JSON of the validated definition.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The validated definition (``SurveySpec.model_dump``), never updated. Deferred: loaded
    #: only when this process has not parsed this version yet (``spec()``).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    source: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")

    def spec(self):
        key = (self.id, self.content_hash)
        cached = _VERSION_SPECS.get(key)
        if cached is None:
            cached = super().spec()
            if self.id is not None:
                if len(_VERSION_SPECS) >= VERSION_SPECS_KEPT:
                    _VERSION_SPECS.pop(next(iter(_VERSION_SPECS)))
                _VERSION_SPECS[key] = cached
        return cached


class SurveyUpload(_HasDefinition, db.Model):
    """A definition uploaded in the survey library, checked and waiting to be previewed and
    published (or discarded). Publishing stores it as an immutable ``SurveyVersion``."""

    __tablename__ = "survey_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    #: The validated definition dict, exactly what publishing stores.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: What the import left out or assumed (metadata dropped, refused questions, ...).
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_versions.id", ondelete="SET NULL")
    )


campaign_sites = Table(
    "campaign_sites",
    db.Model.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True),
)


class Campaign(db.Model):
    """A survey version deployed to some sites for one stakeholder group in a time window."""

    __tablename__ = "campaigns"
    __table_args__ = (
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
        Check("closes_on >= opens_on", name="window_order"),
        # Employees and investors reach a campaign only through its unguessable link.
        Check(
            f"stakeholder_group IN ({_ANONYMOUS}) OR stakeholder_group = 'suppliers'"
            " OR token IS NOT NULL",
            name="token_for_invited_groups",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    survey_version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_versions.id", ondelete="RESTRICT"), index=True
    )
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    #: First and last day on which answers are accepted (inclusive, in UTC days).
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    #: Languages offered, a subset of the survey version's languages.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: For invited groups (employees, investors): part of the campaign link.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Set when compliance closes the campaign early.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    survey_version: Mapped[SurveyVersion] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary=campaign_sites, order_by="Site.name")

    def state(self, today: date) -> str:
        """``scheduled``, ``open`` or ``closed`` on ``today``."""
        if self.closed_at is not None or today > self.closes_on:
            return "closed"
        if today < self.opens_on:
            return "scheduled"
        return "open"


class Response(db.Model):
    """One completed answer set (anonymous) or one supplier questionnaire (SAQ)."""

    __tablename__ = "responses"
    __table_args__ = (
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
        # Anonymity by construction: a response from an anonymous group never has a user.
        Check(
            f"stakeholder_group NOT IN ({_ANONYMOUS}) OR user_id IS NULL", name="anonymous_no_user"
        ),
        Check(
            "status IN ('complete', 'draft', 'submitted', 'returned', 'accepted')",
            name="status_known",
        ),
        # One questionnaire per supplier site and campaign, however many sittings it takes.
        Index(
            "uq_responses_saq_site",
            "campaign_id",
            "site_id",
            unique=True,
            sqlite_where=text("stakeholder_group = 'suppliers'"),
            postgresql_where=text("stakeholder_group = 'suppliers'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    survey_version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_versions.id", ondelete="RESTRICT")
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    #: The day only: anonymous submission times are never stored more precisely.
    submitted_on: Mapped[date] = mapped_column(Date, index=True)
    #: ``complete`` for anonymous answers; SAQs move draft → submitted → returned/accepted.
    status: Mapped[str] = mapped_column(String(12), default="complete")
    #: SAQ only: the supplier account that last saved it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: SAQ only: why compliance returned it, shown to the supplier.
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: SAQ only: last save (staff-side data; anonymous responses leave it empty).
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    campaign: Mapped[Campaign] = relationship()
    survey_version: Mapped[SurveyVersion] = relationship()

    def campaign_version_spec(self):
        return self.survey_version.spec()

    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Evidence.id",
    )


class Answer(db.Model):
    """One question's answer, in long format (select_multiple: space-separated names)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    #: The numeric value of integer, decimal and range answers, for aggregation.
    number: Mapped[float | None] = mapped_column(Float)

    response: Mapped[Response] = relationship(back_populates="answers")


class Evidence(StoredFileMixin, db.Model):
    """A file a supplier attached to a questionnaire answer (PDF, JPEG or PNG; the rules of
    ``portal.uploads``)."""

    __tablename__ = "evidence"
    __table_args__ = (Check(f"content_type IN ({CONTENT_TYPES_SQL})", name="type_allowed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(64))

    response: Mapped[Response] = relationship(back_populates="evidence")
