"""Stats figures against hand-built review histories, on SQLite and PostgreSQL.

Study days come from real answers (review.answer at chosen instants: a DST
change in Berlin, a user in UTC+13); the maturity and retention figures from
review-log rows written by hand, whose expected numbers are counted here.
"""
from __future__ import annotations

from datetime import date, timedelta

import peewee as pw
import pytest

from quizzer.services import review, stats
from quizzer.services import users as user_service
from quizzer.services.day_plan import queue_counts
from quizzer.services.errors import NotFound
from quizzer.services.study import study_day_for
from quizzer.store.models import Card, CardState, Deck, ReviewLog
from quizzer.store.stats_models import ReviewDay
from tests.conftest import at

DECK = "id: {slug}\ntitle: {title}\ncards:\n" + "".join(
    f"  - id: c{i}\n    question: Question {i}?\n    answer: Answer {i}\n" for i in range(8))


@pytest.fixture
def decks(db, load_deck):
    load_deck(DECK.format(slug="alpha", title="Alpha"), name="alpha.yaml")
    load_deck(DECK.format(slug="beta", title="Beta"), name="beta.yaml")
    return {d.slug: d for d in Deck.select()}


def _cards(deck: Deck) -> list[int]:
    return [c.id for c in Card.select(Card.id).where(Card.deck == deck.id).order_by(Card.position)]


def _log(user, card_id: int, deck: Deck, day: date, *, before: int, quality: int = 4, applied: bool = True,
         ms: int = 10_000) -> None:
    ReviewLog.create(user=user.id, card=card_id, deck=deck.id, reviewed_at=f"{day} 12:00:00", day=day,
                     quality=quality, applied=applied, time_ms=ms, interval_before=before, interval_after=before + 1,
                     easiness_x100_after=250, repetitions_after=1, due_after=day + timedelta(days=1))


def test_dst_change_days_without_reviews_and_streaks(user, decks):
    """Berlin, roll-over 04:00; the clocks jump from 02:00 to 03:00 on 2024-03-31."""
    user_service.update_settings(user, timezone="Europe/Berlin", rollover_hour=4)
    cards = _cards(decks["alpha"])
    for card, instant in zip(cards, ["2024-03-29 10:00",  # 11:00 CET: Mar 29
                                     "2024-03-30 02:30",  # 03:30 CET, before 04:00: still Mar 29
                                     "2024-03-31 01:30",  # 03:30 CEST, just after the jump: still Mar 30
                                     "2024-03-31 02:30",  # 04:30 CEST: Mar 31
                                     "2024-04-03 08:00"]):  # after two days without reviews
        review.answer(user, card, 4, now=at(instant))
    scope = stats.stats_scope(user, now=at("2024-04-03 12:00"))
    heat = stats.figure(scope, "heatmap")
    by_day = dict(zip(heat.days, heat.counts))
    assert {d: n for d, n in by_day.items() if n} == {
        date(2024, 3, 29): 2, date(2024, 3, 30): 1, date(2024, 3, 31): 1, date(2024, 4, 3): 1}
    assert heat.days[-1] == date(2024, 4, 3) and heat.start.weekday() == 0
    assert len(heat.counts) == 7 * 52 + 3  # 52 whole weeks and Mon..Wed of this one
    assert (heat.current_streak, heat.longest_streak) == (1, 3)
    recent = stats.figure(scope, "reviews")
    assert recent.days[-1] == date(2024, 4, 3) and len(recent.days) == 30
    assert dict(zip(recent.days, recent.new))[date(2024, 4, 1)] == 0
    assert sum(recent.new) == 5 and sum(recent.young) == sum(recent.mature) == 0


def test_utc_plus_13_user_is_a_day_ahead(user, decks):
    user_service.update_settings(user, timezone="Pacific/Tongatapu", rollover_hour=4)  # UTC+13, no DST
    first, second = _cards(decks["alpha"])[:2]
    review.answer(user, first, 4, now=at("2024-06-10 14:30"))  # 03:30 on Jun 11 there: still Jun 10
    review.answer(user, second, 4, now=at("2024-06-10 15:30"))  # 04:30 on Jun 11: Jun 11
    scope = stats.stats_scope(user, now=at("2024-06-10 16:00"))  # UTC still says Jun 10
    assert scope.today == date(2024, 6, 11)
    heat = stats.figure(scope, "heatmap")
    assert heat.counts[-2:] == (1, 1) and heat.current_streak == 2
    forecast = stats.figure(scope, "forecast")
    # both cards were graded Good once: interval 1 day from their own study day
    assert forecast.start == date(2024, 6, 11)
    assert forecast.counts[:2] == (1, 1) and forecast.overdue == 0


