"""Results of a training's feedback survey, for the activity's page: per closed question, how
many chose each answer. A question with fewer valid answers than the viewer's threshold (5
for compliance and monitors) shows no breakdown, only that it is too few to show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import get_locale
from sqlalchemy import select

from portal.extensions import db
from portal.risk.suppression import threshold_for


@dataclass
class QuestionResult:
    name: str
    label: str
    n: int
    hidden: bool
    #: (answer label, count), in the order of the choice list
    answers: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class FeedbackResults:
    campaign: object
    responses: int
    questions: list[QuestionResult]
    threshold: int


def _pick(text, language: str, default: str) -> str:
    if not text:
        return ""
    return text.get(language) or text.get(default) or next(iter(text.values()), "")


def results(activity, user) -> FeedbackResults:
    from portal.surveys.models import Answer, Response

    campaign = activity.feedback_campaign
    spec = campaign.survey_version.spec()
    language = str(get_locale() or spec.default_language)
    stmt = (
        select(Answer.question, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id)
    )
    counts: dict[str, Counter] = {}
    for question, value in db.session.execute(stmt):
        counts.setdefault(question, Counter())[value] += 1
    responses = db.session.scalar(
        select(db.func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )
    threshold = threshold_for(user)
    found = []
    for question in spec.questions:
        if question.base_type != "select_one" or question.list_name not in spec.choices:
            continue
        choices = spec.choices[question.list_name]
        tally = counts.get(question.name, Counter())
        valid = sum(n for name, n in tally.items()
                    if any(c.name == name and not c.missing for c in choices))  # fmt: skip
        answers = [(_pick(c.label, language, spec.default_language), tally.get(c.name, 0))
                   for c in choices]  # fmt: skip
        hidden = sum(tally.values()) < threshold
        found.append(QuestionResult(question.name,
                                    _pick(question.label, language, spec.default_language),
                                    valid, hidden, [] if hidden else answers))  # fmt: skip
    return FeedbackResults(campaign, int(responses or 0), found, threshold)
