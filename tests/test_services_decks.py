"""Loading YAML decks: counts, idempotence, edits, retire/restore, dry runs, all or nothing."""
from __future__ import annotations

import pytest

from quizzer.deck_format import DeckError, faces, parse_deck, parse_deck_file
from quizzer.services import review
from quizzer.services.day_plan import due_counts_by_deck
from quizzer.services.decks import deck_files, load_files, plan_import
from quizzer.services.errors import NotFound
from quizzer.services.study import get_visible_deck, study_day_for
from quizzer.store.db import database_proxy
from quizzer.store.models import ALL_MODELS, Card, CardState, Deck, Note, ReviewLog, User
from tests.conftest import BUNDLED_DECKS, at, card_id

DECK = """
id: basics
title: Basics
tags: [demo]
sources:
  book: "The Book, chapter 1"
cards:
  - id: plain
    question: What is 2 + 2?
    answer: "4"
    source: book
  - id: both-ways
    question: Capital of France?
    answer: Paris
    reverse: true
  - id: gaps
    cloze: "{{c1::Rome}} is the capital of {{c2::Italy}}, on the {{c3::Tiber::river}}."
  - id: pick
    question: Which one is a prime?
    choices: ["4", "6", "7"]
    answer: "7"
"""
CARD_KEYS = {("plain", "front"), ("both-ways", "front"), ("both-ways", "reverse"),
             ("gaps", "c1"), ("gaps", "c2"), ("gaps", "c3"), ("pick", "front")}
DAY1 = at("2026-01-05 10:00")


@pytest.fixture
def user(db):
    """An account row; these tests never log in, so they skip the scrypt hash (~0.1 s each). They answer
    a note's cards one after the other, so burying siblings (tests/test_study_queue.py) is off."""
    return User.create(username="alice", bury_siblings=False)


def row_counts() -> dict[str, int]:
    """Rows in every table of the database (models, quizzes, jobs, stats roll-ups...)."""
    return {table: database_proxy.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in database_proxy.get_tables()}


def states_by_card() -> dict[int, dict]:
    return {s.card_id: s.__data__ for s in CardState.select()}


def stored_keys(deck_slug: str = "basics", retired: bool = False) -> set[tuple[str, str]]:
    query = (Card.select(Note.slug, Card.key).join(Note, on=(Card.note == Note.id))
             .join(Deck, on=(Card.deck == Deck.id))
             .where((Deck.slug == deck_slug) & (Card.retired == retired)))
    return set(query.tuples())


def study(user, *notes, quality=4, now=DAY1):
    for note in notes:
        key = "front" if ":" not in note else note.split(":")[1]
        review.answer(user, card_id("basics", note.split(":")[0], key), quality, now=now)


def test_a_deck_makes_one_card_per_face(db, import_deck):
    plan = import_deck(DECK)

    assert plan.new_deck and sorted(plan.added) == ["both-ways", "gaps", "pick", "plain"]
    assert {m.__name__: m.select().count() for m in ALL_MODELS} == \
        {"User": 0, "Deck": 1, "Note": 4, "Card": 7, "CardState": 0, "ReviewLog": 0}
    assert stored_keys() == CARD_KEYS
    deck = Deck.get()
    assert (deck.owner_id, deck.title, deck.card_count, deck.tags) == (None, "Basics", 7, ["demo"])
    reverse = Card.get(Card.id == card_id("basics", "both-ways", "reverse"))
    assert (reverse.prompt, reverse.answer) == ("Paris", "Capital of France?")
    hint = Card.get(Card.id == card_id("basics", "gaps", "c3"))
    assert "Tiber" not in hint.prompt and "river" in hint.prompt and "Tiber" in hint.answer
    assert Note.get(Note.slug == "plain").source == "The Book, chapter 1"
    # Deck order: cards keep the file's order.
    positions = [(n, k) for n, k in Card.select(Note.slug, Card.key).join(Note, on=(Card.note == Note.id))
                 .order_by(Card.position).tuples()]
    assert [n for n, _ in positions] == ["plain", "both-ways", "both-ways", "gaps", "gaps", "gaps", "pick"]


