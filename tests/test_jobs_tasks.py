"""The jobs' work: deck sync, daily roll-over, backups; called directly and through a real scheduler."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from quizzer import jobs
from quizzer.services import deck_sync, review, rollover
from quizzer.services import users as user_service
from quizzer.store.job_models import JobRun
from quizzer.store.models import CardState, Deck, ReviewLog
from quizzer.store.stats_models import DaySnapshot
from tests.conftest import at, card_id, web_settings

DECK = """id: sync-me
title: {title}
cards:
  - id: one
    question: First?
    answer: "1"
  - id: two
    question: Second?
    answer: "2"
"""


@pytest.fixture
def decks_dir(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "sync-me.yaml").write_text(DECK.format(title="Version one"), encoding="utf-8")
    return folder


def test_deck_sync_imports_changed_files_and_keeps_progress(db, user, decks_dir):
    first = deck_sync.sync_decks(decks_dir)
    assert (len(first.loaded), first.unchanged, first.problems) == (1, 0, [])
    review.answer(user, card_id("sync-me", "one"), 5, now=at("2024-05-01 10:00"))
    assert deck_sync.sync_decks(decks_dir).unchanged == 1  # same bytes: nothing to do

    (decks_dir / "sync-me.yaml").write_text(DECK.format(title="Version two"), encoding="utf-8")
    again = deck_sync.sync_decks(decks_dir)
    assert len(again.loaded) == 1 and Deck.get(Deck.slug == "sync-me").title == "Version two"
    state = CardState.get(CardState.card == card_id("sync-me", "one"))
    assert (state.repetitions, state.interval) == (1, 1)  # progress kept


def test_a_broken_file_is_reported_and_its_deck_left_alone(db, decks_dir):
    deck_sync.sync_decks(decks_dir)
    (decks_dir / "sync-me.yaml").write_text(DECK.format(title="Broken") + "    colour: red\n", encoding="utf-8")
    (decks_dir / "other.yaml").write_text(DECK.replace("sync-me", "other").format(title="Other"), encoding="utf-8")
    report = deck_sync.sync_decks(decks_dir)
    assert len(report.loaded) == 1 and "other" in report.loaded[0]
    assert len(report.problems) == 1 and "sync-me.yaml:" in report.problems[0] and "colour" in report.problems[0]
    assert Deck.get(Deck.slug == "sync-me").title == "Version one"
    outcome = jobs.sync_decks(web_settings(decks_dir.parent, "sqlite:///unused.db", QUIZZER_DECKS_DIR=str(decks_dir)))
    assert not outcome.ok and "colour" in outcome.result


def _deck_with_states(user, load_deck, now: str):
    load_deck(DECK.format(title="Roll"))
    ids = [card_id("sync-me", "one"), card_id("sync-me", "two")]
    for cid in ids:
        review.answer(user, cid, 4, now=at(now))
    return ids


def test_rollover_snapshots_unburies_and_tags_leeches(db, user, load_deck):
    user_service.update_settings(user, timezone="Pacific/Tongatapu", rollover_hour=4)  # UTC+13
    one, two = _deck_with_states(user, load_deck, "2024-06-10 20:00")  # Jun 11 there
    review.bury(user, one, now=at("2024-06-10 21:00"))
    CardState.update(lapses=8).where(CardState.card == two).execute()

    first = rollover.roll_over(8, now=at("2024-06-11 14:59"))  # 03:59 Jun 12 there: today is Jun 11
    assert (first.users, first.unburied, first.leeches) == (1, 0, 1)  # buried until Jun 12: not yet
    assert rollover.roll_over(8, now=at("2024-06-11 14:59")).users == 0  # Jun 10 is done
    report = rollover.roll_over(8, now=at("2024-06-11 15:01"))  # 04:01 Jun 12: Jun 11 has ended
    assert (report.users, report.unburied, report.leeches, report.suspended) == (1, 1, 0, 0)
    snap = DaySnapshot.get((DaySnapshot.user == user.id) & (DaySnapshot.day == date(2024, 6, 11)))
    assert (snap.answers, snap.new_cards, snap.cards_studied, snap.due_next_day, snap.leeches) == (2, 2, 2, 2, 1)
    assert DaySnapshot.get(DaySnapshot.day == date(2024, 6, 10)).answers == 0
    states = {s.card_id: s for s in CardState.select()}
    assert states[one].buried_until is None and not states[one].leech
    assert states[two].leech and not states[two].suspended
    assert rollover.roll_over(8, now=at("2024-06-11 16:00")).users == 0  # once per day


def test_rollover_keeps_before_states_only_on_answers_undo_can_reach(db, user, load_deck):
    one, two = _deck_with_states(user, load_deck, "2024-06-10 10:00")
    after_first = CardState.get(CardState.card == one)
    review.answer(user, one, 2, now=at("2024-06-11 10:00"))  # the next study day (UTC, roll-over at 04:00)
    rollover.roll_over(8, now=at("2024-06-11 10:05"))  # Jun 10 has ended
    befores = {(log.day, log.card_id): log.state_before for log in ReviewLog.select()}
    assert befores[(date(2024, 6, 10), one)] is None and befores[(date(2024, 6, 10), two)] is None
    assert befores[(date(2024, 6, 11), one)]["interval"] == after_first.interval
    assert review.undo_last(user, now=at("2024-06-11 10:10")) == one  # today's answer: still exact
    undone = CardState.get(CardState.card == one)
    assert (undone.interval, undone.easiness_x100, undone.due, undone.reviews, undone.last_review) == (
        after_first.interval, after_first.easiness_x100, after_first.due, after_first.reviews,
        after_first.last_review)
    assert review.undo_last(user, now=at("2024-06-11 10:11")) is None  # yesterday's are final


def test_rollover_suspends_new_leeches_when_the_user_asked(db, user, load_deck):
    user_service.update_settings(user, suspend_leeches="on")
    one, two = _deck_with_states(user, load_deck, "2024-06-10 10:00")
    CardState.update(lapses=3).where(CardState.card == one).execute()
    CardState.update(lapses=9).where(CardState.card == two).execute()
    report = rollover.roll_over(3, now=at("2024-06-11 10:00"))
    assert (report.leeches, report.suspended) == (2, 2)
    review.set_suspended(user, two, False)  # the user takes one back: it stays a leech, unsuspended
    assert rollover.roll_over(3, now=at("2024-06-12 10:00")).suspended == 0
    assert not CardState.get(CardState.card == two).suspended


def test_jobs_through_a_real_background_scheduler(db_url, db, tmp_path, decks_dir, user, load_deck):
    """deck sync, roll-over and backup every second in a BackgroundScheduler, as create_app starts them."""
    settings = web_settings(tmp_path, db_url, QUIZZER_DECKS_DIR=str(decks_dir),
                            QUIZZER_BACKUP_DIR=str(tmp_path / "backups"), QUIZZER_BACKUP_KEEP="2")
    load_deck(DECK.format(title="Seed").replace("sync-me", "seed"), name="seed.yaml")
    review.bury(user, card_id("seed", "one"), now=at("2024-01-01 12:00"))  # buried until 2024-01-02
    specs = [replace(spec, period=timedelta(seconds=1), offset=timedelta(0)) for spec in jobs.job_specs(settings)]
    scheduler = jobs.build_scheduler(settings, specs)
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and JobRun.select(JobRun.job_id).distinct().count() < 3:
            time.sleep(0.2)
        deadline = time.monotonic() + 60  # a backup's time depends on the load (PostgreSQL: a trial restore)
        while time.monotonic() < deadline and JobRun.select().where(JobRun.job_id == "backup").count() < 3:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        scheduler.shutdown(wait=True)
    runs = list(JobRun.select())
    assert {run.job_id for run in runs} == {"backup", "deck_sync", "rollover"}
    assert all(run.ok for run in runs), [run.result for run in runs]
    assert Deck.get(Deck.slug == "sync-me").title == "Version one"
    assert CardState.get(CardState.card == card_id("seed", "one")).buried_until is None
    assert DaySnapshot.select().where(DaySnapshot.user == user.id).count() == 1
    assert len([p for p in (tmp_path / "backups").glob("quizzer-*") if p.suffix != ".json"]) == 2  # keep = 2
    assert len(list((tmp_path / "backups").glob("quizzer-*.manifest.json"))) == 2  # rotated with their backups
    assert sum(run.job_id == "backup" for run in runs) >= 3
