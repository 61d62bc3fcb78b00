"""The stats page (server-rendered SVG charts) and each chart's numbers as JSON under /api/stats/."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from quizzer.services import stats
from quizzer.services.study import visible_decks
from quizzer.srs import MATURE_DAYS, PASSING_QUALITY
from quizzer.web.charts import Series, bar_chart, heatmap_chart
from quizzer.web.params import object_id

bp = Blueprint("stats", __name__)


def _scope() -> stats.StatsScope:
    return stats.stats_scope(current_user.user, object_id(request.args.get("deck"), "deck"))


def _short(day) -> str:
    return day.strftime("%b %-d")


def heatmap_svg(h: stats.Heatmap) -> Markup:
    busiest = max(range(len(h.counts)), key=lambda i: h.counts[i])
    desc = (f"{sum(h.counts):,} answers on {sum(1 for n in h.counts if n)} of the {len(h.counts)} days since "
            f"{h.start.isoformat()}; busiest day {h.days[busiest].isoformat()} with {h.counts[busiest]:,}. "
            f"Current streak {h.current_streak} days, longest {h.longest_streak}.")
    return heatmap_chart("chart-heatmap", "Answers per day over the last year", desc, h.start, list(h.counts),
                         "answers")


def reviews_svg(r: stats.RecentDays) -> Markup:
    series = [Series("New", "s-new", r.new), Series("Young", "s-young", r.young),
              Series("Mature", "s-mature", r.mature)]
    desc = (f"Over the last 30 days: {sum(r.new):,} answers to new cards, {sum(r.young):,} to young cards "
            f"(interval under {MATURE_DAYS} days) and {sum(r.mature):,} to mature cards.")
    return bar_chart("chart-reviews", "Answers per day, last 30 days", desc, [_short(d) for d in r.days], series,
                     label_every=5)


def time_svg(r: stats.RecentDays) -> Markup:
    desc = f"{sum(r.minutes):,.2f} minutes over the last 30 days, {max(r.minutes):,.2f} on the longest day."
    return bar_chart("chart-time", "Minutes spent per day, last 30 days", desc, [_short(d) for d in r.days],
                     [Series("Minutes", "s-time", r.minutes)], unit=" min", label_every=5)


def forecast_svg(f: stats.Forecast) -> Markup:
    desc = (f"{sum(f.counts):,} cards fall due in the next 30 days, {f.counts[0]:,} today "
            f"({f.overdue:,} of them overdue).")
    return bar_chart("chart-forecast", "Cards due, next 30 days", desc, [_short(d) for d in f.days],
                     [Series("Due", "s-due", f.counts)], label_every=5)


def retention_svg(r: stats.Retention) -> Markup:
    total = r.total
    desc = "; ".join(f"last {days} days: young {_percent(y)}, mature {_percent(m)}"
                     for days, y, m in zip(stats.PERIODS, total.young, total.mature))
    labels = [f"{days} days" for days in stats.PERIODS]
    series = [Series("Young", "s-young", tuple(rate.percent for rate in total.young)),
              Series("Mature", "s-mature", tuple(rate.percent for rate in total.mature))]
    return bar_chart("chart-retention", "Retention: answers graded 3 or better", "Retention " + desc + ".",
                     labels, series, unit="%", stacked=False, top=100)


def _percent(rate: stats.Rate) -> str:
    return "no reviews" if rate.percent is None else f"{rate.percent}% of {rate.total:,}"


def distribution_svg(d: stats.Distribution) -> Markup:
    name = d.title.lower()
    desc = f"{sum(d.counts):,} cards in review by {name}: " + ", ".join(
        f"{label}: {n:,}" for label, n in zip(d.labels, d.counts) if n) + "."
    return bar_chart(f"chart-{name}", f"Cards by {name}", desc, list(d.labels), [Series("Cards", "s-cards", d.counts)])


# Each takes the figure of its name in stats.figures (intervals and easiness: a Distribution).
CHARTS: dict[str, Callable[[Any], Markup]] = {
    "heatmap": heatmap_svg, "reviews": reviews_svg, "forecast": forecast_svg, "retention": retention_svg,
    "intervals": distribution_svg, "easiness": distribution_svg, "time": time_svg,
}


@bp.get("/stats")
@login_required
def page():
    scope = _scope()
    figures = stats.figures(scope)
    charts = {name: CHARTS[name](figures[name]) for name in stats.FIGURE_NAMES}
    return render_template("stats.html", scope=scope, figures=figures, charts=charts, mature_days=MATURE_DAYS,
                           decks=visible_decks(current_user.user), periods=stats.PERIODS,
                           passing_quality=PASSING_QUALITY, zip=zip)


@bp.get("/api/stats/<name>")
@login_required
def figure_json(name: str):
    """One chart's numbers, computed by the same function the page uses."""
    return jsonify(stats.figure(_scope(), name).as_json())