def card_order() -> list[tuple[str, str]]:
    return list(Card.select(Note.slug, Card.key).join(Note, on=(Card.note == Note.id))
                .order_by(Card.position).tuples())


def test_moving_cards_within_the_file_moves_them_in_the_new_card_queue(db, import_deck):
    import_deck(DECK)
    entries = DECK.split("  - id: ")
    reordered = entries[0] + "  - id: " + "  - id: ".join([entries[4], entries[3], entries[2], entries[1]])

    plan = import_deck(reordered)

    assert (plan.changed, len(plan.unchanged)) == ([], 4)
    assert card_order() == [("pick", "front"), ("gaps", "c1"), ("gaps", "c2"), ("gaps", "c3"),
                            ("both-ways", "front"), ("both-ways", "reverse"), ("plain", "front")]
    assert [n.slug for n in Note.select().order_by(Note.position)] == ["pick", "gaps", "both-ways", "plain"]


def test_every_bundled_deck_loads_with_the_parsers_card_count(sqlite_db):
    plans = load_files([BUNDLED_DECKS])

    expected = {}
    for path in deck_files([BUNDLED_DECKS]):
        spec = parse_deck_file(path)
        expected[spec.id] = (len(spec.notes), sum(len(faces(n)) for n in spec.notes))
    assert len(plans) == len(expected) >= 12
    stored = {d.slug: (Note.select().where(Note.deck == d).count(), d.card_count) for d in Deck.select()}
    assert stored == expected
    assert Card.select().count() == sum(cards for _, cards in expected.values())


def test_reloading_an_unchanged_deck_changes_nothing(db, import_deck, user):
    import_deck(DECK)
    study(user, "plain", "gaps:c2")
    cards_before = list(Card.select().order_by(Card.id).dicts())
    notes_before = list(Note.select().order_by(Note.id).dicts())
    states_before = states_by_card()

    plan = import_deck(DECK)

    assert not plan.new_deck
    assert sorted(plan.unchanged) == ["both-ways", "gaps", "pick", "plain"]
    assert plan.added == plan.changed == plan.restored == plan.retired == []
    assert list(Card.select().order_by(Card.id).dicts()) == cards_before
    assert list(Note.select().order_by(Note.id).dicts()) == notes_before
    assert states_by_card() == states_before


EDITED = DECK.replace('answer: "4"', 'answer: "Four"').replace("{{c3::Tiber::river}}", "{{c3::Tiber}}")


def test_an_edited_card_keeps_every_users_schedule(db, import_deck, user):
    bob = User.create(username="bob")
    import_deck(DECK)
    study(user, "plain", "gaps:c3")
    study(bob, "plain", quality=5)
    states_before = {(s.user_id, s.card_id): s.__data__ for s in CardState.select()}
    ids_before = {key: card_id("basics", *key) for key in CARD_KEYS}

    plan = import_deck(EDITED)

    assert sorted(plan.changed) == ["gaps", "plain"]
    assert sorted(plan.unchanged) == ["both-ways", "pick"]
    assert {(s.user_id, s.card_id): s.__data__ for s in CardState.select()} == states_before
    assert {key: card_id("basics", *key) for key in CARD_KEYS} == ids_before  # same cards, new text
    assert Card.get(Card.id == ids_before[("plain", "front")]).answer == "Four"
    assert "Tiber" not in Card.get(Card.id == ids_before[("gaps", "c3")]).prompt
    assert ReviewLog.select().count() == 3