def test_streak_continues_from_yesterday_and_spans_more_than_the_heatmap(user, decks):
    card = _cards(decks["alpha"])[0]
    today = date(2024, 6, 30)
    for age in range(1, 401):  # every day for 400 days up to yesterday, none today yet
        _log(user, card, decks["alpha"], today - timedelta(days=age), before=1)
    _log(user, card, decks["alpha"], today - timedelta(days=403), before=1)  # an earlier, separate run
    heat = stats.figure(stats.stats_scope(user, now=at("2024-06-30 12:00")), "heatmap")
    assert heat.counts[-1] == 0
    assert (heat.current_streak, heat.longest_streak) == (400, 400)


def test_reviews_by_maturity_time_and_retention_per_deck(user, decks):
    alpha, beta = decks["alpha"], decks["beta"]
    a, b = _cards(alpha)[0], _cards(beta)[0]
    today = date(2024, 5, 20)
    rows = [  # (deck, card, days ago, interval before, quality, applied)
        (alpha, a, 0, 0, 4, True),     # new
        (alpha, a, 0, 1, 4, False),    # same-day repeat: young, not applied (no retention)
        (alpha, a, 2, 5, 2, True),     # young, failed
        (alpha, a, 2, 5, 4, True),     # young, passed
        (alpha, a, 10, 30, 3, True),   # mature, passed (q = 3 counts)
        (beta, b, 5, 21, 1, True),     # mature (21 is mature), failed
        (beta, b, 20, 8, 5, True),     # young, passed, 20 days ago
        (beta, b, 100, 40, 4, True),   # mature, passed, only in the year
        (beta, b, 365, 40, 4, True),   # 365 days ago: outside every period
    ]
    for deck, card, ago, before, quality, applied in rows:
        _log(user, card, deck, today - timedelta(days=ago), before=before, quality=quality, applied=applied,
             ms=30_000)
    scope = stats.stats_scope(user, now=at("2024-05-20 12:00"))
    recent = stats.figure(scope, "reviews")
    on = dict(zip(recent.days, zip(recent.new, recent.young, recent.mature, recent.seconds)))
    assert on[today] == (1, 1, 0, 60)
    assert on[today - timedelta(days=2)] == (0, 2, 0, 60)
    assert on[today - timedelta(days=10)] == (0, 0, 1, 30)
    assert on[today - timedelta(days=1)] == (0, 0, 0, 0)
    assert recent.minutes[-1] == 1.0

    ret = stats.figure(scope, "retention")
    def rates(row):
        return [(r.passed, r.total) for r in row.young], [(r.passed, r.total) for r in row.mature]
    assert rates(ret.total) == ([(1, 2), (2, 3), (2, 3)], [(0, 1), (1, 2), (2, 3)])
    assert [row.title for row in ret.decks] == ["Alpha", "Beta"]
    assert rates(ret.decks[0]) == ([(1, 2), (1, 2), (1, 2)], [(0, 0), (1, 1), (1, 1)])
    assert rates(ret.decks[1]) == ([(0, 0), (1, 1), (1, 1)], [(0, 1), (0, 1), (1, 2)])
    assert ret.total.young[0].percent == 50.0 and ret.decks[0].mature[0].percent is None

    only_beta = stats.figure(stats.stats_scope(user, beta.id, now=at("2024-05-20 12:00")), "retention")
    assert rates(only_beta.total) == rates(ret.decks[1]) and len(only_beta.decks) == 1


def _state(user, card_id: int, deck: Deck, **fields) -> None:
    CardState.create(user=user.id, card=card_id, deck=deck.id, **{"reviews": 2, **fields})


