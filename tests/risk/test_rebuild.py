"""The column-wise recount (portal.risk.rebuild) gives exactly the rollups that submissions
maintain one by one (portal.risk.rollup.add_response)."""

from __future__ import annotations

import copy
import random
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal import ROOT
from portal.extensions import db
from portal.risk import rebuild, rollup
from portal.risk.classify import classify
from portal.risk.models import ResponseCount, RiskCell
from portal.surveys import services
from portal.surveys.definitions import parse_definition
from portal.surveys.models import Campaign, Survey
from portal.surveys.simulate import Profile, simulate
from tests.robustness.test_crash_safety import _rollups
from tests.surveys.conftest import EVERY_TYPE, utc_today


def _choices(*names, missing=()):
    return [{"name": name, "label": {"en": name}} for name in names] + [
        {"name": name, "label": {"en": name}, "missing": True} for name in missing
    ]


def _question(kind, name, risk=None, **extra):
    return {"type": kind, "name": name, "label": {"en": name}, **({"risk": risk} if risk else {}),
            **extra}  # fmt: skip


#: Nothing required, so answers may be absent; several questions per indicator, both risk
#: forms (adverse choices, adverse_when on a number), "don't know" and refusals, both FLX sides.
RISKY = {
    "form_id": "risky", "version": "1", "title": {"en": "Risky"}, "audience": "workers",
    "areas": ["risk_assessment"], "default_language": "en", "languages": ["en"],
    "questions": [
        _question("select_one ynd", "id_access", {"indicator": "FL03", "adverse": ["no"],
                                                  "dimension": "COE"}),
        _question("select_one kept", "id_kept", {"indicator": "FL03", "adverse": ["kept"]}),
        _question("select_multiple fees", "fees", {"indicator": "FL02",
                                                   "adverse": ["agent", "company"]}),
        _question("decimal", "debt", {"indicator": "FL02", "adverse_when": ". >= 100.5",
                                      "dimension": "COE"}),
        _question("integer", "hours", {"indicator": "FL09", "adverse_when": ". > 60",
                                       "dimension": "INV"}),
        _question("select_one ynd", "refuse_ot", {"indicator": "FL09", "adverse": ["no"],
                                                  "dimension": "INV"}, relevant="${hours} > 48"),
        _question("select_one ynd", "free_to_leave", {"indicator": "FL05", "adverse": ["no"],
                                                      "dimension": "INV"}),
        _question("text", "comment"),
        _question("select_one ynd", "plain"),
    ],
    "choices": {
        "ynd": _choices("yes", "no", missing=("dk", "refuse")),
        "kept": _choices("kept", "returned", "never", missing=("dk",)),
        "fees": _choices("agent", "company", "travel", "none", missing=("dk", "refuse")),
    },
}  # fmt: skip


def _second_version():
    """The same form with other rules: the same answers classify differently."""
    definition = copy.deepcopy(RISKY)
    definition["version"] = "2"
    questions = {question["name"]: question for question in definition["questions"]}
    questions["hours"]["risk"]["adverse_when"] = ". > 48"
    questions["fees"]["risk"]["adverse"] = ["agent"]
    del questions["id_access"]["risk"]["dimension"]
    questions["plain"]["risk"] = {"indicator": "GV01", "adverse": ["no"]}
    return definition


CHOICE_VALUES = ["yes", "no", "dk", "refuse", "kept", "returned", "never", "agent", "company",
                 "travel", "none", "dk refuse", "agent dk", "none travel", "maybe",
                 " no "]  # fmt: skip
NUMBER_VALUES = ["0", "48", "49", "60", "61", "60.0", "61.5", "100.5", "100.4", "250", "-3",
                 "1e2", "abc", "7,5", "nan", "inf"]  # fmt: skip
NAMES = [q["name"] for q in RISKY["questions"]]
value = st.one_of(
    st.sampled_from(CHOICE_VALUES),
    st.sampled_from(NUMBER_VALUES),
    st.lists(st.sampled_from(["agent", "company", "travel", "none", "dk", "refuse"]),
             min_size=1, max_size=3, unique=True).map(" ".join),
    st.just(""),
    st.integers(-5, 130).map(str),
)  # fmt: skip
answers = st.dictionaries(st.sampled_from([*NAMES, "id_access", "hours", "fees"]), value)
response = st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 420), answers)


@pytest.fixture
def campaigns(app, deploy, factory):
    """Four campaigns over three sites, open for the last 420 days (five or six quarters):
    two versions of RISKY, the EVERY_TYPE survey, and RISKY again for another group."""
    sites = [factory.site(languages=["en", "ar"]) for _ in range(3)]
    made = [
        deploy(RISKY, sites=sites, starts=-420, days=440)[0],
        deploy(_second_version(), sites=sites, starts=-420, days=440)[0],
        deploy(EVERY_TYPE, sites=sites, starts=-420, days=440)[0],
        deploy(RISKY, group="communities", sites=sites, starts=-420, days=440)[0],
    ]
    return [campaign.id for campaign in made], [site.id for site in sites]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(response, max_size=20))
