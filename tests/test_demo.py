"""`flask --app portal demo` builds a realistic, idempotent demonstration."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.suppliers.models import Site, Supplier
from portal.surveys.models import Campaign, Response
from tests.factories import login


def _counts(app):
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Supplier, Site, User)
        }


def test_demo_is_realistic_idempotent_and_prints_the_logins(app, client):
    """Also deploys the shipped surveys and simulates answers through submit_response."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--responses", "60"])
    assert first.exit_code == 0, first.output
    counts = _counts(app)
    assert 8 <= counts["Supplier"] <= 10 and counts["Site"] == 15 and counts["User"] == 4
    with app.app_context():
        codes = {site.code: site for site in db.session.scalars(select(Site))}
        countries = {site.country for site in codes.values()}
        languages = {lang for site in codes.values() for lang in site.languages}
        roles = set(db.session.scalars(select(User.role)))
    assert len(countries) >= 6
    assert {"bn", "my", "ne", "km", "ar", "ur", "vi", "zh_Hans"} <= languages
    assert roles == {"admin", "compliance", "supplier", "monitor"}

    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))
        campaigns = set(db.session.scalars(select(Campaign.name)))
    # Besides the three deployments: pulse surveys of plans and the training's feedback survey.
    assert responses >= 60 and {
        c for c in campaigns if not c.startswith("Pulse survey") and " · " not in c
    } == {
        "Worker voice 2026",
        "Community feedback 2026",
        "Supplier self-assessment 2026",
    }
    _engagement_demo(app)
    from portal.grievances.models import Grievance

    with app.app_context():
        cases = list(db.session.scalars(select(Grievance)))
        # Seven open-ended demo cases and thirty earlier, resolved ones for the public report.
        assert len(cases) == 37 and {c.language for c in cases} >= {"my", "bn", "ne", "zh_Hans"}
        assert {c.status for c in cases} >= {"new", "investigating", "closed"}
    from portal.remediation.models import STATUSES, CorrectiveActionPlan

    with app.app_context():
        plans = list(db.session.scalars(select(CorrectiveActionPlan)))
        assert {plan.status for plan in plans} == set(STATUSES)
        verified = {plan.site.name: plan for plan in plans if plan.status == "verified"}
        (debt,) = verified["Songkhla Cold Store"].checks
        assert debt.after_n >= 5 and debt.after_score < debt.before_score  # the signal fell
        assert not verified["Songkhla Cold Store"].contradiction
        assert verified["Al Hassan Estate Factory"].contradiction  # workers still report it
        assert any(plan.findings[-1].grievance_id for plan in plans)
    plan_count = len(plans)
    second = runner.invoke(args=["demo", "--responses", "60"])
    assert second.exit_code == 0
    assert _counts(app) == counts
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CorrectiveActionPlan)) == (
            plan_count
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Grievance)) == 37
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == responses
    with app.app_context():
        assert set(db.session.scalars(select(Site.code))) == set(codes)  # posters stay valid

    _reports_demo(app)
    for line in ("compliance@demo.example", "compliance-demo-2026"):
        assert line in first.output
    table = first.output.split("Demo logins")[1].splitlines()
    assert table[1].split() == ["Role", "Email", "Password", "Sees"]
    assert set(table[2].replace(" ", "")) == {"-"}
    assert any(row.split()[:3] == ["compliance", "compliance@demo.example",
                                   "compliance-demo-2026"] for row in table[3:])  # fmt: skip
    # The printed logins work.
    assert login(client, "supplier@demo.example", "supplier-demo-2026").status_code == 302
    listing = client.get("/sites").data.decode()
    assert "Bayan Lepas Plant" in listing and "Gazipur" not in listing


def _reports_demo(app):
    """A bilingual draft with a comment from the NGO's monitor, and enough cases in its period
    for grievance figures above the public threshold."""
    from portal.reports import figures
    from portal.reports.models import PublicReport

    with app.test_request_context("/"):
        (report,) = db.session.scalars(select(PublicReport))
        assert report.languages == ["en", "ar"] and not report.versions
        assert [c.partner.kind for c in report.comments] == ["ngo"]
        computed = figures.compute(report.period_start, report.period_end)
    assert computed["grievances"]["acknowledged"]["total"] >= 30
    assert computed["grievances"]["median_days"] is not None


