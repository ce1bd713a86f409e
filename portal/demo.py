"""A realistic demonstration data set: one buying company, its suppliers, sites and staff.

Idempotent: every record is looked up by its natural key first, so running it twice creates
nothing new and keeps the site codes already printed on posters.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.extensions import db
from portal.suppliers import services as suppliers
from portal.suppliers.models import Site, Supplier

ORGANISATION = "Harbour & Loom Apparel Group"

# Supplier → country, and its sites: (name, locality, sector, headcount, worker languages).
# Languages follow who really works there: Malaysian electronics and Thai seafood rely on
# migrant workers from Nepal, Myanmar, Bangladesh and Cambodia; Jordan's apparel zones on
# South Asian migrants.
SUPPLIERS = [
    (
        "Dhaka Knitwear Ltd",
        "BD",
        [
            ("Gazipur Knitting Unit", "Gazipur", "apparel", 2400, ["bn"]),
            ("Ashulia Dyeing Plant", "Ashulia, Savar", "apparel", 850, ["bn"]),
        ],
    ),
    (
        "Saigon Stitch Co.",
        "VN",
        [
            ("Binh Duong Factory", "Thu Dau Mot", "apparel", 1600, ["vi"]),
            ("Dong Nai Footwear Hall", "Bien Hoa", "footwear", 3100, ["vi"]),
        ],
    ),
    (
        "Mekong Garments",
        "KH",
        [
            ("Phnom Penh Sewing Hall", "Por Sen Chey", "apparel", 1200, ["km"]),
        ],
    ),
    (
        "Penang Precision Electronics",
        "MY",
        [
            (
                "Bayan Lepas Plant",
                "Bayan Lepas, Penang",
                "electronics",
                1900,
                ["ne", "my", "bn", "en"],
            ),
            ("Prai Workers' Dormitory", "Prai, Penang", "electronics", 640, ["ne", "my", "bn"]),
        ],
    ),
    (
        "Lahore Leather Works",
        "PK",
        [
            ("Sialkot Stitching Centre", "Sialkot", "footwear", 420, ["ur"]),
            ("Kasur Tannery", "Kasur", "footwear", 260, ["ur"]),
        ],
    ),
    (
        "Andaman Seafood Processing",
        "TH",
        [
            ("Samut Sakhon Processing Plant", "Mahachai", "seafood", 1100, ["my", "km"]),
            ("Songkhla Cold Store", "Songkhla", "seafood", 380, ["my", "km"]),
        ],
    ),
    (
        "Atlas Textiles",
        "MA",
        [
            ("Tangier Free Zone Plant", "Tanger", "apparel", 900, ["ar", "fr"]),
        ],
    ),
    (
        "Irbid Apparel Manufacturing",
        "JO",
        [
            ("Al Hassan Estate Factory", "Irbid", "apparel", 1500, ["bn", "hi", "ne", "ar"]),
        ],
    ),
    (
        "Pearl River Toys",
        "CN",
        [
            ("Dongguan Assembly Plant", "Dongguan", "toys", 2200, ["zh_Hans"]),
            ("Huizhou Paint Shop", "Huizhou", "toys", 310, ["zh_Hans"]),
        ],
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    name: str
    scope: str


DEMO_PASSWORD_SUFFIX = "-demo-2026"  # noqa: S105 (published demo logins)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(
            "admin@demo.example",
            "admin" + DEMO_PASSWORD_SUFFIX,
            "admin",
            "Ada Admin",
            "users and settings",
        ),
        DemoLogin(
            "compliance@demo.example",
            "compliance" + DEMO_PASSWORD_SUFFIX,
            "compliance",
            "Chandra Compliance",
            "every supplier and site",
        ),
        DemoLogin(
            "supplier@demo.example",
            "supplier" + DEMO_PASSWORD_SUFFIX,
            "supplier",
            "Sam Supplier",
            "Penang Precision Electronics",
        ),
        DemoLogin(
            "monitor@demo.example",
            "monitor" + DEMO_PASSWORD_SUFFIX,
            "monitor",
            "Mina Monitor",
            "Andaman Seafood Processing sites and Bayan Lepas Plant",
        ),
    ]


def _supplier(name: str, country: str) -> Supplier:
    found = db.session.scalar(select(Supplier).where(Supplier.name == name))
    return found or suppliers.create_supplier(suppliers.SupplierData(name=name, country=country))


def _site(supplier: Supplier, name, locality, sector, headcount, languages) -> Site:
    found = db.session.scalar(
        select(Site).where(Site.supplier_id == supplier.id, Site.name == name)
    )
    return found or suppliers.create_site(
        suppliers.SiteData(
            supplier_id=supplier.id,
            name=name,
            country=supplier.country,
            locality=locality,
            sector=sector,
            headcount=headcount,
            languages=languages,
        )
    )


def build_demo() -> dict[str, int]:
    """Create what is missing; returns how many suppliers, sites and users exist afterwards."""
    accounts.set_setting("organisation_name", ORGANISATION)
    by_name: dict[str, Supplier] = {}
    sites: dict[str, Site] = {}
    for supplier_name, country, site_rows in SUPPLIERS:
        supplier = by_name[supplier_name] = _supplier(supplier_name, country)
        for row in site_rows:
            sites[row[0]] = _site(supplier, *row)

    monitor_sites = [
        sites["Samut Sakhon Processing Plant"].id,
        sites["Songkhla Cold Store"].id,
        sites["Bayan Lepas Plant"].id,
    ]
    for login in demo_logins():
        if db.session.scalar(select(User.id).where(User.email == login.email)):
            continue
        accounts.create_user(
            accounts.UserData(
                email=login.email,
                name=login.name,
                role=login.role,
                supplier_id=(
                    by_name["Penang Precision Electronics"].id if login.role == "supplier" else None
                ),
                site_ids=monitor_sites if login.role == "monitor" else [],
            ),
            login.password,
        )
    return {
        "suppliers": len(by_name),
        "sites": len(sites),
        "users": len(demo_logins()),
    }


#: Planted patterns, so that the risk views have something true to find: most sites are low
#: risk; these are not. Andaman Seafood's workers report debt, held documents and confinement.
SITE_PROFILES = {
    "Samut Sakhon Processing Plant": {"FL02": 0.35, "FL03": 0.4, "FL05": 0.25},
    "Songkhla Cold Store": {"FL02": 0.3, "FL03": 0.35, "FL05": 0.2},
    "Al Hassan Estate Factory": {"FL03": 0.25, "FL02": 0.2},
    "Dongguan Assembly Plant": {"FL09": 0.5},
    "Binh Duong Factory": {"FL09": 0.35},
}
OVERTIME_HOURS = {"Dongguan Assembly Plant": 68.0, "Binh Duong Factory": 64.0}
CAMPAIGNS = [
    # (name, form_id, group, site filter)
    ("Worker voice 2026", "worker-voice", "workers", None),
    ("Supplier self-assessment 2026", "supplier-saq", "suppliers", None),
    (
        "Community feedback 2026",
        "community-feedback",
        "communities",
        {
            "Samut Sakhon Processing Plant",
            "Gazipur Knitting Unit",
            "Dongguan Assembly Plant",
            "Al Hassan Estate Factory",
        },
    ),
]


def deploy_surveys(responses: int, seed: int = 2026) -> dict[str, int]:
    """Load the shipped instruments, deploy them, and simulate ``responses`` worker answers
    (spread by headcount) through the same service that real submissions use."""
    import random
    from datetime import UTC, datetime, timedelta

    from portal import ROOT
    from portal.surveys import services as survey_services
    from portal.surveys.models import Campaign, Response, Survey
    from portal.surveys.simulate import Profile, simulate

    result = survey_services.sync_folder(ROOT / "surveys")
    if result.errors:
        raise RuntimeError("survey definitions are invalid:\n" + "\n".join(result.errors))
    today = datetime.now(UTC).date()
    rng = random.Random(seed)
    sites = list(db.session.scalars(select(Site).order_by(Site.id)))
    counts = {"campaigns": 0, "responses": 0}
    for name, form_id, group, only in CAMPAIGNS:
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == name))
        if campaign is None:
            survey = db.session.scalar(select(Survey).where(Survey.form_id == form_id))
            chosen = [site for site in sites if only is None or site.name in only]
            spec = survey.latest.spec()
            campaign = survey_services.create_campaign(
                survey_services.CampaignData(
                    name=name,
                    survey_version_id=survey.latest.id,
                    stakeholder_group=group,
                    site_ids=[site.id for site in chosen],
                    opens_on=today - timedelta(days=45),
                    closes_on=today + timedelta(days=45),
                    languages=list(spec.languages),
                )
            )
        counts["campaigns"] += 1
        if db.session.scalar(select(Response.id).where(Response.campaign_id == campaign.id)):
            continue  # already simulated: the demo stays idempotent
        if group == "suppliers":
            counts["responses"] += _simulate_questionnaires(campaign, rng, today)
            continue
        share = responses if group == "workers" else max(responses // 20, len(campaign.sites))
        total_headcount = sum(site.headcount for site in campaign.sites) or 1
        for site in campaign.sites:
            count = max(3, round(share * site.headcount / total_headcount))
            profile = Profile(
                indicators=SITE_PROFILES.get(site.name, {}),
                mean_hours=OVERTIME_HOURS.get(site.name, 50.0),
            )
            counts["responses"] += simulate(campaign, site, count, profile, rng, today)
    return counts


#: Andaman Seafood's questionnaire denies everything its workers report (debt, documents,
#: confinement): the discrepancy the risk model must surface. Others answer honestly; two are
#: still filling theirs in.
SAQ_DENIES = {"Andaman Seafood Processing"}
SAQ_IN_PROGRESS = {"Pearl River Toys", "Mekong Garments"}
#: A minimal valid PDF, standing in for the evidence files suppliers attach.
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _simulate_questionnaires(campaign, rng, today) -> int:
    """Suppliers fill their questionnaires through the same section-by-section service the
    web form uses, attach evidence, and submit."""
    from werkzeug.datastructures import MultiDict

    from portal.surveys import engine, saq
    from portal.surveys.simulate import Profile, simulated_answers

    form = engine.build_form(campaign.survey_version.spec())
    stored = 0
    for site in campaign.sites:
        supplier = site.supplier
        denies = supplier.name in SAQ_DENIES
        profile = Profile(
            default=0.0 if denies else 0.05,
            indicators={} if denies else dict.fromkeys(SITE_PROFILES.get(site.name, {}), 0.5),
            missing=0.0,
        )  # fmt: skip
        user = db.session.scalar(select(User).where(User.supplier_id == supplier.id))
        answers = simulated_answers(form, profile, rng, today)
        response = saq.draft_for(campaign, site, user)
        for screen in form.screens:
            data = MultiDict()
            for question in screen.questions:
                for value in answers.get(question.name, "").split(" "):
                    if value:
                        data.add(question.name, value)
            saq.save_section(response, screen, data, campaign.languages[0], user, today)
        if supplier.name in SAQ_IN_PROGRESS:
            stored += 1
            continue
        values = saq.answers_of(response)
        for screen in engine.relevant_screens(form, values, today):
            for question in screen.questions:
                if question.base_type == "file":
                    saq.attach_evidence(
                        response, question.name, f"{question.name}.pdf", EVIDENCE_PDF, user
                    )
        missing = saq.submit(response, today)
        if missing:
            raise RuntimeError(f"simulated questionnaire incomplete: {missing}")
        stored += 1
    return stored


# (site or None, reporter, category, language, text, staff steps: status/severity/tags...)
DEMO_CASES = [
    ("Samut Sakhon Processing Plant", "worker", "documents", "my",
     "ကျွန်တော့်ပတ်စ်ပို့ကို ရုံးမှာ သိမ်းထားပြီး ပြန်မပေးဘူး။",
     {"severity": "critical", "indicators": ["FL03"], "status": ["acknowledged", "investigating"],
      "reply": "Thank you. We have asked an independent monitor to visit the plant this week."}),
    ("Samut Sakhon Processing Plant", "worker", "fees_debt", "my",
     "အေဂျင့်ကို လတိုင်း ဘတ် ၃၀၀၀ ပြန်ဆပ်နေရတုန်းပါ။", {}),
    ("Dongguan Assembly Plant", "worker", "hours", "zh_Hans",
     "我们每天工作十二个小时，周末也要加班，不能拒绝。",
     {"severity": "high", "indicators": ["FL09"], "status": ["acknowledged"]}),
    ("Gazipur Knitting Unit", "worker_rep", "union", "bn",
     "ইউনিয়নের সভায় যাওয়ার পর দুজন শ্রমিককে বাদ দেওয়া হয়েছে।",
     {"severity": "high", "indicators": ["FA01"],
      "status": ["acknowledged", "investigating", "action_planned"]}),
    ("Al Hassan Estate Factory", "worker", "wages", "ne",
     "तीन महिनादेखि ओभरटाइमको पैसा पाएको छैन।",
     {"severity": "medium", "indicators": ["FL04"],
      "status": ["acknowledged", "investigating", "resolved", "closed"],
      "reply": "The factory has paid the missing overtime. Please tell us if it was not paid."}),
    (None, "community", "child_labour", "en",
     "Children carry boxes at the back gate of a fish factory near the Mahachai market.",
     {"severity": "critical", "indicators": ["CL01"], "status": ["acknowledged"]}),
    ("Bayan Lepas Plant", "supplier_staff", "late_payment", "en",
     "Invoices from the buying company are paid 90 days late, so wages are paid late too.", {}),
]  # fmt: skip


def build_demo_cases() -> int:
    """A few grievances in the workers' own languages, at different steps of the workflow,
    created and moved through the same services the intake form and the case page use."""
    from portal.grievances import services as grievances
    from portal.grievances.models import Grievance

    if db.session.scalar(select(Grievance.id).limit(1)) is not None:
        return 0
    staff = db.session.scalar(select(User).where(User.role == "compliance"))
    sites = {site.name: site for site in db.session.scalars(select(Site))}
    for site_name, reporter, category, language, text, steps in DEMO_CASES:
        site = sites.get(site_name) if site_name else None
        grievance, _receipt = grievances.create_grievance(
            grievances.IntakeData(
                reporter=reporter, category=category, description=text, language=language,
                site_id=site.id if site else None,
                reported_place=None if site else "Fish factory near the Mahachai market",
            )
        )  # fmt: skip
        if steps.get("severity") or steps.get("indicators"):
            grievances.triage(
                grievance,
                staff,
                severity=steps.get("severity"),
                indicators=steps.get("indicators", []),
                site_id=grievance.site_id,
            )
        if steps.get("reply"):
            grievances.reply_to_reporter(grievance, staff, steps["reply"])
        for status in steps.get("status", []):
            if grievance.status != status:
                grievances.change_status(grievance, staff, status)
    return len(DEMO_CASES)


def database_is_new() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None
