"""Simulated respondents for the demo: they walk the real form screen by screen and submit
through ``services.submit_response``, the function real submissions use."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.surveys import engine, services


@dataclass
class Profile:
    """How likely a respondent at a site is to give the adverse answer, per indicator.

    The defaults describe a low-risk site: zero-tolerance abuses (documents held, debt,
    threats...) are very rare, other problems occasional."""

    default: float | None = None
    indicators: dict[str, float] = field(default_factory=dict)
    #: Mean weekly hours reported (overtime sites sit well above 60).
    mean_hours: float = 47.0
    #: Share of "don't know / prefer not to say" answers.
    missing: float = 0.05

    def adverse(self, indicator: str) -> float:
        if indicator in self.indicators:
            return self.indicators[indicator]
        if self.default is not None:
            return self.default
        from portal.risk.catalogue import INDICATORS

        known = INDICATORS.get(indicator)
        return 0.002 if known is None or known.zero_tolerance else 0.03


def _choose(question, options, profile: Profile, rng: random.Random) -> str:
    missing = [c.name for c in options if c.missing]
    if missing and rng.random() < profile.missing:
        return rng.choice(missing)
    regular = [c.name for c in options if not c.missing]
    if not regular:
        return options[0].name
    risk = question.risk
    if risk and risk.adverse:
        bad = [name for name in regular if name in risk.adverse]
        good = [name for name in regular if name not in risk.adverse]
        if bad and (not good or rng.random() < profile.adverse(risk.indicator)):
            return rng.choice(bad)
        return rng.choice(good)
    return rng.choice(regular)


def _number(question, profile: Profile, rng: random.Random, values: dict) -> str:
    risk = question.risk
    name = question.name.lower()
    if "hour" in name or (risk and risk.indicator == "FL09"):
        hours = max(0, min(110, round(rng.gauss(profile.mean_hours, 5))))
        return str(hours)
    params = question.parameters or {}
    low, high = int(params.get("start", 0)), int(params.get("end", 10))
    if question.constraint:
        for _ in range(20):
            candidate = str(rng.randint(low, max(low, high)))
            if engine._constraint_holds(question, candidate, values, date.today()):
                return candidate
    return str(rng.randint(low, max(low, high)))


def _pick_several(form, question, profile: Profile, rng: random.Random, values, today) -> str:
    """Tick a few options; a single safe one when the draw is empty but required, or breaks
    the question's constraint (such as "none" ticked together with something else)."""
    options = [c for c in engine.visible_choices(form, question, values, today) if not c.missing]
    risk = question.risk
    adverse = set(risk.adverse or []) if risk else set()
    # The profile's rate is per respondent, so it is shared among the adverse options.
    share = max(1, len(adverse & {c.name for c in options}))
    picked = [
        c.name
        for c in options
        if rng.random() < (profile.adverse(risk.indicator) / share if c.name in adverse else 0.15)
    ]
    if not picked and adverse and rng.random() < 0.9:
        # Most people answer rather than skip: "I paid nothing" and its like.
        calm = [c.name for c in options if c.name not in adverse]
        plain = [name for name in calm if any(w in name for w in ("none", "nothing", "no"))]
        picked = [rng.choice(plain or calm)] if calm else []
    value = " ".join(picked)
    fits = not question.constraint or (
        value == "" or engine._constraint_holds(question, value, values, today)
    )
    if fits and (value or not engine._is_required(question, values, today)):
        return value
    safe = [c.name for c in options if c.name not in adverse] or [c.name for c in options]
    return rng.choice(safe) if safe else ""


def simulated_answers(form: engine.Form, profile: Profile, rng: random.Random, today: date):
    answers: dict[str, str] = {}
    for screen in form.screens:
        values = engine.with_calculations(form, answers, today)
        for question in screen.questions:
            if not engine.is_relevant(form, question.name, values, today):
                continue
            base = question.base_type
            value = ""
            if base == "select_one":
                options = engine.visible_choices(form, question, values, today)
                value = _choose(question, options, profile, rng) if options else ""
            elif base == "select_multiple":
                value = _pick_several(form, question, profile, rng, values, today)
            elif base in ("integer", "decimal", "range"):
                value = _number(question, profile, rng, values)
            elif base == "acknowledge":
                value = "OK"
            elif base == "date":
                value = (today - timedelta(days=rng.randint(30, 2000))).isoformat()
            if value == "" and engine._is_required(question, values, today) and base == "text":
                value = "-"
            answers[question.name] = value
            values[question.name] = value
    return {name: value for name, value in answers.items() if value != ""}


def simulate(campaign, site, count: int, profile: Profile, rng: random.Random, today: date) -> int:
    """Submit ``count`` simulated responses for ``site``, spread over the campaign's open days."""
    form = engine.build_form(campaign.survey_version.spec())
    first = campaign.opens_on
    last = min(campaign.closes_on, today)
    span = max(0, (last - first).days)
    languages = [code for code in site.languages if code in campaign.languages] or [
        campaign.languages[0]
    ]
    submitted = 0
    for _ in range(count):
        day = first + timedelta(days=rng.randint(0, span))
        answers = simulated_answers(form, profile, rng, day)
        services.submit_response(campaign, site, rng.choice(languages), answers, day)
        submitted += 1
    return submitted
