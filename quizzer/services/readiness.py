"""Readiness per deck and per tag for the dashboard, and the three weakest topics to drill."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from quizzer.quiz.readiness import RECENT_DAYS, TopicEvidence, readiness
from quizzer.services.study import study_day_for
from quizzer.srs import MATURE_DAYS, PASSING_QUALITY
from quizzer.store.decks import visible_decks
from quizzer.store.models import User
from quizzer.store.readiness import group_counts

MIN_TOPIC_CARDS = 3  # smaller tags are noise in a chart
WEAKEST_COUNT = 3
SAME_TOPIC = 0.8  # card sets this alike (Jaccard) are one topic for "weakest"

Group = tuple[int, str]  # (deck id, the cards' tag string): cards that share deck and tags
TopicKey = tuple[str, int | str]  # ("deck", deck id) or ("tag", name)


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


def _evidence(user: User, since):
    """TopicEvidence per ("deck", id) and ("tag", name), and each topic's groups with their sizes."""
    sums: defaultdict[TopicKey, list[int]] = defaultdict(lambda: [0] * 7)
    members: defaultdict[TopicKey, dict[Group, int]] = defaultdict(dict)
    for group, row in group_counts(user.id, since, MATURE_DAYS, PASSING_QUALITY).items():
        deck_id, tags = group
        topics: list[TopicKey] = [("deck", deck_id), *(("tag", tag) for tag in tags.split())]
        for topic in topics:
            sums[topic] = [a + b for a, b in zip(sums[topic], row)]
            members[topic][group] = row[0]
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
    visible = [d for d in visible_decks(user.id) if d.id in by_deck]
    deck_sets = {frozenset(members[("deck", d.id)].items()) for d in visible}
    deck_tags = {tag for d in visible for tag in d.tags}
    decks = [Topic(d.title, readiness(by_deck[d.id]), by_deck[d.id].cards, by_deck[d.id].seen, deck_id=d.id)
             for d in visible]
    tags = [Topic(tag, readiness(e), e.cards, e.seen, tag=tag) for tag, e in sorted(by_tag.items())
            if e.cards >= MIN_TOPIC_CARDS and tag not in deck_tags
            and frozenset(members[("tag", tag)].items()) not in deck_sets]
    # Ties: the topic studied most is the weaker one (it had its chance), then by name.
    studied = sorted((t for t in decks + tags if t.seen), key=lambda t: (t.score, -t.seen, t.label.casefold()))
    return ReadinessOverview(decks, tags, _distinct(studied, members))


def _distinct(ranked: list[Topic], members) -> list[Topic]:
    """The first WEAKEST_COUNT topics that are not near copies (Jaccard >= SAME_TOPIC) of one taken.

    A topic's cards are a union of whole (deck, tags) groups, so overlaps are sums of group sizes."""
    picked: list[Topic] = []
    taken: list[dict[Group, int]] = []
    for topic in ranked:
        groups = members[("deck", topic.deck_id) if topic.deck_id else ("tag", topic.tag)]
        if all(_overlap(groups, other) < SAME_TOPIC * _union(groups, other) for other in taken):
            taken.append(groups)
            picked.append(topic)
        if len(picked) == WEAKEST_COUNT:
            break
    return picked


def _overlap(a: dict, b: dict) -> int:
    return sum(size for group, size in a.items() if group in b)


def _union(a: dict, b: dict) -> int:
    return sum(a.values()) + sum(size for group, size in b.items() if group not in a)
