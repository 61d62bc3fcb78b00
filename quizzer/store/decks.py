"""Decks: which ones a user sees, and finding, listing and saving decks by owner and id."""
from __future__ import annotations

from quizzer.store.models import Card, Deck


def _owned(owner_id: int | None):
    """The shared decks (``owner_id`` None) or one user's own."""
    return Deck.owner.is_null() if owner_id is None else (Deck.owner == owner_id)


def _visible(user_id: int, *columns):
    """Shared decks and the user's own in study order: shared first, then by title and id."""
    return (Deck.select(*columns).where(Deck.owner.is_null() | (Deck.owner == user_id))
            .order_by(Deck.owner.is_null(False), Deck.title, Deck.id))


def visible_deck_ids_subquery(user_id: int):
    """The ids of the decks a user sees, as a subquery for other store queries (unordered)."""
    return _visible(user_id, Deck.id).order_by()


def visible_decks(user_id: int) -> list[Deck]:
    """Shared decks and the user's own, in study order (shared first, then by title, then id)."""
    return list(_visible(user_id))


def visible_deck_ids(user_id: int) -> list[int]:
    """Ids of the decks the user sees, in study order."""
    return [deck_id for (deck_id,) in _visible(user_id, Deck.id).tuples()]


def visible_decks_among(user_id: int, deck_ids) -> list[Deck]:
    """Those of ``deck_ids`` the user sees, in study order."""
    wanted = list(deck_ids)
    return list(_visible(user_id).where(Deck.id.in_(wanted))) if wanted else []


def find_visible_deck(user_id: int, deck_id: int) -> Deck | None:
    """The deck if the user sees it (shared or their own), else None."""
    return _visible(user_id).where(Deck.id == deck_id).first()


def find_visible_deck_by_slug(user_id: int, slug: str) -> Deck | None:
    """The user's own deck with that slug, else the shared one, else None."""
    return _visible(user_id).where(Deck.slug == slug).order_by(Deck.owner.is_null()).first()


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
