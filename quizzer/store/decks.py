"""The decks a user can see: the shared ones and their own, in study order (shared first, then by
title); and decks found, listed and saved by owner and id."""
from __future__ import annotations

from quizzer.store.models import Card, Deck
from quizzer.store.prepared import INT, STR, Prepared


def is_visible_to(user_id):
    """The condition a deck the user sees meets: shared, or theirs."""
    return Deck.owner.is_null() | (Deck.owner == user_id)


def visible_decks_query(user_id, *columns):
    """The visible decks as a query, for the store's own joins (the quiz pool's and the readiness
    counts' subqueries, ``visible_decks_among``)."""
    return (Deck.select(*columns).where(is_visible_to(user_id))
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


def visible_decks_among(user_id: int, deck_ids) -> list[Deck]:
    """Those of ``deck_ids`` the user sees, in study order."""
    wanted = list(deck_ids)
    return list(visible_decks_query(user_id).where(Deck.id.in_(wanted))) if wanted else []


def _owned(owner_id: int | None):
    """The shared decks (``owner_id`` None) or one user's own."""
    return Deck.owner.is_null() if owner_id is None else (Deck.owner == owner_id)


def find_deck(owner_id: int | None, slug: str) -> Deck | None:
    """The deck with that slug among the shared decks (``owner_id`` None) or one user's own."""
    return Deck.get_or_none(_owned(owner_id) & (Deck.slug == slug))


def deck_origins(owner_id: int | None) -> dict[str, str]:
    """Slug -> origin ("" for our own format) of the shared decks or one user's own."""
    return dict(Deck.select(Deck.slug, Deck.origin).where(_owned(owner_id)).tuples())


def own_deck_slugs(owner_id: int) -> set[str]:
    return {slug for (slug,) in Deck.select(Deck.slug).where(Deck.owner == owner_id).tuples()}


def shared_deck_hashes() -> set[str]:
    """The content hash of every shared deck (the sha256 of the file it was last loaded from)."""
    return {h for (h,) in Deck.select(Deck.content_hash).where(Deck.owner.is_null()).tuples()}


def deck_titles(deck_ids) -> dict[int, str]:
    """Deck id -> title for these ids."""
    return dict(Deck.select(Deck.id, Deck.title).where(Deck.id.in_(list(deck_ids) or [0])).tuples())


def save_deck(deck: Deck) -> None:
    """Insert a new deck or write every column of a stored one."""
    deck.save()


def create_deck(owner_id: int | None, values: dict) -> Deck:
    return Deck.create(owner=owner_id, **values)


def count_active_cards(deck_id: int) -> int:
    return Card.select().where((Card.deck == deck_id) & ~Card.retired).count()
