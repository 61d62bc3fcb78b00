"""The decks a user can see: the shared ones and their own, in study order (shared first, then by
title)."""
from __future__ import annotations

from quizzer.store.models import Deck
from quizzer.store.prepared import INT, STR, Prepared


def visible_decks_query(user_id, *columns):
    """The visible decks as a query, for the store's own joins and, transitionally, the services that
    still compose on it (quiz_pool, readiness, quiz_results and the pages listing decks)."""
    return (Deck.select(*columns).where(Deck.owner.is_null() | (Deck.owner == user_id))
            .order_by(Deck.owner.is_null(False), Deck.title, Deck.id))


_DECKS = Prepared(lambda user: visible_decks_query(user), user=INT)
_DECK_IDS = Prepared(lambda user: visible_decks_query(user, Deck.id).tuples(), user=INT)
_DECK = Prepared(lambda user, deck: visible_decks_query(user).where(Deck.id == deck), user=INT, deck=INT)
# The user's own deck wins over a shared one with the same slug.
_DECK_BY_SLUG = Prepared(lambda user, slug: visible_decks_query(user).where(Deck.slug == slug)
                         .order_by(Deck.owner.is_null()).limit(1), user=INT, slug=STR)


def visible_decks(user_id: int) -> list[Deck]:
    """The decks the user studies, in study order."""
    return _DECKS.rows(user=user_id)


def visible_deck_ids(user_id: int) -> list[int]:
    """Ids of the decks the user studies, in study order."""
    return [deck_id for (deck_id,) in _DECK_IDS.rows(user=user_id)]


def find_visible_deck(user_id: int, deck_id: int) -> Deck | None:
    return _DECK.first(user=user_id, deck=deck_id)


def find_visible_deck_by_slug(user_id: int, slug: str) -> Deck | None:
    """The user's own deck with that slug, else the shared one."""
    return _DECK_BY_SLUG.first(user=user_id, slug=slug)

