"""Which decks a user sees (store.decks), on both engines: shared ones first, then their own, by title."""
from __future__ import annotations

from quizzer.services.users import create_user
from quizzer.store.decks import find_visible_deck, find_visible_deck_by_slug, visible_deck_ids, visible_decks


def _deck(slug: str, title: str) -> str:
    return f"id: {slug}\ntitle: {title}\ncards:\n  - id: q1\n    question: Q?\n    answer: A.\n"


def test_visible_decks_are_shared_then_own_by_title_and_never_another_users(db, user, load_deck):
    bob = create_user("bob", "correct horse battery")
    shared_b = load_deck(_deck("sb", "B shared"))
    shared_a = load_deck(_deck("sa", "A shared"))
    own_c = load_deck(_deck("oc", "C own"), owner=user)
    own_a = load_deck(_deck("oa", "A own"), owner=user)
    bobs = load_deck(_deck("bobs", "AAA Bob's"), owner=bob)

    expected = [shared_a.id, shared_b.id, own_a.id, own_c.id]
    assert [d.id for d in visible_decks(user.id)] == expected
    assert visible_deck_ids(user.id) == expected
    assert find_visible_deck(user.id, own_a.id).title == "A own"
    assert find_visible_deck(user.id, bobs.id) is None
    assert find_visible_deck(bob.id, own_a.id) is None
    assert find_visible_deck(bob.id, shared_a.id).title == "A shared"


def test_a_users_own_deck_comes_before_a_shared_one_with_the_same_slug(db, user, load_deck):
    bob = create_user("bob", "correct horse battery")
    load_deck(_deck("same", "Shared"), name="shared.yaml")
    load_deck(_deck("same", "Alice's own"), owner=user, name="own.yaml")

    assert find_visible_deck_by_slug(user.id, "same").title == "Alice's own"
    assert find_visible_deck_by_slug(bob.id, "same").title == "Shared"
    assert find_visible_deck_by_slug(bob.id, "nope") is None
