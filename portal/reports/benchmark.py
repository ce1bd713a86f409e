"""Industry benchmark: an anonymised file of indicator rates by country × sector ×
stakeholder group that an industry association can pool across companies, and the import of
such a file as the external baseline of the scoring prior (``portal.risk.models.RiskBaseline``).

What leaves (docs/reports.md): no site, supplier or company name; only cells that pool at
least ``MIN_SITES`` sites and ``PUBLIC_THRESHOLD`` valid answers. No totals are published, so
primary suppression is enough: a withheld cell cannot be recovered from the others. The
import refuses a file that breaks those rules, so a badly made file cannot lower them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.extensions import db
from portal.risk.catalogue import INDICATORS, STAKEHOLDER_GROUPS
from portal.risk.classify import FLX, period_of
from portal.risk.models import RiskBaseline, RiskCell
from portal.risk.suppression import PUBLIC_THRESHOLD
from portal.suppliers.models import Site
from portal.suppliers.services import COUNTRY_CODES, SECTORS

SCHEMA = "wvp-benchmark/1"
MIN_SITES = 5
COLUMNS = ("schema", "period_start", "period_end", "country", "sector", "stakeholder_group",
           "indicator", "sites", "n", "k", "rate")  # fmt: skip
MAX_ROWS = 100_000


def quarters(start: date, end: date) -> list[str]:
    """The calendar quarters that overlap [start, end]."""
    found, year, quarter = [], start.year, (start.month - 1) // 3 + 1
    last = period_of(end)
    while True:
        period = f"{year}-Q{quarter}"
        found.append(period)
        if period >= last:
            return found
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def benchmark_rows(start: date, end: date) -> list[list]:
    stmt = (
        select(Site.country, Site.sector, RiskCell.stakeholder_group, RiskCell.indicator,
               RiskCell.site_id, RiskCell.k, RiskCell.n)
        .join(Site, Site.id == RiskCell.site_id)
        .where(RiskCell.period.in_(quarters(start, end)))
    )  # fmt: skip
    pooled: dict[tuple, list] = defaultdict(lambda: [set(), 0, 0])
    for country, sector, group, indicator, site_id, k, n in db.session.execute(stmt):
        cell = pooled[(country, sector, group, indicator)]
        cell[0].add(site_id)
        cell[1] += k
        cell[2] += n
    rows = []
    for (country, sector, group, indicator), (sites, k, n) in sorted(pooled.items()):
        if len(sites) < MIN_SITES or n < PUBLIC_THRESHOLD:
            continue
        rows.append([SCHEMA, start.isoformat(), end.isoformat(), country, sector, group,
                     indicator, len(sites), n, k, round(k / n, 6)])  # fmt: skip
    return rows


def benchmark_csv(start: date, end: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(benchmark_rows(start, end))
    return out.getvalue()


def _read(text: str) -> tuple[list[dict], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [_("Missing columns: %(columns)s.", columns=", ".join(missing))]
    rows, errors = [], []
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(_("The file has more than %(num)s rows.", num=MAX_ROWS))
            break
        problem = _row_problem(row)
        if problem:
            errors.append(_("Row %(row)s: %(problem)s.", row=number, problem=problem))
        else:
            rows.append(row)
    return rows, errors


@dataclass
class ImportResult:
    loaded: int
    errors: list[str]


def _int(value: str) -> int:
    number = int(value.strip())
    if number < 0:
        raise ValueError(value)
    return number


def _row_problem(raw: dict) -> str | None:
    # A short row has None for its missing fields; a long one has its extras under None.
    row = {name: str(raw.get(name) or "").strip() for name in COLUMNS}
    if row.get("schema") != SCHEMA:
        return _("the schema is not %(schema)s", schema=SCHEMA)
    if row["country"].upper() not in COUNTRY_CODES:
        return _("unknown country code")
    if row.get("sector") not in SECTORS:
        return _("unknown sector")
    if row.get("stakeholder_group") not in STAKEHOLDER_GROUPS:
        return _("unknown stakeholder group")
    if row.get("indicator") not in (*INDICATORS, FLX):
        return _("unknown indicator")
    try:
        sites, n, k = (_int(row[name]) for name in ("sites", "n", "k"))
    except ValueError:
        return _("sites, n and k must be whole numbers")
    if k > n:
        return _("k is larger than n")
    if sites < MIN_SITES or n < PUBLIC_THRESHOLD:
        return _(
            "a cell must pool at least %(sites)s sites and %(answers)s answers",
            sites=MIN_SITES,
            answers=PUBLIC_THRESHOLD,
        )
    return None


def import_benchmark(text: str, source: str, *, replace: bool = False) -> ImportResult:
    """Check every row first; store nothing if any row is wrong."""
    try:
        rows, errors = _read(text)
    except csv.Error:
        return ImportResult(0, [_("The file is not a readable CSV file.")])
    if errors or not rows:
        return ImportResult(0, errors or [_("The file has no rows.")])
    if replace:
        db.session.execute(delete(RiskBaseline))
    existing = {(b.country, b.sector, b.stakeholder_group, b.indicator): b
                for b in db.session.scalars(select(RiskBaseline))}  # fmt: skip
    today = date.today()
    for raw in rows:
        row = {name: str(raw.get(name) or "").strip() for name in COLUMNS}
        key = (row["country"].upper(), row["sector"], row["stakeholder_group"], row["indicator"])
        baseline = existing.get(key) or RiskBaseline(
            country=key[0], sector=key[1], stakeholder_group=key[2], indicator=key[3]
        )
        baseline.k, baseline.n, baseline.sites = int(row["k"]), int(row["n"]), int(row["sites"])
        baseline.source = f"{source[:150]} {row['period_start']}/{row['period_end']}"[:200]
        baseline.imported_on = today
        db.session.add(baseline)
        existing[key] = baseline
    db.session.commit()
    return ImportResult(len(rows), [])
