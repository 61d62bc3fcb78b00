#!/usr/bin/env python
"""Review-engine benchmark (issue 6, "Performance").

Builds a fresh SQLite database with one user, 100,000 cards over 10 decks (60% in
review, due dates spread over +/-60 days around today; 40% new, i.e. no card state)
and 1,000,000 review-log rows, then measures in this process, through the real
service functions:

1. due counts per deck (``due_counts_by_deck``, the dashboard query);
2. one review step: ``next_card`` + ``answer(quality 4)``, committed;
3. loading a generated 10,000-card YAML deck (``load_files`` into the shared decks).

It prints median and p95 of each, the database size and the peak RSS, and rewrites
the "Review engine" section of docs/performance.md (between the review-bench
markers). See bench/README.md.

    .venv/bin/python bench/review_bench.py [--db PATH] [--quick]
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import platform
import random
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from quizzer.deck_format import NoteSpec  # noqa: E402
from quizzer.deck_format.render import render_markdown  # noqa: E402
from quizzer.services import decks as deck_service  # noqa: E402
from quizzer.services.day_plan import due_counts_by_deck  # noqa: E402
from quizzer.services.review import answer, next_card  # noqa: E402
from quizzer.services.study import study_day_for  # noqa: E402
from quizzer.srs import Sm2State, review  # noqa: E402
from quizzer.store import connect  # noqa: E402
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog, User  # noqa: E402

DEFAULT_DB = REPO / "bench" / "review_bench.db"  # .gitignore: bench/*.db*
DOCS = REPO / "docs" / "performance.md"
START_MARK = "<!-- review-bench:start -->"
END_MARK = "<!-- review-bench:end -->"

USERNAME = "review-bench"
N_DECKS = 10
CARDS_PER_DECK = 10_000
REVIEW_SHARE = 0.6  # the first 60% of each deck (in deck order) has been studied
N_LOGS = 1_000_000
DUE_SPREAD = 60  # days either side of today
MAX_HISTORY_DAYS = 3650  # a card's first review is at most ~10 years ago
YAML_CARDS = 10_000
QUICK_SIZES = {"CARDS_PER_DECK": 1_000, "N_LOGS": 100_000}  # --quick: a tenth of the data set
# The bench user studies more than the default 200 reviews a day, so that all the
# measured steps come from the due queue (the queue logic is the same).
REVIEWS_PER_DAY = 9_999

TARGETS = {  # issue 6: what Anki (Rust + SQLite) reaches in-process on this data shape
    "due_counts": 17.0,  # ms, median
    "review_step": 0.6,  # ms, median
    "yaml_load": 0.5,  # s (issue 21; issue 6 asked for 1 s)
    "db_size": 150.0,  # MB
    "peak_rss": 160.0,  # MB
}

# Grades of a fairly good learner (SM-2 0..5), in percent.
QUALITY_TABLE = [0] * 2 + [1] * 2 + [2] * 8 + [3] * 18 + [4] * 55 + [5] * 15
DELAYS = (0, 0, 0, 0, 1, 1, 2, 3, 5, 8)  # days a review happens after it fell due

WORDS = [
    "attention", "head", "layer", "token", "cache", "key", "value", "query", "vector", "matrix", "gradient",
    "loss", "batch", "optimizer", "learning", "rate", "warmup", "decay", "schedule", "embedding", "softmax",
    "logits", "sampling", "temperature", "beam", "search", "decoding", "prefill", "memory", "bandwidth",
    "compute", "throughput", "latency", "model", "weights", "parameters", "training", "inference",
    "evaluation", "metric", "precision", "recall", "score", "dataset", "split", "validation", "test",
    "leakage", "feature", "label", "target", "regression", "classification", "tree", "forest", "boosting",
    "margin", "kernel", "norm", "dropout", "residual", "stream", "expert", "router", "capacity", "scaling",
    "law", "data", "budget", "tokens", "context", "window", "position", "rotary", "encoding", "retrieval",
    "index", "chunk", "ranker", "prompt", "chain", "reasoning", "tool", "agent", "planner", "critic",
    "reward", "policy", "preference", "tuning", "adapter", "rank", "quantization", "shard", "pipeline",
    "tensor", "parallel", "replica", "server", "request", "queue", "cost", "error", "bias", "variance",
    "sample", "noise", "signal", "mean", "median", "tail", "spread", "step", "epoch",
]


# --------------------------------------------------------------------------- helpers


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def file_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def db_files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95,
            "min": ordered[0], "max": ordered[-1], "mean": statistics.fmean(ordered)}


class Texts:
    """Plain-word texts (no markdown syntax) cut from one long random word stream."""

    def __init__(self, rng: random.Random, size: int = 2_000_000):
        self.rng = rng
        self.stream = " ".join(rng.choice(WORDS) for _ in range(size // 7))

    def __call__(self, length: int, end: str = ".") -> str:
        stream = self.stream
        start = stream.index(" ", self.rng.randrange(len(stream) - length - 40)) + 1
        stop = stream.index(" ", start + length)
        return stream[start].upper() + stream[start + 1:stop] + end


def sentence(rng: random.Random, length: int, end: str = ".") -> str:
    """Plain words, about ``length`` characters (for the few texts of the YAML decks)."""
    words, size = [], 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


def plain_html(text: str) -> str:
    """What render_markdown gives for a plain-words paragraph (checked on a sample)."""
    return f"<p>{text}</p>\n"


def sql_dt(value: datetime) -> str:
    return value.isoformat(" ")  # how sqlite3 stores a datetime for peewee's DateTimeField


def model_insert(model, names: tuple[str, ...]) -> tuple[str, tuple]:
    """INSERT for ``names`` plus every other field of ``model`` at its default.

    Field names come from the model, so a field added later either gets its default
    or (no default, not nullable) makes the build stop with a clear message.
    """
    fields = {f.name: f for f in model._meta.sorted_fields if not f.primary_key}
    unknown = set(names) - set(fields)
    if unknown:
        raise SystemExit(f"bench out of date: {model.__name__} has no field(s) {sorted(unknown)}")
    extra, extra_values = [], []
    for name, field in fields.items():
        if name in names:
            continue
        if field.default is None and not field.null:
            raise SystemExit(f"bench out of date: {model.__name__}.{name} has no default; "
                             "add it to bench/review_bench.py")
        value = field.default() if callable(field.default) else field.default
        value = field.db_value(value)
        if isinstance(value, datetime):
            value = sql_dt(value)
        elif isinstance(value, date):
            value = value.isoformat()
        extra.append(name)
        extra_values.append(value)
    columns = [fields[n].column_name for n in (*names, *extra)]
    sql = (f'INSERT INTO "{model._meta.table_name}" ('
           + ", ".join(f'"{c}"' for c in columns) + ") VALUES (" + ", ".join("?" * len(columns)) + ")")
    return sql, tuple(extra_values)


def bulk_insert(db, model, names: tuple[str, ...], rows, batch: int = 100_000) -> int:
    """executemany in transactions of ``batch`` rows; returns the row count."""
    sql, extra = model_insert(model, names)
    conn, total, rows = db.connection(), 0, iter(rows)
    while True:
        chunk = [row + extra for row in islice(rows, batch)] if extra else list(islice(rows, batch))
        if not chunk:
            return total
        with db.atomic():
            conn.executemany(sql, chunk)
        total += len(chunk)


# --------------------------------------------------------------------------- SM-2 history


def sm2_step(reps: int, interval: int, ease: int, quality: int) -> tuple[int, int, int]:
    """quizzer.srs.review on integers (easiness in hundredths); checked against it."""
    if quality < 3:
        reps, interval = 0, 1
    else:
        interval = 1 if reps == 0 else 6 if reps == 1 else -(-interval * ease // 100)
        reps += 1
    miss = 5 - quality
    return reps, interval, max(130, ease + 10 - miss * (8 + miss * 2))


def check_sm2_step(rng: random.Random) -> None:
    for _ in range(300):
        state, ints = Sm2State(), (0, 0, 250)
        for _ in range(25):
            q = rng.randrange(6)
            state, ints = review(state, q), sm2_step(*ints, q)
            assert ints == (state.repetitions, state.interval, round(state.easiness * 100)), ints


def plan_history(rng: random.Random, n_logs: int, due: int, today: int):
    """Grades and day gaps of one card's reviews so that it falls due on ``due``.

    ``n_logs`` log rows: an applied grade < 4 is followed the same day by a
    re-answer graded 4 (SM-2 step 7, not applied). Returns (grades, delays, first
    day) with the last review before today, or None if this draw does not fit.
    """
    draws = rng.choices(QUALITY_TABLE, k=n_logs)
    grades, slots = [], n_logs
    for q in draws:
        if not slots:
            break
        if q < 4 and slots < 2:
            q = 4
        grades.append(q)
        slots -= 1 if q >= 4 else 2
    reps, interval, ease, spent = 0, 0, 250, 0
    for q in grades:
        spent += min(interval, 36_500)
        reps, interval, ease = sm2_step(reps, interval, ease, q)
    last = due - min(interval, 36_500)
    if last >= today:
        return None
    delays = bytes(rng.choices(DELAYS, k=len(grades) - 1))
    first = last - spent - sum(delays)
    if today - first > MAX_HISTORY_DAYS:
        return None
    return bytes(grades), delays, first


def _mix(a: int, b: int) -> int:
    """A cheap deterministic hash: the time of day of review ``b`` of card ``a``."""
    x = ((a * 0x9E3779B1) ^ (b * 0x85EBCA77)) & 0xFFFFFFFF
    x = (x ^ (x >> 15)) * 0x2C1B3C6D & 0xFFFFFFFF
    return x ^ (x >> 12)


LOG_FIELDS = ("user", "card", "deck", "reviewed_at", "day", "quality", "applied", "kind", "time_ms",
              "answer_id", "state_before", "interval_before", "interval_after", "easiness_x100_after",
              "repetitions_after", "due_after")
STATE_FIELDS = ("user", "card", "deck", "repetitions", "interval", "easiness_x100", "due", "last_review",
                "last_review_day", "first_review_day", "relearn", "lapses", "reviews", "suspended",
                "buried_until", "retired")
# Per-card state while replaying, indexes into a list.
REPS, IVL, EASE, DUE, LAST, LAST_DAY, FIRST_DAY, RELEARN, LAPSES, REVIEWS = range(10)


def review_log_rows(plans: list, cards: list, user_id: int, rng: random.Random, states: list):
    """Every card's review history as review_log rows, in time order (an append-only log).

    Replays all the cards at once, earliest review first (a heap of each card's
    next answer), computing the state before and after each answer exactly as
    services.review._apply does. Leaves each card's final state in ``states``.
    """
    day_value: dict[int, tuple] = {}  # day ordinal -> (the log's day, its midnight) as stored

    def stored(day_ord: int) -> tuple:
        found = day_value.get(day_ord)
        if found is None:
            day = date.fromordinal(day_ord)
            found = day_value[day_ord] = (ReviewLog.day.db_value(day), day.isoformat(),
                                          ReviewLog.reviewed_at.db_value(datetime(day.year, day.month, day.day)))
        return found

    def at(day_ord: int, mix: int) -> tuple[int, int]:
        seconds = 7 * 3600 + mix % (16 * 3600)  # 07:00-23:00 UTC: inside the study day
        return day_ord * 86_400 + seconds, 1 + mix % 999_999

    heap = []
    for p, (_grades, _delays, first) in enumerate(plans):
        states.append([0, 0, 250, 0, "", 0, 0, False, 0, 0])
        sec, micro = at(first, _mix(p, 0))
        heap.append((sec, micro, p, 0, False))
    heapq.heapify(heap)
    pop, push, getrandbits = heapq.heappop, heapq.heappush, rng.getrandbits
    answer_key, review_kind = ReviewLog.answer_id.db_value, ReviewLog.kind.db_value("review")
    while heap:
        sec, micro, p, j, follow_up = pop(heap)
        grades, delays, _ = plans[p]
        s = states[p]
        day_ord, secs = divmod(sec, 86_400)
        day, day_iso, midnight = stored(day_ord)
        when = midnight + secs * 1_000_000 + micro  # microseconds since 1970 (store/fields.py)
        # No answer falls on today, so the roll-over has dropped every before-state (undo
        # only reaches today's answers): state_before is NULL on every row, as in the app.
        answered_before = s[REVIEWS] > 0
        interval_before = s[IVL]
        quality = 4 if follow_up else grades[j]
        if not follow_up:  # the day's first grade: SM-2 applies
            was_reviewed = s[REPS] > 0
            s[REPS], s[IVL], s[EASE] = sm2_step(s[REPS], s[IVL], s[EASE], quality)
            s[DUE] = day_ord + min(s[IVL], 36_500)
            s[LAST_DAY] = day_ord
            s[LAPSES] += was_reviewed and quality < 3
            if not s[REVIEWS]:
                s[FIRST_DAY] = day_ord
        s[RELEARN] = quality < 4
        s[REVIEWS] += 1
        s[LAST] = f"{day_iso}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.{micro:06d}"
        mix = _mix(p, j)
        yield (user_id, cards[p][0], cards[p][1], when, day, quality, int(not follow_up), review_kind,
               2000 + mix % 15_000, answer_key(f"{getrandbits(96):024x}"), None,  # answer id: token_hex(12)
               interval_before if answered_before else 0, s[IVL], s[EASE], s[REPS], stored(s[DUE])[0])
        if quality < 4:  # step 7: answered again later the same session, without rescheduling
            push(heap, (sec + 60 + (mix >> 7) % 540, micro, p, j, True))
        elif j + 1 < len(grades):  # the next review, on or after its due day
            nxt = s[LAST_DAY] + min(s[IVL], 36_500) + delays[j]
            sec, micro = at(nxt, _mix(p, j + 1))
            push(heap, (sec, micro, p, j + 1, False))


# --------------------------------------------------------------------------- build


def build(path: Path, seed: int) -> None:
    """Create the data set in a fresh database at ``path`` (run in a child process)."""
    t0, c0 = time.perf_counter(), time.process_time()
    rng = random.Random(seed)
    db = connect(f"sqlite:///{path}")
    conn = db.connection()
    # A throw-away file: no journal and no fsync while building; WAL is switched back
    # on at the end (the measuring process opens it with the app's own pragmas).
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    check_sm2_step(rng)
    text = Texts(rng)

    now = datetime.now(UTC).replace(tzinfo=None)
    user = User.create(username=USERNAME, reviews_per_day=REVIEWS_PER_DAY,
                       created_at=now - timedelta(days=MAX_HISTORY_DAYS + 1))
    today = study_day_for(user)
    today_ord = today.day.toordinal()

    topics = rng.sample(WORDS, N_DECKS)
    bulk_insert(db, Deck, ("owner", "slug", "title", "description", "tags", "sources", "content_hash",
                           "source_path", "card_count", "created_at", "updated_at"),
                ((user.id, f"bench-{i:02d}-{topic}", f"Bench deck {i:02d}: {topic}",
                  text(200), json.dumps(["bench", topic]), "{}", f"{rng.getrandbits(256):064x}",
                  "", CARDS_PER_DECK, sql_dt(user.created_at), sql_dt(now))
                 for i, topic in enumerate(topics)))
    deck_ids = [d.id for d in Deck.select(Deck.id).where(Deck.owner == user.id).order_by(Deck.id)]

    # Notes and cards: one basic note makes one card; texts as long as the bundled decks'.
    next_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM card").fetchone()[0]
    assert next_id == conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM note").fetchone()[0]
    note_rows, card_rows, card_of = [], [], []  # card_of[i] = (card id, deck id)
    for deck_index, deck_id in enumerate(deck_ids):
        topic = topics[deck_index]
        for pos in range(CARDS_PER_DECK):
            question = text(60 + rng.randrange(100), "?")
            answer_text = text(60 + rng.randrange(150))
            explanation = text(80 + rng.randrange(150)) if rng.random() < 0.66 else ""
            spec = NoteSpec(id=f"c{pos:05d}", line=1, question=question, answer=answer_text,
                            explanation=explanation or None,
                            tags=tuple(dict.fromkeys(("bench", topic, rng.choice(WORDS)))))
            if pos < 20:  # the shortcut renders what the app renders
                for value in filter(None, (question, answer_text, explanation)):
                    assert render_markdown(value) == plain_html(value), value
            note_rows.append((deck_id, spec.id, pos, spec.kind, question, answer_text, None,
                              explanation, plain_html(explanation) if explanation else "",
                              " " + " ".join(spec.tags) + " ", "", "[]", "[]", "[]", 0, 0))
            card_rows.append((next_id, deck_id, "front", pos * 100, question, answer_text,
                              plain_html(question), plain_html(answer_text), 0))
            card_of.append((next_id, deck_id))
            next_id += 1
    bulk_insert(db, Note, ("deck", "slug", "position", "kind", "question", "answer", "cloze",
                           "explanation", "explanation_html", "tags", "source", "choices",
                           "choices_html", "accept", "reverse", "retired"), note_rows)
    bulk_insert(db, Card, ("note", "deck", "key", "position", "prompt", "answer", "prompt_html",
                           "answer_html", "retired"), card_rows)
    del note_rows, card_rows
    got = conn.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM card").fetchone()
    assert got == (card_of[0][0], card_of[-1][0], len(card_of)), got
    t_cards = time.perf_counter()

    # The studied cards (the first 60% of each deck) and each one's history.
    studied = [card_of[i] for i in range(len(card_of)) if i % CARDS_PER_DECK < CARDS_PER_DECK * REVIEW_SHARE]
    base, extra = divmod(N_LOGS, len(studied))
    plans, redraws = [], 0
    for n in range(len(studied)):
        n_logs = base + (1 if n < extra else 0)
        due = today_ord + rng.randint(-DUE_SPREAD, DUE_SPREAD)
        plan = plan_history(rng, n_logs, due, today_ord)
        while plan is None:
            redraws += 1
            plan = plan_history(rng, n_logs, due, today_ord)
        plans.append(plan)
    t_plan = time.perf_counter()

    # The review log: bulk-loaded without its secondary indexes, which are then rebuilt
    # from the migration's own CREATE INDEX statements (same schema, 3x faster).
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = 'review_log' AND sql IS NOT NULL").fetchall()
    with db.atomic():
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    states: list[list] = []
    logs = bulk_insert(db, ReviewLog, LOG_FIELDS, review_log_rows(plans, studied, user.id, rng, states))
    assert logs == N_LOGS, logs
    with db.atomic():
        for _, sql in indexes:
            conn.execute(sql)
    t_logs = time.perf_counter()

    # Card states, created in the order the cards were first reviewed.
    order = sorted(range(len(studied)), key=lambda p: (plans[p][2], p))
    iso = lambda day_ord: date.fromordinal(day_ord).isoformat()  # noqa: E731
    bulk_insert(db, CardState, STATE_FIELDS, (
        (user.id, studied[p][0], studied[p][1], s[REPS], s[IVL], s[EASE], iso(s[DUE]),
         s[LAST].replace("T", " "), iso(s[LAST_DAY]), iso(s[FIRST_DAY]), int(s[RELEARN]), s[LAPSES],
         s[REVIEWS], 0, None, 0)
        for p in order for s in (states[p],)))
    t_states = time.perf_counter()

    verify(db, user, today, rng)
    conn.execute("PRAGMA journal_mode=WAL")
    db.close()
    print(f"built {path.name}: {len(card_of):,} cards, {len(studied):,} card states, {logs:,} log rows "
          f"in {time.perf_counter() - t0:.1f} s ({time.process_time() - c0:.1f} s CPU; cards "
          f"{t_cards - t0:.1f} s, histories {t_plan - t_cards:.1f} s with {redraws:,} redraws, log "
          f"{t_logs - t_plan:.1f} s, states {t_states - t_logs:.1f} s, checks "
          f"{time.perf_counter() - t_states:.1f} s); {file_mb(path):.1f} MB", flush=True)


def verify(db, user, today, rng: random.Random) -> None:
    """The data set is what the benchmark claims, and consistent through the models."""
    conn = db.connection()
    one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
    assert one("SELECT COUNT(*) FROM card")[0] == N_DECKS * CARDS_PER_DECK
    assert one("SELECT COUNT(*) FROM card_state")[0] == N_DECKS * CARDS_PER_DECK * REVIEW_SHARE
    assert one("SELECT COUNT(*) FROM review_log")[0] == N_LOGS
    assert one("PRAGMA foreign_key_check") is None
    lo, hi = one("SELECT MIN(due), MAX(due) FROM card_state")
    assert (date.fromisoformat(lo) - today.day).days == -DUE_SPREAD, lo
    assert (date.fromisoformat(hi) - today.day).days == DUE_SPREAD, hi
    last = ReviewLog.select().order_by(ReviewLog.id.desc()).first()
    assert last.reviewed_at < today.starts_at, "no review may fall on today"
    ids = [row[0] for row in conn.execute("SELECT id FROM card_state")]
    for state in CardState.select().where(CardState.id.in_(rng.sample(ids, 200))):
        logs = list(ReviewLog.select().where(ReviewLog.card == state.card_id).order_by(ReviewLog.id))
        assert len(logs) == state.reviews
        assert all(log.state_before is None for log in logs) and logs[0].interval_before == 0
        end = logs[-1]
        assert (end.interval_after, end.easiness_x100_after, end.repetitions_after, end.due_after) == (
            state.interval, state.easiness_x100, state.repetitions, state.due)
        assert end.reviewed_at == state.last_review
        for prev, log in zip(logs, logs[1:]):  # each answer starts where the one before it left off
            assert log.interval_before == prev.interval_after and log.reviewed_at > prev.reviewed_at
            assert log.applied == (log.day != prev.day)

# --------------------------------------------------------------------------- measure


def yaml_deck(slug: str, run: int, rng: random.Random) -> str:
    """A 10,000-card deck in the bundled decks' mix of card kinds."""
    out = [f"id: {slug}", f'title: "Bench load {run}: generated deck"',
           "description: Generated by bench/review_bench.py to time deck loading.",
           "tags: [bench, generated]", "sources:", "  gen: Generated text", "cards:"]
    for i in range(YAML_CARDS):
        out.append(f"  - id: r{run}-card-{i:05d}")
        kind = rng.random()
        if kind < 0.27:
            a, b = sentence(rng, 30, ""), sentence(rng, 20, "")
            out.append(f'    cloze: "Run {run} card {i}: {{{{c1::{a}}}}} relates to {{{{c2::{b}::hint}}}}."')
        else:
            out.append(f"    question: Run {run} card {i}, {sentence(rng, 50 + rng.randrange(60), '?')}")
            if kind < 0.48:
                choices = list(dict.fromkeys(sentence(rng, 12, "") for _ in range(4)))
                out.append("    choices: [" + ", ".join(choices) + "]")
                out.append(f"    answer: {choices[rng.randrange(len(choices))]}")
            elif kind < 0.56:
                out.append(f"    answer: {sentence(rng, 40 + rng.randrange(60))}")
                out.append("    reverse: true")
            else:
                words = sentence(rng, 40 + rng.randrange(80)).split()
                words[2] = f"**{words[2]}**"  # a little markdown, as real decks have
                out.append(f"    answer: {' '.join(words)} Like `x{i}` and $k_{{{i % 7}}}$.")
                if kind > 0.91:
                    out.append(f"    accept: [{sentence(rng, 10, '')}]")
        if rng.random() < 0.5:
            out.append(f"    explanation: {sentence(rng, 60 + rng.randrange(80))}")
        out.append(f"    tags: [{rng.choice(WORDS)}]")
        if rng.random() < 0.3:
            out.append("    source: gen")
    return "\n".join(out) + "\n"


