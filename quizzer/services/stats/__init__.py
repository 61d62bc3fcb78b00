"""Study statistics, per user over all decks or one: each figure is one or two aggregate queries.

``figures(scope)`` computes every figure for the stats page, running each
query once; ``figure(scope, name)`` computes one for the JSON API through the
same functions, so a chart and its JSON always show the same numbers.
"""
from __future__ import annotations

from quizzer.services.errors import NotFound
from quizzer.services.stats.activity import Heatmap, RecentDays, heatmap, recent_days
from quizzer.services.stats.cards import CardDistributions, Distribution, Forecast, card_distributions, forecast
from quizzer.services.stats.retention import PERIODS, Rate, Retention, RetentionRow, retention
from quizzer.services.stats.scope import StatsScope, stats_scope

FIGURE_NAMES = ("heatmap", "reviews", "forecast", "retention", "intervals", "easiness", "time")


def figures(scope: StatsScope) -> dict:
    """Every figure by name (``reviews`` and ``time`` share one object; ``cards`` holds the
    intervals and easiness figures together)."""
    recent = recent_days(scope)
    cards = card_distributions(scope)
    return {"heatmap": heatmap(scope), "reviews": recent, "forecast": forecast(scope),
            "retention": retention(scope), "intervals": cards.intervals,
            "easiness": cards.easiness, "time": recent, "cards": cards}


def figure(scope: StatsScope, name: str):
    """One figure by name; NotFound for an unknown one."""
    if name == "heatmap":
        return heatmap(scope)
    if name in ("reviews", "time"):
        return recent_days(scope)
    if name == "forecast":
        return forecast(scope)
    if name == "retention":
        return retention(scope)
    if name in ("intervals", "easiness"):
        return getattr(card_distributions(scope), name)
    raise NotFound(f"no figure {name!r}: one of {', '.join(FIGURE_NAMES)}")


__all__ = ["FIGURE_NAMES", "PERIODS", "CardDistributions", "Distribution", "Forecast", "Heatmap",
           "Rate", "RecentDays", "Retention", "RetentionRow", "StatsScope", "figure", "figures",
           "stats_scope"]
