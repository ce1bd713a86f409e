"""Verification that listens to workers: the pulse survey, the before/after comparison behind
the suppression gate, and the contradiction of a plan verified while workers still report."""

from __future__ import annotations

from portal.extensions import db
from portal.remediation.models import CorrectiveActionPlan
from tests.factories import login
from tests.remediation.helpers import answer_pulse, plan_at, worker_voice_campaign


def _setup(app, factory, languages=("bn", "ar")):
    supplier = factory.supplier()
    site = factory.site(supplier, languages=list(languages))
    lead = factory.user("compliance")
    owner = factory.user("supplier", supplier=supplier)
    worker_voice_campaign(app, site, adverse={"FL03": 0.6}, responses=30)
    return site, lead, owner


def test_a_pulse_whose_signal_fell_verifies_the_plan(app, client, factory):
    site, lead, owner = _setup(app, factory)
    # Other sites where nobody's documents are held: the pooled baseline every signal's prior
    # starts from (DESIGN §6) is low, as in a real supply chain.
    worker_voice_campaign(app, factory.site(), adverse={"FL03": 0.0}, responses=200, seed=3)
    cap_id = plan_at(app, site, lead, owner, status="awaiting_verification")
    with app.app_context():
        finding = db.session.get(CorrectiveActionPlan, cap_id).findings[0]
        assert finding.baseline_n >= 25 and finding.baseline_k > 5  # the snapshot at opening

    login(client, lead)
    refused = client.post(f"/caps/{cap_id}/status", data={"status": "verified"})
    assert refused.status_code == 409
    assert "pulse survey first" in refused.text  # evidence alone is not enough
    assert client.post(f"/caps/{cap_id}/pulse").status_code == 302
    again = client.post(f"/caps/{cap_id}/pulse")
    assert again.status_code == 409 and "already running" in again.text

    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        campaign = cap.pulse_campaign
        spec = campaign.survey_version.spec()
        asked = {q.risk.indicator for q in spec.questions if q.risk}
        assert [s.id for s in campaign.sites] == [site.id]
        assert set(campaign.languages) == {"bn", "ar"}  # the site's languages only
        assert asked == {"FL03"}  # only the plan's indicator is asked again
        assert len(spec.questions) < 10

    answer_pulse(app, cap_id, adverse={"FL03": 0.0}, responses=30)
    page = client.get(f"/caps/{cap_id}")
    assert "still high" not in page.text
    verified = client.post(f"/caps/{cap_id}/status", data={"status": "verified", "note": "OK"})
    assert verified.status_code == 302
    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        (check,) = cap.checks
        assert cap.status == "verified" and not cap.contradiction
        assert check.before_n >= 25 and 20 <= check.after_n <= 30 and check.after_k == 0
        assert check.after_score < 50 <= check.before_score
        assert check.p_increase < 0.05  # the trend probability says it fell


def test_verified_while_workers_still_report_it_says_so(app, client, factory):
    site, lead, owner = _setup(app, factory)
    cap_id = plan_at(app, site, lead, owner, status="awaiting_verification")
    login(client, lead)
    client.post(f"/caps/{cap_id}/pulse")
    answer_pulse(app, cap_id, adverse={"FL03": 0.7}, responses=15)
    response = client.post(f"/caps/{cap_id}/status", data={"status": "verified", "note": "OK"},
                           follow_redirects=True)  # fmt: skip
    assert "still put this indicator at high or critical" in response.text
    with app.app_context():
        assert db.session.get(CorrectiveActionPlan, cap_id).contradiction
    assert "Workers still report it" in client.get("/caps").text
    assert "Verified while workers still report the problem." in client.get(f"/caps/{cap_id}").text


def test_a_pulse_with_too_few_answers_hides_the_after_side_and_blocks_verification(
    app, client, factory
):
    site, lead, owner = _setup(app, factory, languages=("en",))
    cap_id = plan_at(app, site, lead, owner, status="awaiting_verification")
    login(client, lead)
    client.post(f"/caps/{cap_id}/pulse")
    answer_pulse(app, cap_id, adverse={"FL03": 1.0}, responses=3)
    page = client.get(f"/caps/{cap_id}").text
    assert "fewer than 5 responses so far" in page
    assert "hidden: too few answers" in page
    assert client.post(f"/caps/{cap_id}/status", data={"status": "verified"}).status_code == 409
    client.post("/logout")
    # The supplier's view of the same comparison: small cells hidden, and no finding detail.
    login(client, owner)
    page = client.get(f"/caps/{cap_id}").text
    assert "hidden: too few answers" in page and "Staff-only detail." not in page
    assert "Needs attention" in page


def test_no_pulse_when_the_finding_is_not_what_workers_said(app, client, factory):
    site, lead, owner = _setup(app, factory)
    cap_id = plan_at(app, site, lead, owner, source="saq", group="suppliers",
                     status="awaiting_verification")  # fmt: skip
    login(client, lead)
    refused = client.post(f"/caps/{cap_id}/pulse")
    assert refused.status_code == 409 and "no questions for this plan" in refused.text
    # evidence suffices when workers cannot be asked about the indicator
    assert client.post(f"/caps/{cap_id}/status", data={"status": "verified"}).status_code == 302
