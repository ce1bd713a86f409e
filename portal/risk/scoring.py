"""Scoring of risk cells (DESIGN §6), as pure functions.

A *cell* is one site × stakeholder group × indicator × period: ``k`` adverse answers among ``n``
valid ones. Small sites give few answers, so the raw rate k/n swings wildly (1 of 3 is "33 %").
We therefore shrink it towards the pooled baseline ``p0`` of the same group and indicator with a
Beta prior of weight ``m`` (worth ``m`` pseudo-answers), and score the *probability* that the true
rate exceeds a tolerance τ. This makes a small clean site read "medium" rather than "low" — no
reports yet is not evidence of no risk — while a large clean site earns its "low".

Nothing here imports Flask or the database: views, exports and reports call these functions with
plain counts, and the tests pin them to the reference vectors in ``examples/risk-vectors.csv``.
Small-group suppression is *not* applied here; it belongs to whatever lets a number leave.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scipy import integrate, special

from portal.risk.catalogue import INDICATORS

PRIOR_WEIGHT = 10  # m: the prior counts as ten answers at the baseline rate
TAU_ZERO_TOLERANCE = 0.02  # for zero-tolerance indicators (FL02–FL08, CL01, CL02, FLX)
TAU_DEFAULT = 0.10
#: (band, exclusive upper bound): a score belongs to the first band whose bound exceeds it.
BANDS = (("low", 20), ("medium", 50), ("high", 80), ("critical", 101))
DEFAULT_BASELINE = 0.03  # p0 when there is no pooled data yet
#: probability_increase refuses to return a trend whose quadrature error estimate exceeds this
#: (not seen in testing against a closed form on 1,500 random pairs, where the worst error was
#: 2e-10; a trend is shown to one decimal of a percent).
MAX_INTEGRATION_ERROR = 1e-6

#: The composite of the 2018 ICLS guidelines: adverse involuntariness *and* coercion.
FLX = "FLX"
#: Indicators that take part in the site's forced-labour roll-up, in catalogue order (ties in the
#: roll-up go to the earlier one, so the result does not depend on the mapping's order).
FORCED_LABOUR_IDS = (
    *(ind.id for ind in INDICATORS.values() if ind.principle == "forced_labour"),
    FLX,
)


@dataclass(frozen=True)
class CellScore:
    """Everything a signal shows about one cell, before suppression."""

    k: int
    n: int
    p0: float
    tau: float
    #: Posterior mean and equal-tailed 90 % credible interval of the true rate.
    posterior_mean: float
    cred90_low: float
    cred90_high: float
    #: The raw rate k/n with its Wilson 95 % interval, shown beside the estimate so a reader can
    #: see how much the prior moved it. ``None`` when n == 0 (there is no rate to show).
    raw_rate: float | None
    wilson95_low: float
    wilson95_high: float
    #: 100 · P(true rate > τ), unrounded: round only for display, band from the unrounded value.
    score: float
    band: str
    #: k == 0: shown as "no reports among n" beside the band, so a small clean site's "medium"
    #: reads as "not enough evidence yet" and not as an accusation.
    no_reports: bool


def _check_counts(k: int, n: int) -> None:
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")


def tau_for(indicator_id: str) -> float:
    """The tolerance τ an indicator is scored against.

    Zero-tolerance indicators (forced labour proper, child labour, and the FLX composite) must not
    happen at all, so even a 2 % true rate is a finding; for the others 10 % is the line. An
    unknown id raises ``KeyError`` rather than silently getting the lenient default.
    """
    if indicator_id == FLX:
        return TAU_ZERO_TOLERANCE
    return TAU_ZERO_TOLERANCE if INDICATORS[indicator_id].zero_tolerance else TAU_DEFAULT


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k/n.

    Chosen over the textbook Wald interval because Wald collapses to [0, 0] at k = 0 and leaves
    [0, 1] for small n, which is exactly where this portal lives. With n == 0 nothing is known,
    so the interval is the whole of [0, 1]. Bounds are exact at the ends (0 when k = 0, 1 when
    k = n) rather than off by a rounding error, because "0.0000" and "-0.0000" read differently.
    """
    _check_counts(k, n)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n == 0:
        return 0.0, 1.0
    z = float(special.ndtri(0.5 + confidence / 2))
    z2 = z * z
    p = k / n
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def posterior(k: int, n: int, p0: float, m: float = PRIOR_WEIGHT) -> tuple[float, float]:
    """Parameters (a, b) of the Beta posterior: the prior Beta(m·p0, m·(1 − p0)) has mean p0 and
    is worth m answers, and each answer adds one to a (adverse) or to b (not adverse)."""
    _check_counts(k, n)
    if not 0 < p0 < 1:
        # p0 = 0 or 1 would make the prior a point mass that no amount of evidence can move.
        raise ValueError(f"p0 must be in (0, 1), got {p0}")
    if m <= 0:
        raise ValueError(f"m must be positive, got {m}")
    return m * p0 + k, m * (1 - p0) + n - k


