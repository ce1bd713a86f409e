"""The industry benchmark: cells of at least 5 sites and 10 answers, no names, and an import
that checks every row before storing any, then centres matching sites' priors."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.grievances.services import today
from portal.reports import benchmark
from portal.risk import scoring
from portal.risk.classify import period_of
from portal.risk.models import RiskBaseline, RiskCell
from portal.risk.signals import site_signals
from portal.suppliers.models import Site
from tests.factories import login
from tests.remediation.helpers import worker_voice_campaign


def _sites(app, factory, count, country, sector, responses=4):
    made = []
    for index in range(count):
        site = factory.site(name=f"{country}-{sector}-{index}", country=country, sector=sector)
        worker_voice_campaign(app, site, adverse={"FL03": 0.5}, responses=responses,
                              seed=index + 10)  # fmt: skip
        made.append(site)
    return made


def _period():
    return today() - timedelta(days=30), today() + timedelta(days=1)


def test_only_cells_of_five_sites_leave_without_names(app, client, factory):
    five = _sites(app, factory, 5, "BD", "apparel")
    four = _sites(app, factory, 4, "VN", "electronics", responses=10)
    lead = factory.user("compliance")
    login(client, lead)
    start, end = _period()
    response = client.get(f"/reports/benchmark.csv?period_start={start}&period_end={end}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {(r["country"], r["sector"]) for r in rows} == {("BD", "apparel")}
    for site in five + four:
        assert site.name not in text and site.code not in text
    with app.app_context():
        k, n = db.session.execute(
            select(func.sum(RiskCell.k), func.sum(RiskCell.n))
            .join(Site, Site.id == RiskCell.site_id)
            .where(Site.country == "BD", RiskCell.indicator == "FL03",
                   RiskCell.stakeholder_group == "workers")
        ).one()  # fmt: skip
    fl03 = next(r for r in rows if r["indicator"] == "FL03" and r["stakeholder_group"] == "workers")
    assert (int(fl03["sites"]), int(fl03["n"]), int(fl03["k"])) == (5, n, k)
    bad = client.get("/reports/benchmark.csv?period_start=2026-05-01&period_end=2026-01-01&lang=en")
    assert bad.status_code == 400 and "The period must start" in bad.data.decode()


def _file(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(benchmark.COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


GOOD = [benchmark.SCHEMA, "2026-01-01", "2026-03-31", "KH", "apparel", "workers", "FL03",
        "12", "400", "80", "0.2"]  # fmt: skip


def test_import_checks_every_row_and_stores_nothing_on_error(app, client, factory):
    login(client, factory.user("compliance"))
    small = [*GOOD[:7], "3", "400", "80", "0.2"]
    upside = [*GOOD[:7], "12", "40", "80", "2"]
    unknown = [*GOOD[:6], "ZZ99", *GOOD[7:]]
    response = client.post("/reports/benchmark?lang=en", data={
        "file": (io.BytesIO(_file([GOOD, small, upside, unknown])), "pooled.csv")})  # fmt: skip
    assert response.status_code == 400
    page = response.data.decode()
    for row, reason in ((3, "at least 5 sites"), (4, "k is larger than n"),
                        (5, "unknown indicator")):  # fmt: skip
        assert f"Row {row}: " in page and reason in page
    with app.app_context():
        assert db.session.scalar(select(func.count(RiskBaseline.id))) == 0
    garbage = client.post("/reports/benchmark?lang=en", data={
        "file": (io.BytesIO(b"\xff\xfe\x00binary"), "x.csv")})  # fmt: skip
    assert garbage.status_code == 400 and "not UTF-8" in garbage.data.decode()
    nothing = client.post("/reports/benchmark?lang=en", data={})
    assert nothing.status_code == 400 and "Choose a file." in nothing.data.decode()


def test_an_imported_baseline_centres_the_prior_of_matching_sites(app, client, factory):
    cambodia = factory.site(name="Phnom Penh Sewing", country="KH", sector="apparel")
    elsewhere = factory.site(name="Dhaka Sewing", country="BD", sector="apparel")
    for index, site in enumerate((cambodia, elsewhere)):
        worker_voice_campaign(app, site, adverse={"FL03": 0.3}, responses=12, seed=index)
    lead = factory.user("compliance")
    login(client, lead)
    response = client.post("/reports/benchmark", data={
        "file": (io.BytesIO(_file([GOOD])), "pooled.csv")})  # fmt: skip
    assert response.status_code == 302
    assert "KH" in client.get("/reports/benchmark?lang=en").data.decode()
    with app.app_context():
        user = db.session.merge(lead)
        sites = list(db.session.scalars(select(Site).order_by(Site.id)))
        summaries = site_signals(sites, period_of(today()), user=user)
        by_site = {s.site.id: s.signals["FL03"] for s in summaries}
    assert by_site[cambodia.id].p0 == scoring.pooled_baseline([(80, 400)]) == 0.2
    assert by_site[elsewhere.id].p0 != 0.2


def test_malformed_files_are_refused_not_crashed(app, client, factory):
    """Regressions from the fuzzing: a bare carriage return inside a field, a short row."""
    login(client, factory.user("compliance"))
    header = ",".join(benchmark.COLUMNS).encode()
    for content, reason in ((header + b"\nwvp\rx", "Row 2"), (header + b"\nwvp-benchmark/1",
                                                               "Row 2")):  # fmt: skip
        response = client.post("/reports/benchmark?lang=en", data={
            "file": (io.BytesIO(content), "b.csv")})  # fmt: skip
        assert response.status_code == 400 and reason in response.data.decode()
