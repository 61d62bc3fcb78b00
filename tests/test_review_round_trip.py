"""One answer, one round trip (issue 21): few statements, one clock reading, one study day."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizzer import clock
from quizzer.store.db import database_proxy
from quizzer.store.models import Card, CardState, Deck, ReviewLog, User
from quizzer.store.review_log_retention import UNDO_PRUNE_EVERY
from tests.conftest import at

# Transaction control, not work: BEGIN and COMMIT never reach execute_sql; SAVEPOINT and RELEASE do.
NOT_COUNTED = ("SAVEPOINT", "RELEASE", "ROLLBACK")


def deck_text(slug: str, count: int) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{slug} {i}?', answer: '{i}'}}\n" for i in range(count))
    return f"id: {slug}\ntitle: {slug.title()}\ncards:\n{cards}"


@pytest.fixture
def decks(load_deck):
    """Four shared decks of five cards (alpha, bravo, charlie, delta in study order)."""
    return [load_deck(deck_text(slug, 5), name=f"{slug}.yaml") for slug in ("alpha", "bravo", "charlie", "delta")]


@pytest.fixture
def statements(monkeypatch):
    """Every statement the app runs through peewee from now on (triggers are not statements)."""
    seen: list[str] = []
    db = database_proxy.obj
    run = db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        if not sql.lstrip().upper().startswith(NOT_COUNTED):
            seen.append(sql)
        return run(sql, params, *args, **kwargs)
    monkeypatch.setattr(db, "execute_sql", counting)
    return seen


def _answer(client, body: dict, queue: dict | None) -> dict:
    response = client.api("/api/review/answer", {**body, **({"queue": queue} if queue else {})})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_an_answer_runs_at_most_six_statements(logged_in, decks, statements):
    """The whole request: the session's user, the card to grade, its state, the log row, today's
    progress and the next card. Here the next cards come from the due queue, then from new cards
    of later decks once the first decks have none left. An answer whose log id is a multiple of
    UNDO_PRUNE_EVERY runs one more: the UPDATE that trims old undo before-states."""
    alice = logged_in("alice")
    user = User.get(User.username == "alice")
    for card in Card.select().where(Card.deck == decks[0].id):  # alpha answered yesterday: due today
        CardState.create(user=user, card=card, deck=card.deck_id, repetitions=1, interval=1, reviews=1,
                         due=date.today() - timedelta(days=1), last_review_day=date.today() - timedelta(days=2),
                         first_review_day=date.today() - timedelta(days=2))
    body = alice.get("/api/review/next").get_json()
    alice.refresh_csrf()
    counts_per_answer, decks_served = [], []
    for n in range(16):
        statements.clear()
        body = _answer(alice, {"card_id": body["card"]["id"], "quality": 4, "answer_id": f"a{n}"}, body["queue"])
        counts_per_answer.append(len(statements))
        decks_served.append(body["card"]["deck"]["title"])

    trims = [ReviewLog.get(ReviewLog.answer_id == f"a{n}").id % UNDO_PRUNE_EVERY == 0 for n in range(16)]
    assert any(trims)  # sixteen answers: one of them trims
    assert all(count <= 6 + trim for count, trim in zip(counts_per_answer, trims)), counts_per_answer
    assert decks_served[:5] == ["Alpha"] * 4 + ["Bravo"]  # due reviews, then the first deck with new cards
    assert {"Bravo", "Charlie", "Delta"} <= set(decks_served)


def test_the_first_answer_of_a_session_without_carried_counts_still_counts_in_full(logged_in, decks, statements):
    alice = logged_in("alice")
    card_id = alice.get("/api/review/next").get_json()["card"]["id"]
    alice.refresh_csrf()
    statements.clear()
    body = _answer(alice, {"card_id": card_id, "quality": 4}, None)
    assert body["counts"] == {"new": 19, "due": 0, "relearn": 0, "total": 19}
    assert len(statements) <= 8  # two more: the per-deck counts and the held cards


@pytest.fixture
def clock_reads(monkeypatch):
    """How often the clock is read; each read returns the next of ``instants`` (the last one repeated)."""
    reads: list = []
    instants: list = []
    real = clock.now

    def now():
        reads.append(None)
        return instants[min(len(reads), len(instants)) - 1] if instants else real()
    monkeypatch.setattr(clock, "now", now)
    return reads, instants


def test_each_review_call_reads_the_clock_once(logged_in, decks, clock_reads):
    reads, _ = clock_reads
    alice = logged_in("alice")
    calls = {}

    def call(name, response):
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        calls[name] = len(reads)
        reads.clear()
        return response.get_json()

    reads.clear()
    body = call("next", alice.get("/api/review/next"))
    card_id = body["card"]["id"]
    body = call("answer", alice.api("/api/review/answer", {"card_id": card_id, "quality": 2, "answer_id": "x",
                                                            "queue": body["queue"]}))
    body = call("undo", alice.api("/api/review/undo", {"queue": body["queue"]}))
    body = call("suspend", alice.api(f"/api/cards/{card_id}/suspend", {"suspended": True, "queue": body["queue"]}))
    body = call("bury", alice.api(f"/api/cards/{body['card']['id']}/bury", {"queue": body["queue"]}))
    call("page", alice.get("/study"))
    assert calls == {"next": 1, "answer": 1, "undo": 1, "suspend": 1, "bury": 1, "page": 1}


def test_near_the_rollover_the_answer_and_the_next_card_share_one_study_day(logged_in, load_deck, clock_reads):
    """Graded at 03:59:59.9 (the roll-over is 04:00): the log, the next card's previews and the counts
    all belong to the day that is ending, even if the clock has moved on by the time they are made."""
    reads, instants = clock_reads
    load_deck(deck_text("solo", 1), name="solo.yaml")
    alice = logged_in("alice")
    instants[:] = [at("2026-03-05 10:00")]
    body = alice.get("/api/review/next").get_json()
    reads.clear()
    instants[:] = [at("2026-03-06 03:59") + timedelta(seconds=59.9), at("2026-03-06 04:00") + timedelta(seconds=0.1)]

    body = _answer(alice, {"card_id": body["card"]["id"], "quality": 2, "answer_id": "late"}, body["queue"])

    assert ReviewLog.get().day == date(2026, 3, 5)
    assert body["queue"]["day"] == "2026-03-05"
    # The same card again, relearning today: SM-2 already applied today, so no grade changes easiness.
    assert body["card"]["id"] == body["outcome"]["card_id"]
    assert [g["easiness_label"] for g in body["card"]["grades"]] == ["", "", "", ""]
    assert body["counts"] == {"new": 0, "due": 0, "relearn": 1, "total": 1}
    # The next call is on the new day: the card is a due review there, previews move the easiness again.
    reads.clear()
    instants[:] = [at("2026-03-06 04:00") + timedelta(seconds=1)]
    after = alice.get("/api/review/next").get_json()
    assert after["queue"]["day"] == "2026-03-06" and after["counts"]["due"] == 1
    assert after["card"]["grades"][0]["easiness_label"] == "ease −0.32"


def test_a_deck_scope_the_user_cannot_see_changes_nothing(logged_in, decks, load_deck):
    bob = logged_in("bob")
    private = load_deck(deck_text("secret", 1), owner="bob", name="secret.yaml")
    alice = logged_in("alice")
    card_id = alice.get("/api/review/next").get_json()["card"]["id"]
    response = alice.api(f"/api/review/answer?deck={private.id}", {"card_id": card_id, "quality": 4})
    assert response.status_code == 404
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0
    assert bob.get(f"/api/review/next?deck={private.id}").get_json()["card"]["deck"]["id"] == private.id
    assert Deck.select().count() == 5


@pytest.mark.parametrize("queue, field", [
    ({"day": "2026-03-05", "deck": None, "decks": [[1, -1, 0, 0]]}, "queue"),
    ({"day": "2026-03-05", "deck": None, "decks": [[1, "3", 0, 0]]}, "queue"),
    ({"day": "2026-03-05", "deck": None, "decks": [[1, 3, 0]]}, "queue"),
    ({"day": "2026-03-05", "deck": None, "new": 1, "due": 0, "relearn": 0}, "queue"),  # before per-deck limits
    ({"day": "yesterday", "deck": None, "decks": [[1, 1, 0, 0]]}, "queue: day"),
    ({"day": "2026-W10", "deck": None, "decks": [[1, 1, 0, 0]]}, "queue: day"),  # ISO forms other than a date
    ({"day": "20260305", "deck": None, "decks": [[1, 1, 0, 0]]}, "queue: day"),
    ({"day": "2026-03-05", "decks": [[1, 1, 0, 0]]}, "queue"),  # no "deck" key
    ({"day": "2026-03-05", "deck": "1", "decks": [[1, 1, 0, 0]]}, "queue"),
    ([1, 2, 3], "queue"),
])
def test_malformed_carried_counts_are_400(logged_in, decks, queue, field):
    alice = logged_in("alice")
    card_id = alice.get("/api/review/next").get_json()["card"]["id"]
    response = alice.api("/api/review/answer", {"card_id": card_id, "quality": 4, "queue": queue})
    assert response.status_code == 400 and response.get_json()["error"]["message"].startswith(field)
    assert ReviewLog.select().count() == 0


def test_counts_of_another_day_or_scope_are_counted_again(logged_in, decks):
    alice = logged_in("alice")
    body = alice.get("/api/review/next").get_json()
    stale = {**body["queue"], "day": "2020-01-01", "decks": [[d.id, 999, 0, 0] for d in decks]}
    after = _answer(alice, {"card_id": body["card"]["id"], "quality": 4}, stale)
    assert after["counts"]["new"] == 19
    other_scope = {**after["queue"], "deck": decks[1].id, "decks": [[decks[1].id, 999, 0, 0]]}
    after = _answer(alice, {"card_id": after["card"]["id"], "quality": 4}, other_scope)
    assert after["counts"]["new"] == 18
    doubled = {**after["queue"], "decks": [[d.id, 999, 9, 9] for d in decks] * 2}  # each deck listed twice
    after = _answer(alice, {"card_id": after["card"]["id"], "quality": 4}, doubled)
    assert after["counts"] == {"new": 17, "due": 0, "relearn": 0, "total": 17}


def test_a_replayed_answer_returns_counts_counted_afresh(logged_in, decks):
    """A retry after a lost response carries the counts from before the first post: they would be off
    by the answer, so the replay counts in full."""
    alice = logged_in("alice")
    before = alice.get("/api/review/next").get_json()
    body = {"card_id": before["card"]["id"], "quality": 2, "answer_id": "retry-me"}
    first = _answer(alice, body, before["queue"])
    again = _answer(alice, body, before["queue"])
    assert again["outcome"]["replayed"] is True
    assert again["counts"] == first["counts"] == {"new": 19, "due": 0, "relearn": 1, "total": 20}
    assert again["queue"] == first["queue"]


def test_the_presenter_only_formats():
    """web/present.py takes what the services return and calls none of them (it imports their types)."""
    import ast
    from pathlib import Path

    import quizzer.web.present as present

    tree = ast.parse(Path(present.__file__).read_text())
    from_services = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                     and (node.module or "").startswith("quizzer.services") for alias in node.names}
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert from_services and all(name[0].isupper() for name in from_services), from_services
    assert not called & from_services


def test_a_deck_imported_mid_session_joins_study_now_at_the_next_answer(logged_in, decks, load_deck, statements):
    alice = logged_in("alice")
    User.update(new_per_day=100).where(User.username == "alice").execute()
    body = alice.get("/api/review/next").get_json()
    alice.refresh_csrf()
    body = _answer(alice, {"card_id": body["card"]["id"], "quality": 4, "answer_id": "before"}, body["queue"])
    assert body["counts"]["new"] == 19
    fresh = load_deck(deck_text("echo", 3), owner="alice", name="echo.yaml")  # the carried queue lacks it

    statements.clear()
    body = _answer(alice, {"card_id": body["card"]["id"], "quality": 4, "answer_id": "after"}, body["queue"])
    assert body["counts"]["new"] == 18 + 3
    assert fresh.id in [deck_id for deck_id, *_ in body["queue"]["decks"]]
    assert len(statements) <= 8  # the two of a full count, once

    statements.clear()
    body = _answer(alice, {"card_id": body["card"]["id"], "quality": 4, "answer_id": "next"}, body["queue"])
    assert body["counts"]["new"] == 20 and len(statements) <= 6  # carried again


def test_carried_contents_naming_a_deck_that_is_gone_are_counted_again(logged_in, decks):
    alice = logged_in("alice")
    body = alice.get("/api/review/next").get_json()
    alice.refresh_csrf()
    queue = {**body["queue"], "decks": [*body["queue"]["decks"], [10**6, 50, 50, 0]]}
    body = _answer(alice, {"card_id": body["card"]["id"], "quality": 4}, queue)
    assert body["counts"] == {"new": 19, "due": 0, "relearn": 0, "total": 19}
    assert [deck_id for deck_id, *_ in body["queue"]["decks"]] == [deck.id for deck in decks]