def test_rebuild_equals_the_incremental_rollups(app, campaigns, batch):
    campaign_ids, site_ids = campaigns
    with app.app_context():
        for which, site, days_ago, data in batch:
            campaign = db.session.get(Campaign, campaign_ids[which])
            site = next(s for s in campaign.sites if s.id == site_ids[site])
            if which == 2:  # EVERY_TYPE requires these two
                data = {"id_access": "yes", "hours": "40", **data}
                data["id_access"] = data["id_access"] or "dk"
                data["hours"] = data["hours"] or "61"
            services.submit_response(campaign, site, "en", data, utc_today() - timedelta(days_ago))
    before = _rollups(app)
    with app.app_context():
        counted = rebuild.rebuild(chunk=7)  # small chunks: responses span several of them
    assert counted == sum(before[1].values()) >= len(batch)
    assert _rollups(app) == before


def test_classifier_equals_classify_row_by_row():
    """The same classification, without a database: every response of a random set."""
    specs = {1: parse_definition(RISKY), 2: parse_definition(_second_version())}
    rng = random.Random(5)
    rows, expected = [], {}
    for response_id in range(1, 400):
        version = rng.choice([1, 2])
        data = {name: rng.choice(CHOICE_VALUES + NUMBER_VALUES) for name in NAMES
                if rng.random() < 0.6}  # fmt: skip
        rows += [(response_id, version, name, text) for name, text in data.items()]
        for indicator, status in classify(specs[version], data).items():
            expected[(response_id, indicator)] = rebuild.CODES[status]
    answers = pd.DataFrame.from_records(rows, columns=rebuild.ANSWER_COLUMNS)
    result = rebuild.Classifier(specs).per_response(answers)
    got = {(int(r.response_id), r.indicator): int(r.code) for r in result.itertuples()}
    assert got == expected
    assert "FLX" in {indicator for _, indicator in got}


def test_shipped_surveys(app, factory):
    """The survey definitions in surveys/ answered by simulated respondents (some sites with
    planted risks) through the normal submission service."""
    sites = [factory.site(languages=["en"]) for _ in range(3)]
    day = utc_today()
    with app.app_context():
        services.sync_folder(ROOT / "surveys")
        rng = random.Random(11)
        surveys = db.session.scalars(select(Survey).where(Survey.audience != "suppliers")).all()
        assert {survey.form_id for survey in surveys} >= {"worker-voice", "community-feedback"}
        for survey in surveys:
            version = survey.latest
            campaign = services.create_campaign(services.CampaignData(
                name=survey.form_id, survey_version_id=version.id,
                stakeholder_group=survey.audience, site_ids=[s.id for s in sites],
                opens_on=day - timedelta(days=200), closes_on=day,
                languages=list(version.spec().languages),
            ))  # fmt: skip
            for index, site in enumerate(campaign.sites):
                profile = Profile(default=0.3, missing=0.2) if index == 0 else Profile()
                simulate(campaign, site, 15, profile, rng, day)
        db.session.commit()
    before = _rollups(app)
    assert {key[2] for key in before[0]} >= {"FL03", "FL09", "FLX"}
    with app.app_context():
        assert rebuild.rebuild(chunk=10) == sum(before[1].values())
    assert _rollups(app) == before


def test_rebuild_command_repairs_the_rollups(app, deploy):
    campaign, (site,) = deploy()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        for data in ({"id_access": "no", "hours": "70"}, {"id_access": "dk", "hours": "30"}):
            services.submit_response(stored, db.session.merge(site), "en", data, utc_today())
    before = _rollups(app)
    with app.app_context():  # damage: a lost row and a wrong count
        db.session.delete(db.session.scalars(select(RiskCell)).first())
        db.session.scalars(select(ResponseCount)).one().count = 9
        db.session.commit()
    assert _rollups(app) != before
    result = app.test_cli_runner().invoke(args=["risk", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Counted 2 responses." in result.output
    assert _rollups(app) == before
    assert "retention" in app.test_cli_runner().invoke(args=["risk", "rebuild", "--help"]).output


def test_rebuild_on_an_empty_database(app):
    with app.app_context():
        assert rollup.rebuild() == 0
    assert _rollups(app) == ({}, {})
    result = app.test_cli_runner().invoke(args=["risk", "rebuild"])
    assert result.exit_code == 0 and "Counted 0 responses." in result.output


def test_rebuild_without_risk_questions(app, deploy):
    """Responses are counted even when their survey maps no question to an indicator."""
    plain = copy.deepcopy(RISKY)
    plain["form_id"] = "plain"
    for question in plain["questions"]:
        question.pop("risk", None)
    campaign, (site,) = deploy(plain)
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        services.submit_response(stored, db.session.merge(site), "en", {"plain": "no"}, utc_today())
    before = _rollups(app)
    assert before[0] == {} and sum(before[1].values()) == 1
    with app.app_context():
        assert rollup.rebuild() == 1
    assert _rollups(app) == before