def band(score: float) -> str:
    """The band of a 0–100 score: < 20 low, 20–50 medium, 50–80 high, ≥ 80 critical.

    Takes the unrounded score; a display that rounds 19.96 to "20.0" still shows "low".
    """
    if not 0 <= score <= 100:
        raise ValueError(f"score must be in [0, 100], got {score}")
    for name, bound in BANDS:
        if score < bound:
            return name
    raise AssertionError("unreachable: the last bound exceeds 100")  # pragma: no cover


def score_cell(k: int, n: int, p0: float, tau: float, m: float = PRIOR_WEIGHT) -> CellScore:
    """Score one cell: 100 · P(true rate > τ) under the posterior, plus what a reader needs to
    judge it (estimate with 90 % credible interval, raw rate with Wilson 95 % interval)."""
    if not 0 < tau < 1:
        raise ValueError(f"tau must be in (0, 1), got {tau}")
    a, b = posterior(k, n, p0, m)
    # Regularised incomplete beta straight from scipy.special: the same Boost routines as
    # scipy.stats.beta, without its per-call overhead (a dashboard scores thousands of cells).
    score = min(100.0, max(0.0, 100.0 * float(special.betaincc(a, b, tau))))
    low, high = wilson_interval(k, n)
    return CellScore(
        k=k,
        n=n,
        p0=p0,
        tau=tau,
        posterior_mean=a / (a + b),
        cred90_low=float(special.betaincinv(a, b, 0.05)),
        cred90_high=float(special.betaincinv(a, b, 0.95)),
        raw_rate=k / n if n else None,
        wilson95_low=low,
        wilson95_high=high,
        score=score,
        band=band(score),
        no_reports=k == 0,
    )


def pooled_baseline(
    cells: Iterable[tuple[int, int]],
    default: float = DEFAULT_BASELINE,
    floor: float = 0.005,
    min_n: int = 30,
) -> float:
    """The prior centre p0 for one group × indicator: k/n pooled over all sites' cells.

    Below ``min_n`` pooled answers the pooled rate is itself noise (and at launch there is none),
    so ``default`` is used. The result is never below ``floor``: a zero baseline would make the
    prior a point mass at 0, and a tiny one is nearly as bad: with m = 10, k = 0 and p0 under about
    0.14 %, the posterior is so skewed that its mean lies above its own 90 % credible interval.
    """
    total_k = total_n = 0
    for k, n in cells:
        _check_counts(k, n)
        total_k += k
        total_n += n
    rate = default if total_n < min_n else total_k / total_n
    return max(rate, floor)


def refusal_rate(missing: int, valid: int) -> float | None:
    """Share of "don't know" and refusals among all who were asked; reported as its own signal
    because a question many people will not answer is itself telling. ``None`` if nobody was
    asked."""
    if missing < 0 or valid < 0:
        raise ValueError(f"counts must be non-negative, got missing={missing}, valid={valid}")
    asked = missing + valid
    return missing / asked if asked else None


def _prob_greater(x: tuple[float, float], y: tuple[float, float]) -> float:
    """P(X > Y) for independent X ~ Beta(*x), Y ~ Beta(*y): ∫ f_X(t) · F_Y(t) dt over [0, 1].

    Integrated on the probability scale of X: with t = Q_X(u) (X's quantile function),
    f_X(t) dt = du, so the integral is ∫₀¹ F_Y(Q_X(u)) du — the same integral with a bounded,
    monotone integrand. Straight in t, f_X is infinite at 0 whenever a < 1 (every k = 0 cell with
    p0 < 10 %) and a needle far narrower than [0, 1] once n is in the thousands; QUADPACK misjudged
    both in testing (off by 0.006 for 0 of 12 vs 0 of 3 at p0 = 0.5 %).

    The upper half u ∈ (½, 1) is written as v = 1 − u with X's inverse *survival* function, so
    that a step of the integrand at u = 1 − 10⁻¹² (Y's mass far in X's upper tail) is still
    resolvable in floating point; and each half is cut where Y's quantiles fall on X's scale, so
    quad sees every step instead of stepping over it.
    """
    tail = (1e-12, 1e-8, 1e-4, 1e-2, 0.1, 0.3)
    y_quantiles = [float(special.betaincinv(*y, p)) for p in tail]
    y_quantiles += [float(special.betainccinv(*y, p)) for p in tail]
    y_quantiles.append(float(special.betaincinv(*y, 0.5)))
    lower_points = _break_points(float(special.betainc(*x, t)) for t in y_quantiles)
    upper_points = _break_points(float(special.betaincc(*x, t)) for t in y_quantiles)

    def lower(u: float) -> float:
        return float(special.betainc(*y, special.betaincinv(*x, u)))

    def upper(v: float) -> float:
        return float(special.betainc(*y, special.betainccinv(*x, v)))

    total = 0.0
    for integrand, points in ((lower, lower_points), (upper, upper_points)):
        # full_output: QUADPACK's status comes back instead of a global warning (warning filters
        # are process-wide state, which a pure function should not touch). A "roundoff" status
        # is common, and harmless, when the answer is within a hair of 0 or 1; a large error
        # estimate is not, and is refused rather than shown as a trend.
        value, error, *_info = integrate.quad(
            integrand,
            0.0,
            0.5,
            points=points,
            limit=200,
            epsabs=1e-11,
            epsrel=1e-9,
            full_output=1,
        )
        if not error <= MAX_INTEGRATION_ERROR:
            raise ArithmeticError(f"P(X > Y) for Beta{x}, Beta{y}: quadrature error {error:.1e}")
        total += value
    return min(1.0, max(0.0, total))


