"""Deck options and the user's defaults, on both engines: inheritance, checks, extra new cards today,
and a time zone change that waits for the next roll-over."""
from __future__ import annotations

from datetime import date

import pytest

from quizzer.services import deck_options
from quizzer.services import users as user_service
from quizzer.services.errors import InvalidInput, NotFound
from quizzer.services.study import study_day_for
from quizzer.srs.queue import DeckOptions, StudyOptions
from quizzer.store.deck_options import DeckOption
from quizzer.store.models import User
from tests.conftest import at


@pytest.fixture
def user(db):
    return User.create(username="alice")


DECK = "id: {slug}\ntitle: {slug}\ncards:\n  - {{id: c1, question: 'q?', answer: 'a'}}\n"


def test_a_deck_inherits_the_users_defaults_until_its_own_are_set(db, user, load_deck):
    deck = load_deck(DECK.format(slug="one"))
    day = date(2026, 3, 1)
    assert deck_options.options_for_deck(user, deck.id, day).effective == StudyOptions(20, 200, "deck", True)

    saved = deck_options.update_deck_options(user, deck.id, new_per_day="5", reviews_per_day="", new_order="random",
                                             bury_siblings="off")

    assert saved == StudyOptions(5, 200, "random", False)
    user_service.update_settings(user, new_per_day=30, reviews_per_day=150, bury_siblings="on")
    options = deck_options.options_for_deck(User.get_by_id(user.id), deck.id, day)
    assert options.own == DeckOptions(5, None, "random", False)
    assert options.effective == StudyOptions(5, 150, "random", False)  # the unset one follows the default
    deck_options.update_deck_options(user, deck.id, new_per_day="", bury_siblings="")
    assert deck_options.options_for_deck(User.get_by_id(user.id), deck.id, day).effective == \
        StudyOptions(30, 150, "random", True)
    assert DeckOption.select().count() == 1


@pytest.mark.parametrize("values, message", [
    ({"new_per_day": "-1"}, "new_per_day: between 0 and 9999"),
    ({"reviews_per_day": "many"}, "reviews_per_day: a whole number"),
    ({"reviews_per_day": "2_0"}, "reviews_per_day: a whole number"),
    ({"reviews_per_day": "9" * 5000}, "reviews_per_day: a whole number"),
    ({"new_order": "alphabetical"}, "new_order: one of deck, round_robin, random"),
    ({"bury_siblings": "yes"}, "bury_siblings: on, off"),
    ({"fsrs": "1"}, "fsrs: not a deck option"),
])
def test_bad_deck_options_are_refused_and_nothing_is_saved(db, user, load_deck, values, message):
    deck = load_deck(DECK.format(slug="one"))
    with pytest.raises(InvalidInput, match=message):
        deck_options.update_deck_options(user, deck.id, **values)
    assert DeckOption.select().count() == 0


def test_options_of_someone_elses_deck_are_not_found(db, user, load_deck):
    bob = User.create(username="bob")
    deck = load_deck(DECK.format(slug="bobs"), owner=bob)
    with pytest.raises(NotFound):
        deck_options.update_deck_options(user, deck.id, new_per_day="1")
    with pytest.raises(NotFound):
        deck_options.add_extra_new_cards(user, deck.id, "5", at("2026-03-01 12:00"))


def test_extra_new_cards_are_for_today_only_and_add_up(db, user, load_deck):
    deck = load_deck(DECK.format(slug="one"))
    noon = at("2026-03-01 12:00")
    assert deck_options.add_extra_new_cards(user, deck.id, "5", noon) == 5
    assert deck_options.add_extra_new_cards(user, deck.id, 3, noon) == 8
    today = study_day_for(user, noon).day
    assert deck_options.options_for_deck(user, deck.id, today).extra_new_today == 8
    assert deck_options.options_for_deck(user, deck.id, date(2026, 3, 2)).extra_new_today == 0
    assert deck_options.add_extra_new_cards(user, deck.id, 2, at("2026-03-02 12:00")) == 2  # a new day starts over
    with pytest.raises(InvalidInput, match="extra_new: between 1 and 9999"):
        deck_options.add_extra_new_cards(user, deck.id, "0", noon)


def test_a_days_extra_new_cards_add_up_to_the_limit_at_most(db, user, load_deck):
    """Each form adds at most 9,999: posted again and again the sum must stop there too (past 2**31
    it would overflow PostgreSQL's integer column)."""
    deck = load_deck(DECK.format(slug="one"))
    noon = at("2026-03-01 12:00")
    assert deck_options.add_extra_new_cards(user, deck.id, 9998, noon) == 9998
    with pytest.raises(InvalidInput, match="extra_new: at most 1 more today"):
        deck_options.add_extra_new_cards(user, deck.id, 2, noon)
    assert deck_options.add_extra_new_cards(user, deck.id, 1, noon) == 9999
    assert DeckOption.get().extra_new == 9999


def test_a_time_zone_change_mid_day_takes_effect_at_the_next_rollover(db, user):
    user_service.update_settings(user, timezone="Europe/Berlin")
    noon_berlin = at("2026-03-10 11:00")
    user_service.update_settings(user, noon_berlin, timezone="America/Los_Angeles")

    stored = User.get_by_id(user.id)
    assert (stored.timezone, stored.previous_timezone) == ("America/Los_Angeles", "Europe/Berlin")
    evening = study_day_for(stored, at("2026-03-10 21:00"))  # 14:00 in Los Angeles: still Berlin's day
    assert (evening.day, evening.starts_at.isoformat()) == (date(2026, 3, 10), "2026-03-10T03:00:00")
    after = study_day_for(stored, at("2026-03-11 05:00"))  # 22:00 on the 10th in Los Angeles
    assert (after.day, after.starts_at.isoformat()) == (date(2026, 3, 11), "2026-03-11T03:00:00")
    assert study_day_for(stored, at("2026-03-12 11:00")).day == date(2026, 3, 12)  # 04:00 in Los Angeles


def test_changing_back_before_the_rollover_cancels_the_change(db, user):
    user_service.update_settings(user, timezone="Europe/Berlin")
    user_service.update_settings(user, at("2026-03-10 11:00"), timezone="America/Los_Angeles", rollover_hour="6")
    user_service.update_settings(user, at("2026-03-10 12:00"), timezone="Europe/Berlin", rollover_hour="4")
    stored = User.get_by_id(user.id)
    assert (stored.day_rule_at, stored.previous_timezone) == (None, None)
    assert study_day_for(stored, at("2026-03-11 03:00")).day == date(2026, 3, 11)
    user_service.update_settings(stored, at("2026-03-10 12:00"), new_per_day="3")  # no change of day rule
    assert User.get_by_id(user.id).day_rule_at is None
