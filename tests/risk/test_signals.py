"""Signals end to end: from submitted answers, supplier claims and grievances to what each
audience may see."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.risk import scoring, signals
from portal.risk.classify import period_of
from portal.surveys import services
from portal.surveys.models import Campaign
from tests.surveys.conftest import utc_today


class _Viewer:
    def __init__(self, role):
        self.role = role


def _submit(app, campaign, site, answers):
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        merged = db.session.merge(site)
        for data in answers:
            services.submit_response(stored, merged, "en", data, utc_today())


def _signals(app, sites, role="compliance", **kw):
    with app.app_context():
        merged = [db.session.merge(site) for site in sites]
        return {
            summary.site.id: summary
            for summary in signals.site_signals(
                merged, period_of(utc_today()), user=_Viewer(role), **kw
            )
        }


@pytest.fixture
def two_sites(deploy, factory):
    risky, clean = factory.site(name="Risky"), factory.site(name="Clean")
    campaign, _ = deploy(sites=[risky, clean])
    return campaign, risky, clean


def test_scores_agree_with_the_scalar_maths(app, two_sites):
    campaign, risky, clean = two_sites
    _submit(app, campaign, risky, [{"id_access": "no", "hours": "40"}] * 3
            + [{"id_access": "yes", "hours": "40"}] * 9)  # fmt: skip
    _submit(app, campaign, clean, [{"id_access": "yes", "hours": "40"}] * 12)
    result = _signals(app, [risky, clean])
    fl03 = result[risky.id].signals["FL03"]
    assert (fl03.k, fl03.n) == (3, 12)
    p0 = scoring.pooled_baseline([(3 + 0, 12 + 12)])
    expected = scoring.score_cell(3, 12, p0, scoring.tau_for("FL03"))
    assert fl03.score == pytest.approx(expected.score, abs=1e-6)
    assert fl03.cred90 == pytest.approx((expected.cred90_low, expected.cred90_high), abs=1e-6)
    assert fl03.band == expected.band
    clean_fl03 = result[clean.id].signals["FL03"]
    assert clean_fl03.k == 0 and clean_fl03.no_reports
    assert result[risky.id].forced_labour.indicator in ("FL03", "FLX")


def test_small_cells_are_hidden_and_raise_needs_attention(app, two_sites):
    campaign, risky, clean = two_sites
    _submit(app, campaign, risky, [{"id_access": "no", "hours": "40"}] * 4)
    _submit(app, campaign, clean, [{"id_access": "yes", "hours": "40"}] * 6)
    result = _signals(app, [risky, clean])
    hidden = result[risky.id].signals["FL03"]
    assert hidden.hidden and hidden.score is None and (hidden.k, hidden.n) == (0, 0)
    assert result[risky.id].needs_attention  # a zero-tolerance report inside a hidden cell
    assert not result[clean.id].signals["FL03"].hidden  # n = 6 ≥ 5 for compliance
    # Suppliers and the public need n ≥ 10.
    for_supplier = _signals(app, [risky, clean], role="supplier")
    assert for_supplier[clean.id].signals["FL03"].hidden


def test_a_credible_zero_tolerance_case_lifts_the_signal(app, two_sites, factory):
    from portal.grievances import services as grievances

    campaign, _risky, clean = two_sites
    _submit(app, campaign, clean, [{"id_access": "yes", "hours": "40"}] * 30)
    staff = factory.user("compliance")
    with app.app_context():
        case, _receipt = grievances.create_grievance(
            grievances.IntakeData(reporter="worker", category="documents", language="en",
                                  description="They keep my passport in the office.",
                                  site_id=clean.id)
        )  # fmt: skip
        user = db.session.merge(staff)
        grievances.triage(case, user, severity="critical", indicators=["FL03"], site_id=clean.id)
        case_id = case.id
    before = _signals(app, [clean])[clean.id].signals["FL03"]
    assert before.override is None  # a new, unread case is not yet credible
    with app.app_context():
        from portal.grievances.models import Grievance

        case = db.session.get(Grievance, case_id)
        grievances.change_status(case, db.session.merge(staff), "acknowledged")
    lifted = _signals(app, [clean])[clean.id]
    assert lifted.signals["FL03"].override == "credible_case"
    assert lifted.signals["FL03"].effective_band in ("high", "critical")
    assert lifted.cases == 1 and lifted.cases_per_1000 == pytest.approx(1000 / 500)


def test_near_silence_at_a_large_site(app, factory):
    big = factory.site(name="Big", headcount=3000)
    small = factory.site(name="Small", headcount=80)
    result = _signals(app, [big, small])
    assert result[big.id].near_silence and not result[small.id].near_silence


def test_supplier_denial_against_worker_reports_is_a_discrepancy(app, deploy, factory):
    from tests.surveys.test_saq import PDF, SAQ

    supplier = factory.supplier("Denier")
    site = factory.site(supplier, "Denier Site")
    workers, _ = deploy(sites=[site])
    _submit(app, workers, site, [{"id_access": "no", "hours": "40"}] * 8
            + [{"id_access": "yes", "hours": "40"}] * 4)  # fmt: skip
    saq_definition = {**SAQ, "form_id": "denial-saq"}
    saq_definition["questions"] = [
        *SAQ["questions"][:2],
        {"type": "select_one yn", "name": "passports", "label": {"en": "Do you keep passports?"},
         "risk": {"indicator": "FL03", "adverse": ["yes"]}},
        *SAQ["questions"][2:],
    ]  # fmt: skip
    questionnaire, _ = deploy(saq_definition, group="suppliers", sites=[site])
    from werkzeug.datastructures import MultiDict

    from portal.surveys import engine, saq

    with app.app_context():
        campaign = db.session.get(Campaign, questionnaire.id)
        response = saq.draft_for(campaign, db.session.merge(site), None)
        form = engine.build_form(response.campaign_version_spec())
        saq.save_section(response, form.screens[0],
                         MultiDict({"fees": "no", "passports": "no", "workers": "50"}),
                         "en", None, utc_today())  # fmt: skip
        saq.attach_evidence(response, "policy", "p.pdf", PDF, None)
        assert saq.submit(response, utc_today()) == []
    summary = _signals(app, [site])[site.id]
    assert summary.signals["FL03"].discrepancy and "FL03" in summary.discrepancies


def test_supplier_view_withholds_overrides_small_baselines_and_refusal_only_cells(
    app, two_sites, factory
):
    from portal.grievances import services as grievances

    campaign, risky, clean = two_sites
    _submit(app, campaign, clean, [{"id_access": "yes", "hours": "40"}] * 12)
    _submit(app, campaign, risky, [{"id_access": "dk", "hours": "40"}] * 3)
    staff = factory.user("compliance")
    with app.app_context():
        case, _receipt = grievances.create_grievance(
            grievances.IntakeData(reporter="worker", category="documents", language="en",
                                  description="They keep my passport in the office.",
                                  site_id=clean.id)
        )  # fmt: skip
        user = db.session.merge(staff)
        grievances.triage(case, user, severity="high", indicators=["FL03"], site_id=clean.id)
        grievances.change_status(case, user, "acknowledged")
    staff_view = _signals(app, [risky, clean])
    supplier_view = _signals(app, [risky, clean], role="supplier")
    assert staff_view[clean.id].signals["FL03"].override == "credible_case"
    assert supplier_view[clean.id].signals["FL03"].override is None
    assert supplier_view[clean.id].cases == 0
    # Two sites pooled: a supplier could subtract its own rate from the baseline.
    assert staff_view[clean.id].signals["FL03"].p0 is not None
    assert supplier_view[clean.id].signals["FL09"].p0 is None
    # Only refusals at a site: nothing to show, and the refusals themselves stay hidden.
    assert staff_view[risky.id].signals["FL03"].hidden