def test_reset_changed_starts_edited_cards_over_and_keeps_the_rest(db, import_deck, user):
    import_deck(DECK)
    study(user, "plain", "both-ways", "gaps:c1")
    kept = {cid: data for cid, data in states_by_card().items()
            if cid != card_id("basics", "plain")}

    plan = import_deck(EDITED, reset_changed=True)

    assert sorted(plan.changed) == ["gaps", "plain"]
    # plain and every card of gaps had their text changed (c1 too: the note's hash covers the note).
    assert states_by_card() == {cid: data for cid, data in kept.items()
                                if cid != card_id("basics", "gaps", "c1")}
    assert ReviewLog.select().count() == 3  # history stays
    assert review.card_view(user, card_id("basics", "plain")).state is None  # new again


WITHOUT_BOTH_WAYS = DECK.replace("""  - id: both-ways
    question: Capital of France?
    answer: Paris
    reverse: true
""", "")


def test_a_removed_card_is_retired_with_its_history(db, import_deck, user):
    import_deck(DECK)
    study(user, "both-ways", "both-ways:reverse", "plain")
    front, back = card_id("basics", "both-ways"), card_id("basics", "both-ways", "reverse")

    plan = import_deck(WITHOUT_BOTH_WAYS)

    assert plan.retired == ["both-ways"]
    assert stored_keys(retired=True) == {("both-ways", "front"), ("both-ways", "reverse")}
    assert Note.get(Note.slug == "both-ways").retired
    assert {s.card_id for s in CardState.select().where(CardState.retired)} == {front, back}
    assert ReviewLog.select().where(ReviewLog.card.in_([front, back])).count() == 2
    assert Deck.get().card_count == 5
    # Gone from today's queue and from the counts, also once its review is due.
    later = at("2026-01-20 10:00")
    counts, = due_counts_by_deck(user, study_day_for(user, later))
    assert (counts.total, counts.due, counts.new) == (5, 1, 4)
    seen = set()
    for minute in range(10):
        view = review.next_card(user, now=later.replace(minute=minute))
        if view is None:
            break
        seen.add(view.card.id)
        review.answer(user, view.card.id, 5, now=later.replace(minute=minute))
    assert len(seen) == 5 and not seen & {front, back}
    with pytest.raises(NotFound):
        review.answer(user, front, 4, now=later)


def test_adding_a_retired_card_back_restores_its_history(db, import_deck, user):
    import_deck(DECK)
    study(user, "both-ways", "both-ways:reverse")
    before = states_by_card()
    import_deck(WITHOUT_BOTH_WAYS)

    plan = import_deck(DECK)

    assert plan.restored == ["both-ways"]
    assert stored_keys(retired=True) == set()
    assert states_by_card() == before
    later = at("2026-01-06 10:00")
    assert review.next_card(user, now=later).card.id == card_id("basics", "both-ways")  # due again
    assert Deck.get().card_count == 7


def test_reset_changed_leaves_a_restored_cards_history_alone(db, import_deck, user):
    import_deck(DECK)
    study(user, "both-ways", "plain")
    before = states_by_card()
    import_deck(WITHOUT_BOTH_WAYS)

    plan = import_deck(EDITED, reset_changed=True)  # both-ways comes back unchanged; plain was edited

    assert (plan.restored, sorted(plan.changed)) == (["both-ways"], ["gaps", "plain"])
    plain = card_id("basics", "plain")
    assert states_by_card() == {cid: data for cid, data in before.items() if cid != plain}


def test_a_note_that_loses_its_reverse_retires_only_that_card(db, import_deck, user):
    import_deck(DECK)
    study(user, "both-ways", "both-ways:reverse")

    plan = import_deck(DECK.replace("    reverse: true\n", ""))

    assert plan.changed == ["both-ways"]
    assert ("both-ways", "reverse") in stored_keys(retired=True)
    assert ("both-ways", "front") in stored_keys()
    retired = CardState.get(CardState.card == card_id("basics", "both-ways", "reverse"))
    assert retired.retired and retired.reviews == 1