def test_demo_if_new_leaves_an_existing_database_alone(app, factory):
    factory.user("admin", email="real-admin@test.example")
    result = app.test_cli_runner().invoke(args=["demo", "--if-new"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert _counts(app)["Site"] == 0


def test_cli_help_texts(app):
    runner = app.test_cli_runner()
    assert "demonstration data" in runner.invoke(args=["demo", "--help"]).output
    assert "Create a staff account." in runner.invoke(args=["users", "--help"]).output
    assert "catalog" in runner.invoke(args=["i18n", "--help"]).output


def test_simulated_answers_show_the_planted_patterns(app):
    """The demo's high-risk sites really answer differently from the others."""
    from portal.surveys.models import Answer

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--responses", "400"]).exit_code == 0
    with app.app_context():
        rows = db.session.execute(
            select(Site.name, Answer.number)
            .join(Response, Response.site_id == Site.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Answer.question == "hours_last_week")
        ).all()
    by_site: dict[str, list[float]] = {}
    for name, hours in rows:
        by_site.setdefault(name, []).append(hours)
    mean = {name: sum(values) / len(values) for name, values in by_site.items()}
    assert mean["Dongguan Assembly Plant"] > 60 > mean["Gazipur Knitting Unit"]


def test_one_supplier_questionnaire_denies_what_its_workers_report(app):
    """The planted discrepancy: Andaman Seafood's SAQ claims no document retention, no fees,
    no confinement, while its workers report all three far more than elsewhere."""
    from portal.surveys.models import Answer

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--responses", "400"]).exit_code == 0
    with app.app_context():
        rows = db.session.execute(
            select(Supplier.name, Response.status, Answer.question, Answer.value)
            .join(Site, Site.supplier_id == Supplier.id)
            .join(Response, Response.site_id == Site.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.stakeholder_group == "suppliers")
        ).all()
        from portal.surveys.models import Campaign as C

        spec = db.session.scalar(
            select(C).where(C.name == "Supplier self-assessment 2026")
        ).survey_version.spec()
        worker_rows = db.session.execute(
            select(Supplier.name, Answer.value)
            .join(Site, Site.supplier_id == Supplier.id)
            .join(Response, Response.site_id == Site.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.stakeholder_group == "workers", Answer.question == "id_documents")
        ).all()
    statuses = {(name, status) for name, status, _q, _v in rows}
    assert ("Andaman Seafood Processing", "submitted") in statuses
    assert ("Pearl River Toys", "draft") in statuses
    risky = {q.name: set(q.risk.adverse or []) for q in spec.questions if q.risk}
    andaman_admits = [
        question
        for name, _status, question, value in rows
        if name == "Andaman Seafood Processing"
        and question in risky
        and set(value.split()) & risky[question]
    ]
    assert andaman_admits == []
    worker_q = next(q for q in app_spec(app, "worker-voice").questions if q.name == "id_documents")
    adverse = set(worker_q.risk.adverse)
    share = {}
    for name, value in worker_rows:
        bad, total = share.get(name, (0, 0))
        share[name] = (bad + (value in adverse), total + 1)
    rate = {name: bad / total for name, (bad, total) in share.items()}
    assert rate["Andaman Seafood Processing"] > 0.2 > rate["Dhaka Knitwear Ltd"]


def app_spec(app, form_id):
    from portal.surveys.models import Survey

    with app.app_context():
        return db.session.scalar(select(Survey).where(Survey.form_id == form_id)).latest.spec()


def _engagement_demo(app):
    """The issue's demo: most matrix cells active with real gaps, and a published consultation
    on the code of conduct with anonymous worker comments in Bengali and Arabic, supplier
    comments and staff responses."""
    from datetime import timedelta

    from portal.engagement import matrix, services
    from portal.engagement.models import Consultation, ConsultationComment

    with app.test_request_context():
        lead = db.session.scalar(select(User).where(User.role == "compliance"))
        today = services.today()
        built = matrix.build(lead, today - timedelta(days=364), today, matrix.scope_for(lead))
        assert 28 <= built.covered <= 38 and built.gaps
        code = db.session.scalar(select(Consultation).where(
            Consultation.document_kind == "code_of_conduct"))  # fmt: skip
        assert code.status == "published" and all(t.response for t in code.themes)
        comments = list(db.session.scalars(select(ConsultationComment).where(
            ConsultationComment.consultation_id == code.id)))  # fmt: skip
        anonymous = {c.language for c in comments if c.user_id is None and
                     c.stakeholder_group == "workers"}  # fmt: skip
        assert anonymous >= {"bn", "ar"}
        assert any(c.stakeholder_group == "suppliers" and c.user_id for c in comments)