class Timer:
    """Wall-clock and CPU time of repeated runs (CPU time shows what a busy machine hides)."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def stats(self, scale: float) -> dict:
        out = summary([s * scale for s in self.wall])
        out["cpu_median"] = statistics.median(self.cpu) * scale
        return out


def measure(path: Path, quick: bool, seed: int) -> dict:
    rng = random.Random(seed + 1)
    db = connect(f"sqlite:///{path}")
    user = User.get(User.username == USERNAME)
    res = {"rss_start": rss_mb()}

    # (1) due counts per deck: what the dashboard runs.
    reps = 20 if quick else 100
    timer = Timer()
    for n in range(5 + reps):
        if n < 5:  # warm-up
            due_counts_by_deck(user, study_day_for(user))
            continue
        with timer:
            counts = due_counts_by_deck(user, study_day_for(user))
        assert len(counts) >= N_DECKS
    res["due_counts"] = timer.stats(1e3)
    res["rss_due"] = rss_mb()
    print(f"due counts: median {res['due_counts']['median']:.2f} ms, p95 {res['due_counts']['p95']:.2f} ms, "
          f"CPU median {res['due_counts']['cpu_median']:.2f} ms ({reps} runs)", flush=True)

    # (2) one review step: the next card, then grade it Good (4), committed.
    steps = 100 if quick else 500
    step, nxt, ans = Timer(), Timer(), Timer()
    for n in range(10 + steps):
        if n == 10:  # after warm-up
            step, nxt, ans = Timer(), Timer(), Timer()
        with step:
            with nxt:
                view = next_card(user)
            assert view is not None and view.state is not None, "the due queue ran dry"
            with ans:
                answer(user, view.card.id, 4, answer_id=secrets.token_hex(12))
    res["review_step"], res["next_card"], res["answer"] = step.stats(1e3), nxt.stats(1e3), ans.stats(1e3)
    res["rss_review"] = rss_mb()
    print(f"review step: median {res['review_step']['median']:.3f} ms, p95 {res['review_step']['p95']:.3f} ms, "
          f"CPU median {res['review_step']['cpu_median']:.3f} ms ({steps} steps; next_card median "
          f"{res['next_card']['median']:.3f} ms, answer median {res['answer']['median']:.3f} ms)", flush=True)

    # (3) a 10,000-card YAML deck through the real path, into the shared decks.
    runs = 1 if quick else 3
    first, reload, yaml_bytes, made = Timer(), Timer(), 0, 0
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        for run in range(1, runs + 1):
            slug = f"bench-load-{run}-{secrets.token_hex(3)}"
            deck_file = Path(tmp) / f"{slug}.yaml"
            deck_file.write_text(yaml_deck(slug, run, rng), encoding="utf-8")
            yaml_bytes = deck_file.stat().st_size
            with first:
                plans = deck_service.load_files([deck_file])  # first load: an empty (new) deck
            assert plans[0].new_deck and len(plans[0].added) == YAML_CARDS, plans[0].summary()
            made = Deck.get(Deck.owner.is_null() & (Deck.slug == slug)).card_count
        with reload:  # the same file again: nothing changes
            plans = deck_service.load_files([deck_file])
        assert len(plans[0].unchanged) == YAML_CARDS, plans[0].summary()
    res["yaml_load"], res["yaml_reload"] = first.stats(1), reload.stats(1)
    res["yaml_bytes"], res["yaml_cards_made"] = yaml_bytes, made
    res["rss_yaml"] = rss_mb()
    print(f"YAML load ({YAML_CARDS:,} entries, {made:,} cards, {yaml_bytes / 1e6:.1f} MB): first load "
          f"median {res['yaml_load']['median']:.2f} s, CPU median {res['yaml_load']['cpu_median']:.2f} s "
          f"({runs} runs); unchanged reload {res['yaml_reload']['median']:.2f} s", flush=True)
    db.close()
    res["peak_rss"] = rss_mb()
    return res


def table_sizes(path: Path) -> list[tuple[str, float]]:
    """Biggest tables and indexes (SQLite's dbstat), MB."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
    return [(name, size / 1e6) for name, size in rows]


# --------------------------------------------------------------------------- report


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import peewee
    return {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": model, "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "peewee": peewee.__version__, "os": f"{platform.system()} {platform.release()}"}


def verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "**FAIL**"


def render_section(res: dict, info: dict, quick: bool, when: datetime) -> str:
    d, s, y = res["due_counts"], res["review_step"], res["yaml_load"]
    rows = [
        ("Due counts per deck (`due_counts_by_deck`)", f"{d['median']:.1f} ms", f"{d['p95']:.1f} ms",
         f"{d['cpu_median']:.1f} ms", f"<= {TARGETS['due_counts']:g} ms median",
         verdict(d["median"], TARGETS["due_counts"])),
        ("Review step (`next_card` + `answer(4)`, committed)", f"{s['median']:.2f} ms", f"{s['p95']:.2f} ms",
         f"{s['cpu_median']:.2f} ms", f"<= {TARGETS['review_step']:g} ms median",
         verdict(s["median"], TARGETS["review_step"])),
        (f"Load a {YAML_CARDS:,}-card YAML deck (`load_files`, new deck)", f"{y['median']:.2f} s",
         f"{y['p95']:.2f} s", f"{y['cpu_median']:.2f} s", f"<= {TARGETS['yaml_load']:g} s",
         verdict(y["median"], TARGETS["yaml_load"])),
        ("Database size after building", f"{res['db_mb']:.0f} MB", "", "", f"<= {TARGETS['db_size']:g} MB",
         verdict(res["db_mb"], TARGETS["db_size"])),
        ("Peak RSS of the measuring process", f"{res['peak_rss']:.0f} MB", "", "",
         f"<= {TARGETS['peak_rss']:g} MB", verdict(res["peak_rss"], TARGETS["peak_rss"])),
    ]
    load = ", ".join(f"{x:.1f}" for x in res["loadavg"])
    lines = [
        START_MARK,
        "<!-- Generated by bench/review_bench.py: edits between these markers are overwritten. -->",
        "## Review engine",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC with `.venv/bin/python bench/review_bench.py"
        + (" --quick`" if quick else "`") + f" on {info['nproc']} CPUs ({info['cpu']}), "
        f"Python {info['python']}, SQLite {info['sqlite']}, peewee {info['peewee']}, {info['os']}; "
        f"load average before the run {load} (other work on the machine slows the wall-clock "
        "figures; the CPU column is this process's own CPU time).",
        "",
        f"Data set: one user, {N_DECKS * CARDS_PER_DECK:,} cards in {N_DECKS} decks "
        f"({REVIEW_SHARE:.0%} in review with due dates spread over +/-{DUE_SPREAD} days around today, "
        f"{1 - REVIEW_SHARE:.0%} new), {N_LOGS:,} review-log rows with SM-2-consistent histories; "
        f"built with bulk inserts in {res['build_s']:.0f} s. Timings are in-process through the "
        "service functions, on the app's own connection settings (WAL, synchronous=FULL), without "
        "`ANALYZE` (the app does not run it). The whole benchmark took "
        f"{res['total_s']:.0f} s.",
        "",
        "| Measure | Median | p95 | CPU median | Target (issues 6, 21) | Result |",
        "|---|---|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {u} | {t} | {v} |" for a, b, c, u, t, v in rows),
        "",
        "Details:",
        "",
        f"- Due counts: {d['n']} runs (after 5 warm-up runs); min {d['min']:.1f} ms, max {d['max']:.1f} ms.",
        f"- Review step: {s['n']} steps from the due queue (after 10 warm-up steps); `next_card` median "
        f"{res['next_card']['median']:.2f} ms (p95 {res['next_card']['p95']:.2f}, CPU "
        f"{res['next_card']['cpu_median']:.2f}), `answer` median {res['answer']['median']:.2f} ms "
        f"(p95 {res['answer']['p95']:.2f}, CPU {res['answer']['cpu_median']:.2f}; the commit waits for "
        f"fsync). The bench user's reviews-per-day limit is {REVIEWS_PER_DAY:,} so every step comes from "
        "the due queue.",
        f"- YAML load: {y['n']} first loads of a fresh {res['yaml_bytes'] / 1e6:.1f} MB file "
        f"({YAML_CARDS:,} entries in the bundled decks' mix of basic, reverse, choice and cloze cards: "
        f"{res['yaml_cards_made']:,} cards), each into a new shared deck; max {y['max']:.2f} s. Loading the "
        f"same file again (nothing changed) took {res['yaml_reload']['median']:.2f} s "
        f"(CPU {res['yaml_reload']['cpu_median']:.2f} s).",
        f"- Database: {res['db_mb']:.1f} MB after building (WAL checkpointed), "
        f"{res['db_end_mb']:.1f} MB (with WAL) after the runs. Largest objects: "
        + ", ".join(f"`{n}` {m:.0f} MB" for n, m in res["tables"][:6]) + ".",
        f"- Peak RSS (`ru_maxrss`) of the measuring process: {res['rss_start']:.0f} MB after opening the "
        f"database, {res['rss_due']:.0f} MB after due counts, {res['rss_review']:.0f} MB after the review "
        f"steps, {res['rss_yaml']:.0f} MB after the YAML loads. The data set is built in a child process "
        f"(peak {res['build_rss']:.0f} MB), not counted here.",
        END_MARK,
    ]
    return "\n".join(lines)


INTRO = """# Performance

Benchmark figures for Quizzer, each section written by the script that measures it: re-run the
script to refresh its section (only the part between its marker comments is replaced). Targets
come from the issues; the machine and versions are recorded with each run.

"""


def write_docs(section: str) -> None:
    write_section(section, START_MARK, END_MARK)


def write_section(section: str, start_mark: str, end_mark: str) -> None:
    """Replace the part of docs/performance.md between the markers (or append the section)."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else INTRO
    if INTRO.splitlines()[2] not in text and text.startswith("# Performance\n"):
        text = INTRO + text[len("# Performance\n"):].lstrip("\n")  # the intro, once
    start, end = text.find(start_mark), text.find(end_mark)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(end_mark):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- main


def remove_old(path: Path, force: bool) -> None:
    """Delete a previous bench database; anything else only with --force."""
    if not path.exists():
        return
    ours = False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ours = conn.execute('SELECT 1 FROM "user" WHERE username = ?', (USERNAME,)).fetchone() is not None
        conn.close()
    except sqlite3.Error:
        pass
    if not (ours or force):
        raise SystemExit(f"{path} exists and is not a review-bench database; pass --force to replace it")
    for file in db_files(path):
        file.unlink(missing_ok=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"SQLite file to (re)build (default {DEFAULT_DB.relative_to(REPO)})")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the data set, fewer repetitions (under a minute); docs are left alone "
                             "unless --write-docs")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--reuse", action="store_true",
                        help="measure an existing bench database instead of rebuilding it")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--write-docs", action="store_true", help="with --quick: write the docs anyway")
    parser.add_argument("--force", action="store_true", help="replace a --db file that is not a bench db")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = args.db.resolve()
    if args.quick:
        globals().update(QUICK_SIZES)

    if args.build_only:
        build(path, args.seed)
        return 0

    info, when, started = machine(), datetime.now(UTC), time.perf_counter()
    loadavg = os.getloadavg()
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, SQLite {info['sqlite']}; "
          f"load average {loadavg[0]:.1f}", flush=True)
    build_s, build_rss = 0.0, 0.0
    if not (args.reuse and path.exists()):
        remove_old(path, args.force)
        t = time.perf_counter()
        # A child process builds, so its memory does not count in the measured peak RSS.
        subprocess.run([sys.executable, __file__, "--build-only", "--db", str(path), "--seed", str(args.seed)]
                       + (["--quick"] if args.quick else []), check=True)
        build_s = time.perf_counter() - t
        build_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    db_mb = sum(file_mb(f) for f in db_files(path))
    tables = table_sizes(path)
    print(f"database: {db_mb:.1f} MB; largest: "
          + ", ".join(f"{n} {m:.1f} MB" for n, m in tables[:6]), flush=True)

    res = measure(path, args.quick, args.seed)
    res.update(build_s=build_s, build_rss=build_rss, db_mb=db_mb, tables=tables, loadavg=loadavg,
               db_end_mb=sum(file_mb(f) for f in db_files(path)), total_s=time.perf_counter() - started)
    print(f"peak RSS: {res['peak_rss']:.0f} MB (build child: {build_rss:.0f} MB)")

    checks = [("due counts median", res["due_counts"]["median"], TARGETS["due_counts"], "ms"),
              ("review step median", res["review_step"]["median"], TARGETS["review_step"], "ms"),
              ("YAML load median", res["yaml_load"]["median"], TARGETS["yaml_load"], "s"),
              ("database size", db_mb, TARGETS["db_size"], "MB"),
              ("peak RSS", res["peak_rss"], TARGETS["peak_rss"], "MB")]
    for name, value, target, unit in checks:
        print(f"  {'pass' if value <= target else 'FAIL'}  {name}: {value:.3g} {unit} (target <= {target:g})")
    if args.reuse and not build_s:
        print("(--reuse: database not rebuilt; docs not written)")
    elif not args.no_docs and (not args.quick or args.write_docs):
        write_docs(render_section(res, info, args.quick, when))
        print(f"wrote {DOCS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
