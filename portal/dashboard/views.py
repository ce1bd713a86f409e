"""Dashboard views: thin, each computes the signals once and hands them to a template."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.dashboard import bp, charts, queries
from portal.risk import scoring, signals
from portal.security import allow
from portal.suppliers.queries import site_for
from portal.suppliers.services import SECTORS
from portal.surveys.forms import GROUP_LABELS

READERS = ("compliance", "monitor", "supplier")

#: The heatmap's short word for the plan behind a signal (the site page spells it out).
PLAN_MARKS = {"overdue": _l("plan overdue"), "open": _l("plan open"),
              "verified": _l("plan verified")}  # fmt: skip


@bp.app_context_processor
def _helpers():
    return {
        "BAND_LABELS": queries.BAND_LABELS,
        "indicator_name": queries.indicator_name,
        "pct": _percent,
        "format_percent": format_percent,
    }


def _percent(value: float | None) -> str:
    """A rate as a percentage with one decimal (locale digits and sign placement)."""
    return "" if value is None else format_percent(value, "#,##0.0%")


def _context(**extra):
    periods = queries.available_periods()
    filters = queries.parse_filters(request.args, periods)
    scope = queries.scope(current_user, filters)
    return {
        "periods": periods,
        "filters": filters,
        "scope": scope,
        "SECTORS": SECTORS,
        "GROUP_LABELS": GROUP_LABELS,
        "SIGNAL_GROUPS": queries.SIGNAL_GROUPS,
        "sees_cases": queries.sees_cases(current_user),
        **extra,
    }


def _band_bar(counts):
    labels = {**queries.BAND_LABELS, "none": _("no data")}
    parts = [
        _("%(band)s: %(count)s", band=labels[band], count=value)
        for band, value in counts.items()
        if value
    ]
    return charts.band_bar(
        counts, {key: str(value) for key, value in labels.items()},
        _("Sites by band"), "; ".join(parts) or _("No sites."),
    )  # fmt: skip


@bp.get("")
@allow(*READERS)
def overview():
    ctx = _context()
    sites = ctx["scope"].sites
    summaries = queries.site_signals(sites, ctx["filters"], current_user)
    counts = queries.band_counts(summaries, current_user)
    attention = [s for s in summaries if s.needs_attention]
    discrepancies = [s for s in summaries if s.discrepancies]
    silent = [s for s in summaries if s.near_silence] if ctx["sees_cases"] else []
    return render_template(
        "dashboard/overview.html",
        **ctx,
        counts=counts,
        band_chart=_band_bar(counts),
        top=queries.top_signals(summaries, current_user),
        attention=attention,
        discrepancies=discrepancies,
        silent=silent,
        cases=queries.case_counts(current_user, [site.id for site in sites]),
        plans=_plan_counts([site.id for site in sites]),
        rates=queries.response_rates(sites, ctx["filters"], current_user),
    )


@bp.get("/heatmap")
@allow(*READERS)
def heatmap():
    ctx = _context()
    summaries = queries.site_signals(ctx["scope"].sites, ctx["filters"], current_user)
    marks = _cap_marks([summary.site.id for summary in summaries], ctx["filters"].group)
    return render_template(
        "dashboard/heatmap.html",
        **ctx,
        summaries=summaries,
        grid=_heatmap_grid(summaries, marks),
        order=signals.ORDER,
    )


def _heatmap_grid(summaries, marks):
    """(summary, [(css class, text, discrepancy, plan mark)]) per site, built in Python: a
    200-site heatmap has 3,600 cells, and per-cell template macros and lazy translations cost
    more than everything else on the page. The plan mark is (kind, text) or None."""
    labels = {name: str(label) for name, label in queries.BAND_LABELS.items()}
    mark_texts = {kind: str(text) for kind, text in PLAN_MARKS.items()}
    hidden, empty = _("hidden"), ("cell-none", "—", False, None)
    scores = [format_decimal(value, "0") for value in range(101)]
    grid = []
    for summary in summaries:
        cells = []
        for indicator in signals.ORDER:
            signal = summary.signals.get(indicator)
            if signal is None:
                cells.append(empty)
                continue
            mark = marks.get((summary.site.id, indicator))
            mark = (mark, mark_texts[mark]) if mark else None
            if signal.hidden:
                cells.append(("cell-hidden", hidden, False, mark))
                continue
            name = queries.shown_band(signal, current_user)
            if not name:
                cells.append(empty)
                continue
            text = labels[name]
            if signal.score is not None:
                text += " " + scores[min(100, max(0, round(signal.score)))]
            cells.append((f"band-{name}", text, signal.discrepancy, mark))
        grid.append((summary, cells))
    return grid


@bp.get("/sites/<int:site_id>")
@allow(*READERS)
def site(site_id: int):
    site = site_for(current_user, site_id)
    ctx = _context()
    (summary,) = queries.site_signals([site], ctx["filters"], current_user, with_trend=True)
    rows = sorted(
        queries.rows_of(summary, current_user),
        key=lambda row: signals.ORDER.index(row.signal.indicator),
    )
    chart_rows = [
        charts.IntervalRow(
            row.signal.indicator, row.signal.posterior_mean, *row.signal.cred90,
            scoring.tau_for(row.signal.indicator), row.band,
        )
        for row in rows
        if row.signal.cred90 is not None
    ]  # fmt: skip
    chart = None
    if chart_rows:
        chart = charts.interval_chart(
            chart_rows,
            _("Estimated rate per indicator"),
            _("Each dot is the estimated rate, the bar its %(level)s interval, the dashed red "
              "line the tolerance τ the indicator is scored against.", level=format_percent(0.9)),
        )  # fmt: skip
    hidden = [s.indicator for s in summary.signals.values() if s.hidden]
    return render_template(
        "dashboard/site.html",
        **ctx,
        site=site,
        summary=summary,
        rows=rows,
        hidden=sorted(hidden, key=signals.ORDER.index),
        chart=chart,
        band=queries.site_band(summary, current_user),
        coverage=queries.site_coverage(site, current_user),
        cap_marks=_cap_marks([site.id], ctx["filters"].group),
    )


def _plan_counts(site_ids):
    """Open, overdue, awaiting-verification and waiting-for-review plans, for the overview."""
    from portal.remediation import queries as plans
    from portal.remediation.services import today

    return plans.counts(current_user, site_ids, today())


def _cap_marks(site_ids, group):
    """(site, indicator) → the most urgent plan answering the signal: overdue, open, verified."""
    from portal.remediation import queries as plans
    from portal.remediation.services import today

    return plans.marks(site_ids, group, today())


@bp.get("/indicators/<indicator>")
@allow(*READERS)
def indicator(indicator: str):
    if indicator not in signals.ORDER:
        abort(404)
    ctx = _context()
    summaries = queries.site_signals(ctx["scope"].sites, ctx["filters"], current_user)
    rows, hidden = queries.indicator_rows(summaries, indicator, current_user)
    # The baseline the signals were scored with; only read again when no site has one.
    p0 = next((row.signal.p0 for row in rows if row.signal.p0 is not None), None)
    if p0 is None:
        p0 = queries.baseline(ctx["filters"], indicator, current_user)
    points = [
        charts.FunnelPoint(row.site.name, row.signal.n, row.signal.k / row.signal.n, row.band)
        for row in rows
        if row.signal.n
    ]
    chart = None
    if points and p0 is not None:
        chart = charts.funnel_plot(
            points,
            p0,
            _("Funnel plot for %(indicator)s", indicator=indicator),
            _("Reported rate of each site against its number of answers; the solid line is the "
              "baseline of all sites, the dashed lines the %(level)s limits around it. Sites "
              "whose numbers are hidden are left out.", level=format_percent(0.95)),
        )  # fmt: skip
    return render_template(
        "dashboard/indicator.html",
        **ctx,
        indicator=indicator,
        rows=rows,
        hidden=hidden,
        p0=p0,
        tau=scoring.tau_for(indicator),
        chart=chart,
    )