def _break_points(values: Iterable[float]) -> list[float] | None:
    """Break points for quad on (0, ½): a point below 10⁻¹² only splits off an interval whose
    contribution is below 10⁻¹² (the integrand is a probability), and such slivers made
    QUADPACK's error estimate blow up in testing, so they are dropped."""
    points = sorted({v for v in values if 1e-12 < v < 0.5})
    return points or None


def probability_increase(
    k_now: int,
    n_now: int,
    k_before: int,
    n_before: int,
    p0: float,
    m: float = PRIOR_WEIGHT,
) -> float | None:
    """P(rate now > rate before), each period's rate with its own posterior from the same prior.

    A trend is a probability, not a difference of two noisy percentages. Computed by numerical
    integration (deterministic, so a report shows the same figure twice), not Monte Carlo.
    ``None`` when either period has no answers: there is nothing to compare.

    To make P(A > B) + P(B > A) = 1 hold to rounding even where quadrature errs slightly, the
    integral is computed for one canonical order of the two posteriors and the other order gets
    the complement; identical posteriors give exactly 0.5. Raises ``ArithmeticError`` if the
    quadrature's own error estimate exceeds ``MAX_INTEGRATION_ERROR`` (not seen in testing).
    """
    _check_counts(k_now, n_now)
    _check_counts(k_before, n_before)
    if n_now == 0 or n_before == 0:
        return None
    now = posterior(k_now, n_now, p0, m)
    before = posterior(k_before, n_before, p0, m)
    if now == before:
        return 0.5
    # Integrate over the narrower posterior's probability scale (the integrand is then smooth
    # where the other is wide); the order depends only on the pair, never on which is "now".
    first, second = sorted((now, before), key=lambda ab: (_beta_variance(*ab), ab))
    p = _prob_greater(first, second)
    return p if first == now else 1.0 - p


def _beta_variance(a: float, b: float) -> float:
    return a * b / ((a + b) ** 2 * (a + b + 1))


def flx_adverse(answers: Iterable[tuple[str, bool]]) -> bool | None:
    """The FLX composite for one respondent, from (dimension, adverse) of their valid answers.

    True when at least one involuntariness (INV) and one coercion (COE) answer are adverse, the
    ICLS 2018 definition of forced labour. False when the respondent gave at least one valid INV
    and one valid COE answer but not an adverse pair. None when not assessable (no valid answer
    on one side), so the respondent is left out of n rather than counted as "no forced labour".
    """
    answered = {"INV": False, "COE": False}
    adverse = {"INV": False, "COE": False}
    for dimension, is_adverse in answers:
        if dimension not in answered:
            raise ValueError(f"unknown dimension {dimension!r}; expected INV or COE")
        answered[dimension] = True
        adverse[dimension] = adverse[dimension] or bool(is_adverse)
    if adverse["INV"] and adverse["COE"]:
        return True
    if answered["INV"] and answered["COE"]:
        return False
    return None


def site_rollup(scores: Mapping[str, CellScore]) -> tuple[str, CellScore] | None:
    """The site's forced-labour signal: the FL indicator (FL01–FL11, FLX) with the highest score.

    The maximum, not an average: one critical indicator among ten clean ones is a critical site.
    Non-FL indicators are ignored; ties go to the earlier indicator in catalogue order. ``None``
    when the site has no FL score at all.
    """
    best: tuple[str, CellScore] | None = None
    for indicator_id in FORCED_LABOUR_IDS:
        cell = scores.get(indicator_id)
        if cell is not None and (best is None or cell.score > best[1].score):
            best = (indicator_id, cell)
    return best
