"""Aggregates maintained incrementally, in the same transaction as each submission, so that a
dashboard request reads a few thousand rollup rows instead of rescanning every answer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class RiskCell(db.Model):
    """The counts behind a signal: site × stakeholder group × indicator × quarter."""

    __tablename__ = "risk_cells"
    __table_args__ = (
        UniqueConstraint("site_id", "stakeholder_group", "indicator", "period",
                         name="uq_risk_cells_key"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    #: An indicator id of the catalogue, or FLX.
    indicator: Mapped[str] = mapped_column(String(8), index=True)
    #: Calendar quarter, ``2026-Q4``.
    period: Mapped[str] = mapped_column(String(7), index=True)
    #: Respondents whose answer was adverse.
    k: Mapped[int] = mapped_column(default=0)
    #: Respondents with a valid answer (refusals and "don't know" excluded).
    n: Mapped[int] = mapped_column(default=0)
    #: Respondents who refused or did not know.
    missing: Mapped[int] = mapped_column(default=0)


class ResponseCount(db.Model):
    """Responses per campaign × site × day: coverage, response rates, engagement matrix."""

    __tablename__ = "response_counts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "site_id", "day", name="uq_response_counts_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)


class RiskBaseline(db.Model):
    """An external baseline for the scoring prior (DESIGN §6: country × sector baselines),
    loaded from an industry benchmark file (``flask reports import-benchmark``). Where one
    exists for a site's country and sector, it centres the prior instead of the pooled rate
    of this programme's own sites."""

    __tablename__ = "risk_baselines"
    __table_args__ = (
        UniqueConstraint("country", "sector", "stakeholder_group", "indicator",
                         name="uq_risk_baselines_key"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(String(30))
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    indicator: Mapped[str] = mapped_column(String(8))
    #: Pooled adverse answers and valid answers behind the rate, and the sites pooled.
    k: Mapped[int]
    n: Mapped[int]
    sites: Mapped[int]
    #: Where the file came from (its name and the benchmark's own period).
    source: Mapped[str] = mapped_column(String(200))
    imported_on: Mapped[date] = mapped_column(Date)
