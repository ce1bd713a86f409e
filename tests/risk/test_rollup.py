"""Rollups are maintained by each submission and always equal a recount of the answers."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.risk import rollup
from portal.risk.classify import classify, period_of
from portal.risk.models import ResponseCount, RiskCell
from portal.surveys import services
from portal.surveys.definitions import parse_definition
from portal.surveys.models import Campaign
from tests.surveys.conftest import EVERY_TYPE, utc_today


def _cells(app):
    with app.app_context():
        return {
            (c.site_id, c.stakeholder_group, c.indicator, c.period): (c.k, c.n, c.missing)
            for c in db.session.scalars(select(RiskCell))
        }


def test_classification_of_one_response():
    spec = parse_definition(EVERY_TYPE)
    assert classify(spec, {"id_access": "no", "hours": "70"}) == {
        "FL03": "adverse", "FL09": "adverse", "FLX": "adverse",
    }  # fmt: skip
    assert classify(spec, {"id_access": "yes", "hours": "70"}) == {
        "FL03": "ok", "FL09": "adverse", "FLX": "ok",
    }  # fmt: skip
    # "don't know" is missing, not a "no"; FLX needs a valid answer in both dimensions.
    assert classify(spec, {"id_access": "dk", "hours": "40"}) == {"FL03": "missing", "FL09": "ok"}
    assert classify(spec, {}) == {}


def test_each_submission_updates_the_cells_in_its_transaction(app, deploy):
    campaign, (site,) = deploy()
    answers = [
        {"id_access": "no", "hours": "70"},
        {"id_access": "yes", "hours": "40"},
        {"id_access": "dk", "hours": "65"},
    ]
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        for data in answers:
            services.submit_response(stored, db.session.merge(site), "en", data, utc_today())
    period = period_of(utc_today())
    cells = _cells(app)
    key = (site.id, "workers")
    assert cells[(*key, "FL03", period)] == (1, 2, 1)
    assert cells[(*key, "FL09", period)] == (2, 3, 0)
    assert cells[(*key, "FLX", period)] == (1, 2, 0)
    with app.app_context():
        counts = [(c.site_id, c.count) for c in db.session.scalars(select(ResponseCount))]
    assert counts == [(site.id, 3)]
    # A full recount from the stored answers gives exactly the same rows.
    with app.app_context():
        assert rollup.rebuild() == 3
    assert _cells(app) == cells


def test_demo_rollups_equal_a_recount(app):
    assert app.test_cli_runner().invoke(args=["demo", "--responses", "120"]).exit_code == 0
    before = _cells(app)
    assert len(before) > 100
    with app.app_context():
        rollup.rebuild()
    assert _cells(app) == before


def test_rebuild_command(app, deploy):
    campaign, (site,) = deploy()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        services.submit_response(stored, db.session.merge(site), "en",
                                 {"id_access": "no", "hours": "1"}, utc_today())  # fmt: skip
    result = app.test_cli_runner().invoke(args=["risk", "rebuild"])
    assert result.exit_code == 0 and "Counted 1 responses." in result.output
    assert "rebuild" in app.test_cli_runner().invoke(args=["risk", "--help"]).output
