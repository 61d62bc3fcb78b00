"""Readiness per deck and per tag for the dashboard, and the three weakest topics to drill."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee as pw

from quizzer.quiz.readiness import MATURE_DAYS, PASSING_QUALITY, RECENT_DAYS, TopicEvidence, readiness
from quizzer.services.study import study_day_for, visible_decks
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog, User

MIN_TOPIC_CARDS = 3  # smaller tags are noise in a chart
WEAKEST_COUNT = 3
SAME_TOPIC = 0.8  # card sets this alike (Jaccard) are one topic for "weakest"


@dataclass(frozen=True)
class Topic:
    """A deck (``deck_id`` set) or a tag, with its readiness."""

    label: str
    score: int
    cards: int
    seen: int
    deck_id: int | None = None
    tag: str | None = None


@dataclass(frozen=True)
class ReadinessOverview:
    decks: list[Topic] = field(default_factory=list)
    tags: list[Topic] = field(default_factory=list)
    weakest: list[Topic] = field(default_factory=list)  # studied topics only, lowest first


def _recent_answers(user: User, since) -> dict[int, list[int]]:
    """Per card: [review right, review total, quiz right, quiz total] since ``since``."""
    passed = pw.fn.SUM(pw.Case(None, [(ReviewLog.quality >= PASSING_QUALITY, 1)], 0))
    rows = (ReviewLog.select(ReviewLog.card, ReviewLog.kind, pw.fn.COUNT(ReviewLog.id), passed)
            .where((ReviewLog.user == user.id) & (ReviewLog.day >= since))
            .group_by(ReviewLog.card, ReviewLog.kind).tuples())
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for card_id, kind, total, right in rows:
        offset = 2 if kind == "quiz" else 0
        found[card_id][offset] += int(right or 0)
        found[card_id][offset + 1] += total
    return found


def _card_rows(user: User):
    join_state = (CardState.card == Card.id) & (CardState.user == user.id)
    return (Card.select(Card.id, Card.deck, Note.tags, CardState.interval, CardState.reviews)
            .join(Note, on=(Card.note == Note.id)).switch(Card)
            .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state)
            .where(Card.deck.in_(visible_decks(user).select(Deck.id).order_by()) & ~Card.retired
                   & (CardState.suspended.is_null() | ~CardState.suspended))
            .tuples())


def _evidence(user: User, since):
    """TopicEvidence per ("deck", id) and ("tag", name), and each topic's set of card ids.

    Counts are summed as plain lists (TopicEvidence validates, too slowly for every card)."""
    answers = _recent_answers(user, since)
    sums, members = defaultdict(lambda: [0] * 7), defaultdict(set)
    for card_id, deck_id, tags, interval, reviews in _card_rows(user):
        row = (1, int((interval or 0) >= MATURE_DAYS), int((reviews or 0) > 0), *answers.get(card_id, (0, 0, 0, 0)))
        for topic in [("deck", deck_id), *(("tag", tag) for tag in tags.split())]:
            total = sums[topic]
            for index, value in enumerate(row):
                total[index] += value
            members[topic].add(card_id)
    return {topic: TopicEvidence(*counts) for topic, counts in sums.items()}, members


def overview(user: User, now: datetime | None = None) -> ReadinessOverview:
    """Readiness of every visible deck with cards and every tag of >= MIN_TOPIC_CARDS cards.

    Tags that describe whole decks (a deck's own ``tags``, or a tag holding exactly a
    deck's cards) are left out: the deck's row already says it.
    """
    since = study_day_for(user, now).day - timedelta(days=RECENT_DAYS - 1)
    evidence, members = _evidence(user, since)
    by_deck = {key: e for (kind, key), e in evidence.items() if kind == "deck"}
    by_tag = {key: e for (kind, key), e in evidence.items() if kind == "tag"}
    visible = [d for d in visible_decks(user) if d.id in by_deck]
    deck_sets = {frozenset(members[("deck", d.id)]) for d in visible}
    deck_tags = {tag for d in visible for tag in d.tags}
    decks = [Topic(d.title, readiness(by_deck[d.id]), by_deck[d.id].cards, by_deck[d.id].seen, deck_id=d.id)
             for d in visible]
    tags = [Topic(tag, readiness(e), e.cards, e.seen, tag=tag) for tag, e in sorted(by_tag.items())
            if e.cards >= MIN_TOPIC_CARDS and tag not in deck_tags
            and frozenset(members[("tag", tag)]) not in deck_sets]
    # Ties: the topic studied most is the weaker one (it had its chance), then by name.
    studied = sorted((t for t in decks + tags if t.seen), key=lambda t: (t.score, -t.seen, t.label.casefold()))
    return ReadinessOverview(decks, tags, _distinct(studied, members))


def _distinct(ranked: list[Topic], members) -> list[Topic]:
    """The first WEAKEST_COUNT topics that are not near copies (Jaccard >= SAME_TOPIC) of one taken."""
    picked, taken_sets = [], []
    for topic in ranked:
        cards = members[("deck", topic.deck_id) if topic.deck_id else ("tag", topic.tag)]
        if all(len(cards & other) < SAME_TOPIC * len(cards | other) for other in taken_sets):
            taken_sets.append(cards)
            picked.append(topic)
        if len(picked) == WEAKEST_COUNT:
            break
    return picked
