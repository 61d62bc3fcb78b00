"""The user's study day, today's progress, due counts per deck and queue counts, on both engines."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from quizzer.services import review
from quizzer.services import users as user_service
from quizzer.services.errors import NotFound
from quizzer.services.study import (
    daily_progress,
    due_counts_by_deck,
    overview,
    queue_counts,
    study_day_for,
    visible_deck_by_slug,
)
from quizzer.store.models import CardState, Deck, ReviewLog, User
from tests.conftest import at, card_id


@pytest.fixture
def user(db):
    """An account row; these tests never log in, so they skip the scrypt hash (~0.1 s each)."""
    return User.create(username="alice")


def deck_text(slug: str, title: str, count: int) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{slug} {i}?', answer: '{i}'}}\n"
                    for i in range(1, count + 1))
    return f"id: {slug}\ntitle: {title}\ncards:\n{cards}"


def test_the_study_day_rolls_over_at_the_users_hour(db, user):
    before, after = at("2026-01-06 03:59"), at("2026-01-06 04:00")

    assert study_day_for(user, before).day == date(2026, 1, 5)
    assert study_day_for(user, after).day == date(2026, 1, 6)
    assert study_day_for(user, after).starts_at == datetime(2026, 1, 6, 4, 0)  # naive UTC
    user_service.update_settings(user, rollover_hour=0)
    assert study_day_for(user, before).day == date(2026, 1, 6)


def test_today_follows_each_users_time_zone(db, import_deck, user):
    """At the same UTC instant it is already tomorrow in Auckland and still today in Los Angeles."""
    user_service.update_settings(user, timezone="Pacific/Auckland")
    bob = User.create(username="bob")
    user_service.update_settings(bob, timezone="America/Los_Angeles")
    import_deck(deck_text("tz", "Zones", 1))
    instant = at("2026-01-05 20:00")  # 09:00 Jan 6 in Auckland (NZDT), 12:00 Jan 5 in Los Angeles

    for person in (user, bob):
        review.answer(person, card_id("tz", "tz1"), 4, now=instant)

    days = {log.user_id: log.day for log in ReviewLog.select()}
    assert days == {user.id: date(2026, 1, 6), bob.id: date(2026, 1, 5)}
    dues = {s.user_id: s.due for s in CardState.select()}
    assert dues == {user.id: date(2026, 1, 7), bob.id: date(2026, 1, 6)}
    # Auckland's next study day starts at 04:00 NZDT = 15:00 UTC on Jan 6; LA's at 12:00 UTC on Jan 6.
    assert review.next_card(bob, now=at("2026-01-06 11:59")) is None
    assert review.next_card(bob, now=at("2026-01-06 12:00")) is not None
    assert review.next_card(user, now=at("2026-01-06 14:59")) is None
    assert review.next_card(user, now=at("2026-01-06 15:00")) is not None


def test_the_new_card_limit_resets_at_the_local_rollover(db, import_deck, user):
    user_service.update_settings(user, timezone="Europe/Berlin", new_per_day=1)
    import_deck(deck_text("lim", "Limits", 3))

    review.answer(user, card_id("lim", "lim1"), 5, now=at("2026-01-05 10:00"))

    assert review.next_card(user, now=at("2026-01-06 02:59")) is None  # 03:59 in Berlin: still Jan 5
    progress = daily_progress(user, study_day_for(user, at("2026-01-06 02:59")))
    assert (progress.reviewed, progress.new_started) == (1, 1)
    assert queue_counts(user, study_day_for(user, at("2026-01-06 03:00"))).new == 1
    served = []
    for minute in range(3):
        view = review.next_card(user, now=at("2026-01-06 03:00") + timedelta(minutes=minute))
        served.append(view and view.note.slug)
        if view:
            review.answer(user, view.card.id, 5, now=at("2026-01-06 03:00") + timedelta(minutes=minute))
    assert served == ["lim1", "lim2", None]  # the review due today, then one new card


def test_todays_progress_counts_applied_grades_and_new_cards(db, import_deck, user):
    import_deck(deck_text("p", "Progress", 3))
    review.answer(user, card_id("p", "p1"), 4, now=at("2026-01-04 10:00"))  # yesterday
    review.answer(user, card_id("p", "p1"), 4, now=at("2026-01-05 10:00"))  # a review today
    review.answer(user, card_id("p", "p2"), 3, now=at("2026-01-05 10:01"))  # a new card today
    review.answer(user, card_id("p", "p2"), 4, now=at("2026-01-05 10:03"))  # step 7: not applied

    progress = daily_progress(user, study_day_for(user, at("2026-01-05 12:00")))

    assert (progress.reviewed, progress.new_started) == (2, 1)


@pytest.fixture
def history(db, import_deck, user):
    """A shared deck and a private one, with states built by hand as of 2026-01-10.

    alpha (shared, 6 cards): a1 overdue, a2 due today, a3 due tomorrow, a4 due but suspended,
    a5 due but buried until tomorrow, a6 new. beta (alice's, 3 cards): b1 overdue, b2 and b3 new.
    Then, today, b2 is answered for the first time with Again (so it is relearning).
    """
    import_deck(deck_text("a", "Alpha", 6), name="alpha.yaml")
    import_deck(deck_text("b", "Beta", 3), owner=user, name="beta.yaml")
    alpha, beta = Deck.get(Deck.slug == "a"), Deck.get(Deck.slug == "b")
    today = date(2026, 1, 10)
    built = {"a1": (alpha, -2, {}), "a2": (alpha, 0, {}), "a3": (alpha, 1, {}),
             "a4": (alpha, -1, {"suspended": True}),
             "a5": (alpha, -1, {"buried_until": today + timedelta(1)}),
             "b1": (beta, -9, {})}
    for slug, (deck, offset, extra) in built.items():
        CardState.create(user=user, card=card_id(deck.slug, slug, owner=None if deck is alpha else user),
                         deck=deck, repetitions=2, interval=6, reviews=2, due=today + timedelta(offset),
                         last_review_day=date(2026, 1, 1), first_review_day=date(2025, 12, 26), **extra)
    review.answer(user, card_id("b", "b2", owner=user), 2, now=at("2026-01-10 09:00"))
    return alpha, beta


NOW = at("2026-01-10 10:00")


def counts_table(user, now=NOW):
    return [(c.deck.slug, c.new, c.due, c.total)
            for c in due_counts_by_deck(user, study_day_for(user, now))]


def test_due_counts_by_deck(history, user):
    assert counts_table(user) == [("a", 1, 2, 6), ("b", 1, 1, 3)]
    # Tomorrow: a3 and the buried a5 are due too, and b2 (answered today, interval 1).
    assert counts_table(user, at("2026-01-11 10:00")) == [("a", 1, 4, 6), ("b", 1, 2, 3)]
    # Within the new-card limit.
    user_service.update_settings(user, new_per_day=2)  # one started today: one left
    assert [(slug, new) for slug, new, _, _ in counts_table(user)] == [("a", 1), ("b", 1)]
    user_service.update_settings(user, new_per_day=1)
    assert [(slug, new) for slug, new, _, _ in counts_table(user)] == [("a", 0), ("b", 0)]


def test_queue_counts(history, user):
    today = study_day_for(user, NOW)
    alpha, beta = history

    counts = queue_counts(user, today)
    assert (counts.new, counts.due, counts.relearn, counts.total) == (2, 3, 1, 6)
    beta_counts = queue_counts(user, today, beta.id)
    assert (beta_counts.new, beta_counts.due, beta_counts.relearn) == (1, 1, 1)
    alpha_counts = queue_counts(user, today, alpha.id)
    assert (alpha_counts.new, alpha_counts.due, alpha_counts.relearn) == (1, 2, 0)
    # Within the daily limits.
    user_service.update_settings(user, new_per_day=2)
    assert queue_counts(user, today).new == 1  # b2 already started today
    user_service.update_settings(user, new_per_day=20, reviews_per_day=3)  # one applied grade today
    counts = queue_counts(user, today)
    assert (counts.new, counts.due, counts.relearn) == (0, 2, 1)


def test_the_dashboard_overview_is_the_same_counts_from_one_pass(history, user):
    today = study_day_for(user, NOW)
    user_service.update_settings(user, new_per_day=2)

    seen = overview(user, today)

    assert [(c.deck.slug, c.new, c.due, c.total) for c in seen.decks] == counts_table(user)
    assert seen.queue == queue_counts(user, today)
    assert seen.progress == daily_progress(user, today)


def test_queue_counts_match_what_the_queue_serves(history, user):
    expected = queue_counts(user, study_day_for(user, NOW))
    served, now = [], NOW
    while (view := review.next_card(user, now=now)) is not None:
        served.append(view.note.slug)
        review.answer(user, view.card.id, 4, now=now)
        now += timedelta(minutes=2)
        assert len(served) <= 10, served

    assert len(served) == expected.total
    assert served == ["b2", "b1", "a1", "a2", "a6", "b3"]  # relearn, then most overdue, then new
    left = queue_counts(user, study_day_for(user, now))
    assert (left.new, left.due, left.relearn) == (0, 0, 0)


def test_a_users_own_deck_wins_over_a_shared_one_with_the_same_id(db, import_deck, user):
    bob = User.create(username="bob")
    import_deck(deck_text("same", "Shared", 1), name="shared.yaml")
    import_deck(deck_text("same", "Alice's own", 1), owner=user, name="own.yaml")

    assert visible_deck_by_slug(user, "same").title == "Alice's own"
    assert visible_deck_by_slug(bob, "same").title == "Shared"
    with pytest.raises(NotFound):
        visible_deck_by_slug(bob, "nope")
