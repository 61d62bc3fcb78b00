"""The cards a quiz may ask: the user's visible, active cards in the chosen decks or with the chosen tags."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from quizzer.deck_format.tags import TAG_RULE, is_tag
from quizzer.quiz.picking import CardStanding
from quizzer.quiz.questions import QuizCard
from quizzer.services.errors import InvalidInput, NotFound
from quizzer.store.decks import visible_decks_among
from quizzer.store.models import Card, Note, User
from quizzer.store.quizzes import quiz_card_rows

MAX_TAGS = 50  # each tag is one OR'd condition: thousands would overflow the SQL expression depth


@dataclass(frozen=True)
class PoolCard:
    """One card a quiz could ask, with the user's standing on it."""

    card: QuizCard
    standing: CardStanding


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Lower-cased, de-duplicated tags; InvalidInput names the first malformed one (deck_format.tags' rule)."""
    cleaned = []
    for raw in tags:
        tag = str(raw).strip().lower()
        if tag and not is_tag(tag):
            raise InvalidInput(f"tags: {str(raw)[:70]!r} is not a tag: {TAG_RULE}")
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"tags: at most {MAX_TAGS}, got {len(cleaned)}")
    return cleaned


def check_decks(user: User, deck_ids: Iterable[int]) -> list[int]:
    """The ids, de-duplicated, each one a deck the user can see; NotFound otherwise."""
    wanted = list(dict.fromkeys(deck_ids))
    visible = {d.id for d in visible_decks_among(user.id, wanted)}
    for deck_id in wanted:
        if deck_id not in visible:
            raise NotFound(f"no deck {deck_id}")
    return wanted


def _quiz_card(card_id, note_id, deck_id, kind, key, question, answer, cloze, choices, accept, tags,
               shuffle, tolerance, reverse_answer) -> QuizCard:
    face_accept = accept.get(key, ()) if isinstance(accept, dict) else accept  # a cloze note's, per deletion
    if key == "reverse":
        face_accept = ()
    return QuizCard(card_id, note_id, deck_id, kind, key, question or "", answer or "", cloze or "",
                    tuple(choices), tuple(face_accept), frozenset(tags.split()), bool(shuffle), tolerance or "",
                    reverse_answer or "")


def to_quiz_card(card: Card, note: Note) -> QuizCard:
    """A stored card and its note as the quiz core sees them."""
    return _quiz_card(card.id, card.note_id, card.deck_id, note.kind, card.key, note.question, note.answer,
                      note.cloze, note.choices, note.accept, note.tags, note.shuffle, note.tolerance,
                      note.reverse_answer)


def _pool_card(row: tuple, today: date) -> PoolCard:
    card, (reviews, lapses, easiness_x100, due, interval) = _quiz_card(*row[:14]), row[14:]
    if reviews is None:  # a LEFT JOIN miss: never studied
        return PoolCard(card, CardStanding())
    return PoolCard(card, CardStanding(reviews, lapses, easiness_x100 / 100, (today - due).days, interval))


def pool(user: User, today: date, *, deck_ids: Sequence[int] = (), tags: Sequence[str] = (),
         card_ids: Sequence[int] | None = None) -> list[PoolCard]:
    """Cards in any chosen deck or with any chosen tag (all visible decks when nothing is chosen),
    or exactly ``card_ids``; retired and suspended cards are left out."""
    rows = quiz_card_rows(user.id, deck_ids=deck_ids, tags=tags, card_ids=card_ids)
    return [_pool_card(row, today) for row in rows]


def deck_mates(user: User, today: date, deck_ids: Iterable[int]) -> list[QuizCard]:
    """Every active card of these decks: where multiple-choice distractors come from."""
    wanted = sorted(set(deck_ids))
    return [p.card for p in pool(user, today, deck_ids=wanted)] if wanted else []
