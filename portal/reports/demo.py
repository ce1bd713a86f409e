"""Demo accountability data: half a year of earlier, resolved grievance cases (so that the
public report has figures above its threshold of 10), and a bilingual draft report (English
and Arabic) with a comment from the NGO partner's monitor, ready for the lead to publish."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.grievances import services as grievances
from portal.reports import services
from portal.reports.models import PublicReport
from portal.suppliers.models import Site

#: category, language, what the reporter said (resolved history, in the workers' languages)
HISTORY = [
    ("wages", "bn", "ওভারটাইমের টাকা দেরিতে দেওয়া হচ্ছে।"),
    ("hours", "bn", "রাতের শিফটে বিরতি দেওয়া হয় না।"),
    ("safety", "bn", "সেলাই লাইনে আগুন নেভানোর যন্ত্র নেই।"),
    ("housing", "my", "အဆောင်ထဲမှာ ရေမလုံလောက်ဘူး။"),
    ("wages", "my", "လစာစာရွက်မှာ နုတ်ယူတာတွေ မရှင်းဘူး။"),
    ("hours", "zh_Hans", "周日也要求加班。"),
    ("safety", "ar", "لا توجد كمامات في قسم الصباغة."),
    ("wages", "ne", "तलबको पर्ची पाइँदैन।"),
    ("discrimination", "ar", "المشرف يصرخ على العاملات فقط."),
    ("housing", "km", "បន្ទប់ស្នាក់នៅក្តៅខ្លាំង។"),
]  # fmt: skip
EARLIER_CASES = 30
REPORT_DAYS = 180

TEXTS = {
    "en": {
        "title": "Worker voice and remediation: half-year report",
        "scope": "This report covers every supplier site in our programme. Workers answered "
                 "surveys in their own languages and could report a problem at any time.",
        "grievances": "Most cases were about wages and working hours. Every case was "
                      "acknowledged; we report below where we missed our own deadlines.",
        "remediation": "Recruitment fees found at two sites are being repaid to the workers; "
                       "we verify each plan by asking the workers again.",
        "methodology": "Figures are computed by the portal from the records. No figure about "
                       "fewer than 10 people is published.",
    },
    "ar": {
        "title": "صوت العمال والمعالجة: تقرير نصف سنوي",
        "scope": "يغطي هذا التقرير جميع مواقع الموردين في برنامجنا. أجاب العمال على "
                 "الاستبيانات بلغاتهم، وكان بإمكانهم الإبلاغ عن أي مشكلة في أي وقت.",
        "grievances": "تعلقت معظم الحالات بالأجور وساعات العمل. تم الإقرار بكل حالة.",
        "methodology": "تحسب البوابة الأرقام من السجلات. لا يُنشر أي رقم يخص أقل من 10 أشخاص.",
    },
}  # fmt: skip


def _earlier_cases(staff, rng: random.Random) -> int:
    """Cases from the last months, walked to resolved (most closed, with the reporter's
    satisfaction); their dates are moved back to when they would have arrived."""
    sites = list(db.session.scalars(select(Site).order_by(Site.id)))
    for index in range(EARLIER_CASES):
        category, language, text = HISTORY[index % len(HISTORY)]
        site = sites[rng.randrange(len(sites))]
        case, _receipt = grievances.create_grievance(grievances.IntakeData(
            reporter="worker", category=category, description=text, language=language,
            site_id=site.id,
        ))  # fmt: skip
        grievances.reply_to_reporter(case, staff, "Thank you: we are looking into it.")
        if case.status == "new":
            grievances.change_status(case, staff, "acknowledged")
        grievances.change_status(case, staff, "resolved")
        if index % 4:
            grievances.change_status(case, staff, "closed")
        # Back to when it arrived: the acknowledgement inside the clock for most, late for
        # some; resolution after one to six weeks.
        shift = timedelta(days=rng.randint(20, REPORT_DAYS - 10))
        start = grievances.as_utc(case.clock_started_at) - shift
        late = index % 7 == 0
        case.clock_started_at, case.received_on = start, start.date()
        case.acknowledge_due_at = start + timedelta(hours=48)
        case.resolve_due_at = start + timedelta(days=30)
        case.acknowledged_at = start + timedelta(hours=60 if late else rng.randint(2, 40))
        case.resolved_at = start + timedelta(days=rng.randint(7, 42))
        case.status_changed_on = case.resolved_at.date()
        case.status_seen = index % 3 != 0
        if case.status == "closed":
            case.satisfaction = rng.choice(("satisfied", "satisfied", "partly", "not_satisfied"))
            case.satisfaction_on = case.resolved_at.date() + timedelta(days=3)
        for message in case.messages:
            message.created_on = start.date()
    db.session.commit()
    return EARLIER_CASES


def build_demo_reports(seed: int = 2026) -> int:
    """Once: the earlier cases and the draft report. Returns how many reports it added."""
    if db.session.scalar(select(PublicReport.id).limit(1)) is not None:
        return 0
    staff = db.session.scalar(select(User).where(User.role == "compliance"))
    if staff is None:
        return 0
    _earlier_cases(staff, random.Random(seed))
    today = grievances.today()
    report = services.save_report(services.ReportData(
        today - timedelta(days=REPORT_DAYS), today, ["en", "ar"], TEXTS, True,
    ), staff)  # fmt: skip
    monitor = db.session.scalar(select(User).where(User.role == "monitor"))
    if monitor is not None and services.may_comment(monitor):
        comment = services.add_comment(report, monitor, "grievances",
                                       "Workers at the Thai plants told us they did not know "
                                       "the receipt number lets them follow a case: please say "
                                       "how reporters are told.")  # fmt: skip
        db.session.refresh(comment)
    return 1