def test_forecast_and_distributions_leave_out_retired_suspended_and_others(user, decks):
    alpha, beta = decks["alpha"], decks["beta"]
    today = date(2024, 5, 20)
    ca, cb = _cards(alpha), _cards(beta)
    _state(user, ca[0], alpha, due=today - timedelta(days=3), interval=1, easiness_x100=130)    # overdue
    _state(user, ca[1], alpha, due=today, interval=3, easiness_x100=138)
    _state(user, ca[2], alpha, due=today + timedelta(days=29), interval=21, easiness_x100=250)
    _state(user, ca[3], alpha, due=today + timedelta(days=30), interval=400, easiness_x100=310)  # past the 30 days
    _state(user, ca[4], alpha, due=today, interval=7, easiness_x100=250, suspended=True)
    _state(user, ca[5], alpha, due=today, interval=7, easiness_x100=250, retired=True)
    _state(user, cb[0], beta, due=today + timedelta(days=1), interval=90, easiness_x100=262)
    other = user_service.create_user("bob", "correct horse battery")
    _state(other, ca[0], alpha, due=today, interval=5, easiness_x100=250)
    scope = stats.stats_scope(user, now=at("2024-05-20 12:00"))

    forecast = stats.figure(scope, "forecast")
    assert (forecast.counts[0], forecast.overdue, forecast.counts[1], forecast.counts[29]) == (2, 1, 1, 1)
    assert sum(forecast.counts) == 4 and len(forecast.counts) == 30

    intervals = stats.figure(scope, "intervals")
    assert dict(zip(intervals.labels, intervals.counts)) == {
        "1 d": 1, "2–3 d": 1, "4–7 d": 1, "1–2 wk": 0, "15–20 d": 0, "3–4 wk": 1, "1–3 mo": 1, "3–6 mo": 0,
        "6–12 mo": 0, "1 y+": 1}
    easiness = dict((label, n) for label, n in zip(*(lambda d: (d.labels, d.counts))(stats.figure(scope, "easiness")))
                    if n)
    assert easiness == {"1.3": 2, "2.5": 2, "2.6": 1, "3.0+": 1}
    figures = stats.figures(scope)
    assert figures["cards"].mature == 3
    assert stats.figure(stats.stats_scope(user, beta.id, now=at("2024-05-20 12:00")), "forecast").counts[1] == 1


def test_the_forecasts_today_is_the_dashboards_due_with_buried_cards(user, decks):
    """Buried new cards (a burial gives a new card a state) are not due reviews; a buried review counts
    on the day it comes back. With no limit reached, today's column is the dashboard's due figure."""
    alpha = decks["alpha"]
    today, ca = date(2024, 5, 20), _cards(alpha)
    _state(user, ca[0], alpha, due=today - timedelta(days=2), interval=1)
    _state(user, ca[1], alpha, due=today, reviews=0, buried_until=today + timedelta(days=1))  # a buried new card
    _state(user, ca[2], alpha, due=today, interval=3, buried_until=today + timedelta(days=1))  # back tomorrow
    now = at("2024-05-20 12:00")

    forecast = stats.figure(stats.stats_scope(user, now=now), "forecast")

    assert forecast.counts[:2] == (1, 1)
    assert queue_counts(user, study_day_for(user, now)).due == forecast.counts[0]


def test_deck_scope_must_be_visible(user, decks, load_deck):
    other = user_service.create_user("bob", "correct horse battery")
    load_deck(DECK.format(slug="bobs", title="Bob's"), owner=other, name="bobs.yaml")
    hidden = Deck.get(Deck.slug == "bobs")
    with pytest.raises(NotFound):
        stats.stats_scope(user, hidden.id)
    with pytest.raises(NotFound):
        stats.figure(stats.stats_scope(user), "nope")


def test_review_day_rollup_equals_the_review_log_after_answers_and_undo(user, decks):
    """The triggers keep review_day equal to the log aggregated per (user, day, deck)."""
    cards = _cards(decks["alpha"]) + _cards(decks["beta"])
    for i, card in enumerate(cards[:10]):
        review.answer(user, card, [2, 4, 5, 3][i % 4], time_ms=1000 * i, now=at(f"2024-05-{10 + i % 3} 12:00"))
    review.answer(user, cards[0], 4, now=at("2024-05-12 12:05"))  # a repeat the same day, not applied
    assert review.undo_last(user, now=at("2024-05-12 12:06")) == cards[0]
    for i in range(3):  # a whole day taken back leaves no row: a row means "studied that day"
        review.answer(user, cards[12 + i], 4, now=at("2024-05-14 12:00"))
    for _ in range(3):
        review.undo_last(user, now=at("2024-05-14 12:30"))
    logged = (ReviewLog.select(ReviewLog.user, ReviewLog.deck, ReviewLog.day, pw.fn.COUNT(ReviewLog.id),
                               pw.fn.SUM(ReviewLog.time_ms),
                               pw.fn.SUM(pw.Case(None, [(ReviewLog.interval_before == 0, 1)], 0)),
                               pw.fn.SUM(pw.Case(None, [(ReviewLog.applied & (ReviewLog.interval_before > 0)
                                                         & (ReviewLog.quality >= 3), 1)], 0)))
              .group_by(ReviewLog.user, ReviewLog.deck, ReviewLog.day).tuples())
    rolled = ReviewDay.select(ReviewDay.user, ReviewDay.deck, ReviewDay.day, ReviewDay.answers, ReviewDay.time_ms,
                              ReviewDay.new_answers, ReviewDay.passed).tuples()
    normal = lambda rows: sorted((u, d, str(day), *map(int, rest)) for u, d, day, *rest in rows)  # noqa: E731
    assert normal(rolled) == normal(logged)
    assert not ReviewDay.select().where(ReviewDay.day == date(2024, 5, 14)).exists()
