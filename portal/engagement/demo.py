"""Demo engagement: partner organisations, a year of activities that fills most of the
matrix and leaves visible gaps (investors have had no training and no dialogue on
communication; nobody has yet contributed to public reporting from the workers' side), a
published consultation on the supplier code of conduct with anonymous comments from workers in
Bengali and Arabic and signed ones from the supplier, an open consultation on the grievance
procedure, a training with its feedback survey answered, and this year's plan with targets met,
pending and overdue. Everything goes through the services the pages use."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.engagement import consult, services
from portal.engagement.models import Activity, ConsultationComment
from portal.extensions import db
from portal.suppliers.models import Site, Supplier

PARTNERS = [
    # name, kind, group, countries, sites, contact
    ("National Garment Workers' Federation", "union", "workers", ["BD"],
     ["Gazipur Knitting Unit", "Ashulia Dyeing Plant"], "Rahima Akter"),
    ("Mahachai Migrant Workers Network", "worker_organisation", "workers", ["TH"],
     ["Samut Sakhon Processing Plant", "Songkhla Cold Store"], "Ko Aung"),
    ("Migrant Rights Alliance", "ngo", "ngos", ["MY", "TH"],
     ["Samut Sakhon Processing Plant", "Songkhla Cold Store", "Bayan Lepas Plant"], "Mina Monitor"),
    ("Tangier Women's Association", "cso", "communities", ["MA"], ["Tangier Free Zone Plant"],
     "Fatima Zahra"),
    ("Apparel Compliance Forum", "industry_association", "suppliers", ["BD", "VN", "KH"], [],
     "Secretariat"),
    ("U.S. CBP CTPAT programme", "trusted_trader", "employees", ["US"], [],
     "Supply Chain Security Specialist"),
    ("Responsible Investors Coalition", "investor", "investors", [], [], "Stewardship team"),
    ("SafeWork Training Institute", "training_provider", "ngos", ["BD", "JO"], [], "Training desk"),
]  # fmt: skip

#: days ago, kind, title, groups, areas, sites, partners, participants {group: (total, women)}
ACTIVITIES = [
    (300, "working_group", "Industry working group on recruitment fees", ["employees", "suppliers"],
     ["code_of_conduct", "training"], [], ["Apparel Compliance Forum"],
     {"employees": (3, 2), "suppliers": (14, 5)}),
    (280, "government_review", "CTPAT annual forced-labour review", ["employees"],
     ["risk_assessment", "monitoring"], [], ["U.S. CBP CTPAT programme"], {"employees": (4, 2)}),
    (250, "investor_dialogue", "Investor dialogue on forced-labour due diligence", ["investors"],
     ["code_of_conduct", "risk_assessment", "public_reporting"], [],
     ["Responsible Investors Coalition"], {"investors": (6, 3)}),
    (230, "worker_representatives", "Consultation with worker representatives", ["workers"],
     ["communication", "risk_assessment"], ["Gazipur Knitting Unit"],
     ["National Garment Workers' Federation"], {"workers": (12, 8)}),
    (210, "focus_group", "Focus group with women workers on overtime", ["workers"],
     ["risk_assessment"], ["Al Hassan Estate Factory"], [], {"workers": (9, 9)}),
    (200, "training", "Forced-labour indicators for supplier managers", ["suppliers", "ngos"],
     ["training"], ["Gazipur Knitting Unit", "Ashulia Dyeing Plant"],
     ["SafeWork Training Institute"], {"suppliers": (18, 7), "ngos": (2, 1)}),
    (180, "joint_audit", "Joint verification of passport lockers", ["workers", "ngos"],
     ["monitoring"], ["Samut Sakhon Processing Plant"],
     ["Migrant Rights Alliance", "Mahachai Migrant Workers Network"],
     {"workers": (6, 2), "ngos": (2, 1)}),
    (160, "community_meeting", "Community meeting on dormitory conditions", ["communities"],
     ["communication", "risk_assessment"], ["Tangier Free Zone Plant"],
     ["Tangier Women's Association"], {"communities": (21, 15)}),
    (150, "training", "Buyer staff: how the worker voice system works", ["employees"],
     ["training", "communication"], [], [], {"employees": (11, 6)}),
    (120, "meeting", "Corrective action plan workshop with suppliers", ["suppliers"],
     ["remediation"], ["Samut Sakhon Processing Plant", "Songkhla Cold Store"], [],
     {"suppliers": (7, 3)}),
    (110, "meeting", "Remediation advice: repaying recruitment fees", ["ngos", "communities"],
     ["remediation"], ["Songkhla Cold Store"], ["Migrant Rights Alliance"],
     {"ngos": (3, 2), "communities": (2, 1)}),
    (95, "worker_representatives", "Worker committee on the fee repayment plan", ["workers"],
     ["remediation", "communication"], ["Songkhla Cold Store"],
     ["Mahachai Migrant Workers Network"], {"workers": (8, 3)}),
    (80, "joint_audit", "Field visit by the buyer's compliance team", ["employees", "suppliers"],
     ["monitoring"], ["Dongguan Assembly Plant"], [], {"employees": (2, 1), "suppliers": (3, 1)}),
    (60, "meeting", "CSO review of last year's public report", ["communities", "ngos"],
     ["public_reporting"], [], ["Tangier Women's Association", "Migrant Rights Alliance"],
     {"communities": (4, 3), "ngos": (3, 2)}),
    (40, "training", "Workers' rights and the grievance channel", ["workers"], ["training"],
     ["Gazipur Knitting Unit"], ["SafeWork Training Institute"], {"workers": (46, 31)}),
    (25, "investor_dialogue", "Investor briefing on remediation results", ["investors"],
     ["remediation", "monitoring"], [], ["Responsible Investors Coalition"],
     {"investors": (4, 2)}),
]  # fmt: skip

CODE_DRAFT = {
    "en": ("Supplier code of conduct: draft for comment",
           "1. No worker pays any fee or cost to get or keep a job.\n2. Workers keep their own "
           "passports and identity papers.\n3. Overtime is voluntary and paid at the legal rate.\n"
           "4. Workers may join a union and elect representatives.\n5. Workers can report a "
           "problem safely, without fear of punishment.",
           "What should we add or change?"),
    "bn": ("সরবরাহকারীর আচরণবিধি: মতামতের জন্য খসড়া",
           "১. চাকরি পেতে বা রাখতে কোনো শ্রমিক কোনো ফি বা খরচ দেবেন না।\n২. শ্রমিকরা নিজেদের "
           "পাসপোর্ট ও পরিচয়পত্র নিজের কাছে রাখবেন।\n৩. ওভারটাইম স্বেচ্ছায় এবং আইনি হারে "
           "পরিশোধিত।\n৪. শ্রমিকরা ইউনিয়নে যোগ দিতে ও প্রতিনিধি নির্বাচন করতে পারেন।\n৫. "
           "শ্রমিকরা শাস্তির ভয় ছাড়াই নিরাপদে সমস্যা জানাতে পারেন।",
           "আমাদের কী যোগ বা পরিবর্তন করা উচিত?"),
    "ar": ("مدونة سلوك الموردين: مسودة للتعليق",
           "١. لا يدفع أي عامل رسومًا أو تكاليف للحصول على عمل أو الاحتفاظ به.\n٢. يحتفظ العمال "
           "بجوازات سفرهم ووثائق هويتهم.\n٣. العمل الإضافي طوعي ويُدفع بالأجر القانوني.\n٤. يحق "
           "للعمال الانضمام إلى نقابة وانتخاب ممثلين.\n٥. يمكن للعمال الإبلاغ عن مشكلة بأمان دون "
           "خوف من العقاب.",
           "ما الذي يجب أن نضيفه أو نغيّره؟"),
}  # fmt: skip
WORKER_COMMENTS = {
    "bn": ["ডরমিটরির ভাড়া বেতন থেকে কাটা হয়, এটাও ফি হিসেবে ধরা উচিত।",
           "ওভারটাইম না করলে সুপারভাইজার রাগ করেন, লিখে দিন যে না বললে শাস্তি হবে না।",
           "বিধিটা নোটিশ বোর্ডে বাংলায় টাঙিয়ে দিন।",
           "দালালকে দেওয়া টাকা ফেরত দেওয়ার কথা লিখুন।",
           "পাসপোর্ট রাখার জন্য তালাবদ্ধ লকার দরকার।",
           "নারী শ্রমিকদের জন্য আলাদা অভিযোগ জানানোর ব্যক্তি থাকা উচিত।"],
    "ar": ["يجب أن تُكتب المدونة بالعربية وتُعلّق في المصنع.",
           "السكن يجب أن يكون جزءًا من المدونة، فهو مزدحم جدًا.",
           "نريد أن نعرف من نتصل به إذا لم يحترم المشرف المدونة.",
           "يجب أن تُدفع ساعات العمل الإضافي في نفس الشهر.",
           "أضيفوا أن العامل لا يُطرد لأنه اشتكى."],
}  # fmt: skip
SUPPLIER_COMMENTS = [
    "Point 1 should say who pays the recruitment agency in the sending country; we need a "
    "transition period for workers already hired through agents.",
    "Lockers for passports: we can install them by next quarter, please add a timeline.",
]
THEMES = [
    ("Recruitment fees include housing deductions and agents' fees", True,
     "The revised code says that no fee, deposit or deduction for recruitment, housing or "
     "equipment may be charged, and that fees already paid are repaid."),
    ("Overtime must be refusable without punishment", True,
     "Point 3 now says that refusing overtime may not lead to any penalty."),
    ("Post the code in workers' languages", True,
     "Every site posts the code in the languages its workers speak, beside the grievance poster."),
    ("Timeline for suppliers", False,
     "No transition period for fees: repayment starts at once. Lockers are due within 90 days "
     "under the corrective action plans."),
]  # fmt: skip
REVISION = {
    "en": ("1. No worker pays any fee, deposit or deduction for recruitment, housing or "
           "equipment; fees already paid are repaid.\n2. Workers keep their own passports and "
           "identity papers, in a locker they alone can open.\n3. Overtime is voluntary, may be "
           "refused without any penalty, and is paid at the legal rate in the same month.\n4. "
           "Workers may join a union and elect representatives.\n5. Workers can report a problem "
           "safely; nobody is dismissed or punished for it.\n6. The code is posted at every site "
           "in the languages its workers speak.",
           "We added housing and agents' deductions to the fee ban, made refusing overtime safe, "
           "and promised the code in workers' languages, as workers asked."),
}  # fmt: skip


def _lead() -> User:
    return db.session.scalar(select(User).where(User.role == "compliance").order_by(User.id))


def _sites(names) -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.name.in_(names))))


def build_demo_engagement(seed: int = 2026) -> int:
    """Create the demo engagement once; returns how many activities it added."""
    if db.session.scalar(select(Activity.id).limit(1)) is not None:
        return 0
    lead = _lead()
    if lead is None:
        return 0
    rng = random.Random(seed)
    today = services.today()
    partners = {}
    for name, kind, group, countries, site_names, contact in PARTNERS:
        members = []
        if name == "Migrant Rights Alliance":
            members = list(db.session.scalars(select(User.id).where(User.role == "monitor")))
        partners[name] = services.save_partner(services.PartnerData(
            name=name, kind=kind, stakeholder_group=group, countries=countries,
            site_ids=[s.id for s in _sites(site_names)], member_ids=members,
            contact_name=contact,
        ), lead)  # fmt: skip
    added = 0
    for days, kind, title, groups, areas, site_names, partner_names, people in ACTIVITIES:
        held = today - timedelta(days=days)
        sites = _sites(site_names)
        activity = services.save_activity(services.ActivityData(
            kind=kind, title=title, held_on=held, groups=groups, areas=areas,
            site_ids=[s.id for s in sites], partner_ids=[partners[p].id for p in partner_names],
            countries=["US"] if kind == "government_review" else [],
            participants={g: services.Headcount(total, women, total - women)
                          for g, (total, women) in people.items()},
            summary="Discussion notes kept without names.",
            outcomes="Agreed points recorded; follow-up listed below.",
            follow_up="Share the notes with the participants' representatives.",
        ), lead)  # fmt: skip
        added += 1
        if kind == "training" and "workers" in groups:
            _feedback(activity, lead, rng, today)
    _consultations(lead, today)
    _targets(lead, today)
    return added


def _feedback(activity, lead, rng, today) -> None:
    from portal.surveys.simulate import Profile, simulate

    try:
        campaign = services.start_training_feedback(activity, lead)
    except services.EngagementError:
        return  # the survey definitions were not loaded
    for site in activity.sites:
        simulate(campaign, site, 24, Profile(), rng, today)
    db.session.commit()


def _consultations(lead, today) -> None:
    names = ["Gazipur Knitting Unit", "Al Hassan Estate Factory", "Tangier Free Zone Plant",
             "Bayan Lepas Plant"]  # fmt: skip
    sites = {s.name: s for s in _sites(names)}
    code = consult.save_consultation(consult.ConsultationData(
        document_kind="code_of_conduct", groups=["workers", "communities", "suppliers", "ngos"],
        site_ids=[s.id for s in sites.values()], languages=["en", "bn", "ar"],
        opens_on=today - timedelta(days=45), closes_on=today,
        texts={code: {"title": t, "body": b, "question": q}
               for code, (t, b, q) in CODE_DRAFT.items()},
    ), lead)  # fmt: skip
    consult.change_status(code, lead, "open")
    for language, comments in WORKER_COMMENTS.items():
        site = sites["Gazipur Knitting Unit" if language == "bn" else "Tangier Free Zone Plant"]
        for body in comments:
            consult.add_comment(code, group="workers", body=body, language=language, site=site)
    consult.add_comment(code, group="communities", body="Please add the dormitories outside "
                        "the factory to the code.", language="en",
                        site=sites["Tangier Free Zone Plant"])  # fmt: skip
    supplier = db.session.scalar(select(User).where(User.role == "supplier"))
    if supplier is not None:
        own = next((s for s in sites.values() if s.supplier_id == supplier.supplier_id), None)
        for body in SUPPLIER_COMMENTS:
            consult.add_comment(code, group="suppliers", body=body, language="en", site=own,
                                user=supplier)  # fmt: skip
    consult.change_status(code, lead, "closed")
    comments = list(db.session.scalars(select(ConsultationComment).where(
        ConsultationComment.consultation_id == code.id)))  # fmt: skip
    for index, (title, changed, response) in enumerate(THEMES):
        theme = consult.add_theme(code, lead, title)
        consult.respond(theme, lead, response, changed)
        for comment in comments[index :: len(THEMES)]:
            consult.file_comment(comment, theme, lead)
    consult.publish(code, lead, {"en": {"body": REVISION["en"][0], "changes": REVISION["en"][1]}})
    procedure = consult.save_consultation(consult.ConsultationData(
        document_kind="grievance_procedure", groups=["workers", "communities", "ngos"],
        site_ids=[s.id for s in sites.values()], languages=["en", "bn", "ar"],
        opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=25),
        texts={"en": {"title": "How we handle your reports: draft procedure",
                      "body": "1. You get a receipt number at once.\n2. We answer within 48 "
                              "hours.\n3. A decision within 30 days, explained to you.\n4. "
                              "Nobody can see who you are.",
                      "question": "Is anything unclear or missing?"},
               "bn": {"title": "আপনার অভিযোগ আমরা কীভাবে দেখি: খসড়া পদ্ধতি",
                      "body": "১. আপনি সঙ্গে সঙ্গে একটি রসিদ নম্বর পাবেন।\n২. ৪৮ ঘণ্টার মধ্যে "
                              "উত্তর দিই।\n৩. ৩০ দিনের মধ্যে সিদ্ধান্ত, আপনাকে বুঝিয়ে বলা হয়।\n"
                              "৪. আপনি কে, তা কেউ দেখতে পায় না।"},
               "ar": {"title": "كيف نتعامل مع بلاغاتك: مسودة الإجراء",
                      "body": "١. تحصل على رقم إيصال فورًا.\n٢. نرد خلال 48 ساعة.\n٣. قرار خلال "
                              "30 يومًا مع شرح لك.\n٤. لا أحد يستطيع معرفة هويتك."}},
    ), lead)  # fmt: skip
    consult.change_status(procedure, lead, "open")
    question = "৪৮ ঘণ্টা ভালো, কিন্তু ছুটির দিনেও কি উত্তর দেবেন?"
    consult.add_comment(procedure, group="workers", body=question, language="bn",
                        site=sites["Gazipur Knitting Unit"])  # fmt: skip


def _targets(lead, today) -> None:
    year = today.year
    dhaka = db.session.scalar(select(Supplier.id).where(Supplier.name == "Dhaka Knitwear Ltd"))
    for group, area, kind, count, per_site, supplier_id, due in (
        ("workers", "communication", "worker_representatives", 2, True, dhaka, None),
        ("suppliers", "training", "training", 1, False, None, None),
        ("investors", "training", "any", 1, False, None, date(year, 9, 30)),
        ("employees", "monitoring", "joint_audit", 2, False, None, date(year, 6, 30)),
        ("workers", "code_of_conduct", "consultation", 1, False, None, None),
    ):
        services.add_target(services.TargetData(
            year=year, stakeholder_group=group, area=area, kind=kind, count=count,
            per_site=per_site, supplier_id=supplier_id, due_on=due,
        ), lead)  # fmt: skip
