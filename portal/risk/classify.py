"""Reading answers as risk evidence: per response and indicator, was the answer adverse, not
adverse, or missing ("don't know" / prefer not to say)? Pure functions over a SurveySpec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from portal.surveys import expressions

Status = Literal["adverse", "ok", "missing"]
#: The FLX composite: a respondent with an adverse involuntariness AND an adverse coercion
#: answer (the logic of the 2018 ICLS guidelines on measuring forced labour).
FLX = "FLX"


def answer_status(question, value: str, choices) -> Status | None:
    """One answer to one risk-mapped question; None when it says nothing (empty)."""
    risk = question.risk
    if risk is None or value == "":
        return None
    if risk.adverse:
        picked = value.split()
        missing = {choice.name for choice in choices if choice.missing}
        if picked and all(name in missing for name in picked):
            return "missing"
        return "adverse" if set(picked) & set(risk.adverse) else "ok"
    if risk.adverse_when:
        try:
            number = float(value)
        except ValueError:
            return None
        current = int(number) if number.is_integer() else number
        try:
            adverse = expressions.evaluate_bool(risk.adverse_when, {}, current=current)
        except expressions.ExpressionError:
            return None
        return "adverse" if adverse else "ok"
    return None


def classify(spec, answers: Mapping[str, str]) -> dict[str, Status]:
    """Indicator → status for one response. Several questions may feed one indicator: adverse
    if any is adverse, else ok if any valid answer, else missing if only refusals."""
    statuses: dict[str, set[str]] = {}
    dimensions: list[tuple[str, bool]] = []
    for question in spec.questions:
        if question.risk is None or question.name not in answers:
            continue
        status = answer_status(
            question, answers[question.name], spec.choices.get(question.list_name or "", [])
        )
        if status is None:
            continue
        statuses.setdefault(question.risk.indicator, set()).add(status)
        if status != "missing" and question.risk.dimension:
            dimensions.append((question.risk.dimension, status == "adverse"))
    result: dict[str, Status] = {}
    for indicator, seen in statuses.items():
        if "adverse" in seen:
            result[indicator] = "adverse"
        elif "ok" in seen:
            result[indicator] = "ok"
        else:
            result[indicator] = "missing"
    has_inv = any(dim == "INV" for dim, _ in dimensions)
    has_coe = any(dim == "COE" for dim, _ in dimensions)
    if has_inv and has_coe:
        inv = any(adverse for dim, adverse in dimensions if dim == "INV")
        coe = any(adverse for dim, adverse in dimensions if dim == "COE")
        result[FLX] = "adverse" if inv and coe else "ok"
    return result


def period_of(day) -> str:
    """Signals are computed per calendar quarter: ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_period(period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