def test_dry_run_writes_nothing(db, import_deck, write_deck, user):
    import_deck(DECK)
    study(user, "plain")
    edited = write_deck(EDITED.replace("  - id: pick", "  - id: fresh\n    question: New?\n    answer: Yes\n"
                                       "  - id: pick"), "edited.yaml")
    counts, cards = row_counts(), list(Card.select().order_by(Card.id).dicts())

    plan, = load_files([edited], dry_run=True)

    assert (sorted(plan.changed), plan.added) == (["gaps", "plain"], ["fresh"])
    assert row_counts() == counts
    assert list(Card.select().order_by(Card.id).dicts()) == cards
    spec = parse_deck(WITHOUT_BOTH_WAYS, "x.yaml")
    assert plan_import(spec, None).retired == ["both-ways"]
    assert row_counts() == counts


def test_a_broken_second_file_leaves_the_database_as_it_was(db, import_deck, write_deck, user):
    import_deck(DECK)
    study(user, "plain")
    first = write_deck(EDITED, "a-first.yaml")
    second = write_deck("id: other\ntitle: Other\ncards:\n  - id: x\n    question: Q?\n    anser: typo\n",
                        "b-second.yaml")
    counts, notes = row_counts(), list(Note.select().order_by(Note.id).dicts())

    with pytest.raises(DeckError) as caught:
        load_files([first, second])

    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{second}:6:5:") and "anser" in m for m in messages), messages
    assert all(str(first) not in m for m in messages)
    assert row_counts() == counts
    assert list(Note.select().order_by(Note.id).dicts()) == notes


def test_every_broken_file_is_reported_at_once(sqlite_db, write_deck):
    one = write_deck("id: one\ntitle: One\ncards: []\n", "one.yaml")
    two = write_deck("id: two\ntitle: [unclosed\n", "two.yaml")

    with pytest.raises(DeckError) as caught:
        load_files([one, two])

    files = {p.file for p in caught.value.problems}
    assert files == {str(one), str(two)}
    assert all(p.line >= 1 and p.column >= 1 for p in caught.value.problems)
    assert Deck.select().count() == 0


def test_two_files_with_the_same_deck_id_are_refused(db, write_deck):
    first = write_deck(DECK, "first.yaml")
    second = write_deck(DECK.replace("title: Basics", "title: Copy"), "second.yaml")

    with pytest.raises(DeckError, match="also used by") as caught:
        load_files([first, second])

    assert [p.file for p in caught.value.problems] == [str(second)]
    assert Deck.select().count() == 0


def test_a_private_deck_is_invisible_to_other_users(db, import_deck, user):
    bob = User.create(username="bob")
    import_deck(DECK, owner=user)
    import_deck(DECK.replace("title: Basics", "title: Shared basics"), name="shared.yaml")
    mine = Deck.get(Deck.owner == user.id)
    private_card = card_id("basics", "plain", owner=user)

    assert get_visible_deck(user, mine.id) == mine
    with pytest.raises(NotFound):
        get_visible_deck(bob, mine.id)
    with pytest.raises(NotFound):
        review.card_view(bob, private_card)
    with pytest.raises(NotFound):
        review.answer(bob, private_card, 4, now=DAY1)
    with pytest.raises(NotFound):
        review.next_card(bob, mine.id, now=DAY1)
    assert [c.deck.title for c in due_counts_by_deck(bob, study_day_for(bob, DAY1))] == ["Shared basics"]
    assert sorted(c.deck.title for c in due_counts_by_deck(user, study_day_for(user, DAY1))) == \
        ["Basics", "Shared basics"]
    assert ReviewLog.select().count() == 0


def test_an_imported_deck_without_ids_gets_derived_ones(sqlite_db, write_deck):
    path = write_deck("id: loose\ntitle: Loose\ncards:\n  - question: What is up?\n    answer: The sky\n")
    with pytest.raises(DeckError):
        load_files([path])

    plan, = load_files([path], require_ids=False)

    assert len(plan.added) == 1 and plan.added[0]
    assert Card.select().count() == 1
    assert load_files([path], require_ids=False)[0].unchanged == plan.added  # the derived id is stable
