"""A throwaway instance with N stored answers across many sites, for the benchmarks.

Sites, campaigns and the worker survey come from the real services; simulated respondents
walk the real form (portal.surveys.simulate); answers are inserted in bulk, and the rollups
are counted by portal.risk.rollup.add_many — the same classification and increments that each
web submission applies."""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTRIES = ["BD", "VN", "KH", "MY", "PK", "TH", "MA", "JO", "CN", "IN", "ID", "TR"]
LANGS = {"BD": ["bn"], "VN": ["vi"], "KH": ["km"], "MY": ["ne", "my", "bn"], "PK": ["ur"],
         "TH": ["my", "km"], "MA": ["ar", "fr"], "JO": ["bn", "hi", "ar"], "CN": ["zh_Hans"],
         "IN": ["hi"], "ID": ["en"], "TR": ["en"]}  # fmt: skip


def open_instance(instance: Path):
    """The app of an instance folder that ``build`` filled earlier."""
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from portal import create_app

    return create_app({"RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})


def build(instance: Path, answers: int, sites: int = 200, seed: int = 7, log=print):
    """Create and fill the instance; returns the app. Prints progress through ``log``."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from portal.demo import build_demo, build_demo_cases
    from portal.extensions import db
    from portal.risk import rollup
    from portal.suppliers import services as suppliers
    from portal.surveys import services as surveys
    from portal.surveys.models import Answer, Response
    from portal.surveys.simulate import Profile, simulated_answers

    app = open_instance(instance)
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        build_demo()
        site_rows = []
        for index in range(sites):
            country = COUNTRIES[index % len(COUNTRIES)]
            if index % 8 == 0:
                supplier = suppliers.create_supplier(
                    suppliers.SupplierData(name=f"Bench Supplier {index // 8:03d}", country=country)
                )
            site_rows.append(suppliers.create_site(suppliers.SiteData(
                supplier_id=supplier.id, name=f"Bench Site {index:03d}", country=country,
                sector=rng.choice(["apparel", "electronics", "seafood", "toys", "footwear"]),
                headcount=rng.randint(80, 4000), languages=LANGS[country],
            )))  # fmt: skip
        result = surveys.sync_folder(ROOT / "surveys")
        assert not result.errors, result.errors
        from portal.surveys.models import Survey

        survey = db.session.scalar(db.select(Survey).where(Survey.form_id == "worker-voice"))
        today = datetime.now(UTC).date()
        campaign = surveys.create_campaign(surveys.CampaignData(
            name="Bench worker voice", survey_version_id=survey.latest.id,
            stakeholder_group="workers", site_ids=[s.id for s in site_rows],
            opens_on=today - timedelta(days=150), closes_on=today + timedelta(days=30),
            languages=list(survey.latest.spec().languages),
        ))  # fmt: skip
        spec = campaign.survey_version.spec()
        from portal.surveys import engine

        form = engine.build_form(spec)
        profiles = {
            site.id: Profile(indicators={"FL03": 0.3} if i % 17 == 0 else {},
                             mean_hours=66.0 if i % 23 == 0 else 47.0)
            for i, site in enumerate(site_rows)
        }  # fmt: skip
        # A pool of simulated answer sets per profile, reused: walking the form is the slow part.
        pools: dict[int, list] = {}
        stored = 0
        next_log = time.perf_counter()
        while stored < answers:
            batch_rows, batch_answers, batch_items = [], [], []
            for _ in range(500):
                site = rng.choice(site_rows)
                profile = profiles[site.id]
                pool = pools.setdefault(id(profile), [])
                if len(pool) < 400:
                    pool.append(simulated_answers(form, profile, rng, today))
                data = rng.choice(pool)
                day = today - timedelta(days=rng.randint(0, 150))
                batch_rows.append({
                    "campaign_id": campaign.id, "survey_version_id": campaign.survey_version_id,
                    "site_id": site.id, "stakeholder_group": "workers",
                    "language": site.languages[0], "submitted_on": day, "status": "complete",
                })  # fmt: skip
                batch_answers.append(data)
            ids = db.session.scalars(
                insert(Response).returning(Response.id, sort_by_parameter_order=True),
                batch_rows,
            ).all()
            rows = []
            for response_id, row, data in zip(ids, batch_rows, batch_answers, strict=True):
                for name, value in data.items():
                    try:
                        number = float(value)
                    except ValueError:
                        number = None
                    rows.append({"response_id": response_id, "question": name, "value": value,
                                 "number": number})  # fmt: skip
                batch_items.append((Response(id=response_id, **row), spec, data))
            db.session.execute(insert(Answer), rows)
            rollup.add_many(batch_items)
            db.session.commit()
            stored += len(rows)
            if time.perf_counter() >= next_log:
                log(f"  {stored:,} answers stored ({time.perf_counter() - started:.0f} s)")
                next_log = time.perf_counter() + 15
        build_demo_cases()
    log(f"built {stored:,} answers across {sites} sites in {time.perf_counter() - started:.0f} s")
    return app
