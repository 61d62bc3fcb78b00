#!/usr/bin/env python
"""Quizzer and the real Anki engine side by side on the same data (issue 21).

Builds the review benchmark's data set (``review_bench.build``: 100,000 cards in 10 decks,
60% in review, 1,000,000 review-log rows; ``--quick``: a tenth of the cards and logs) and copies
it into an Anki collection through the ``anki`` package: the same notes, the same card states
(due dates on the same days) and the same review history in ``revlog``. Then, in this process:

1. the review step (Good on the shown card, committed, and the next card) alternately in Quizzer
   (``answer_and_next``) and in Anki,
   in interleaved pairs of blocks, reporting the median of the pairs' CPU-time ratios
   (``time.process_time``: this process's CPU, threads included; the machine is shared, so wall
   time measures the neighbours as much as the code);
2. both databases' sizes after a WAL checkpoint and ``VACUUM``, object by object (``dbstat``).

It rewrites the "Anki side by side" section of docs/performance.md (full runs only).

    .venv/bin/python bench/anki_side_by_side.py [--quick] [--pairs N] [--no-docs]
"""
from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, REPO / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import review_bench as rb  # noqa: E402
from anki.collection import AddNoteRequest, Collection  # noqa: E402 (anki.cards first: a circular import)
from anki.collection import Card as AnkiCard  # noqa: E402
from anki.scheduler.v3 import CardAnswer  # noqa: E402

from quizzer.services.review import answer_and_next, next_with_counts  # noqa: E402
from quizzer.services.study import study_day_for  # noqa: E402
from quizzer.store import connect  # noqa: E402
from quizzer.store.models import ReviewLog, User  # noqa: E402

START_MARK, END_MARK = "<!-- anki-bench:start -->", "<!-- anki-bench:end -->"
TARGET_RATIO = 2.0  # issue 21: the review step at most 2x Anki's CPU time
BLOCK = 10  # review steps per half of a pair: one step (~1 ms) is too short to time alone


# --------------------------------------------------------------------------- the measured calls


class QuizzerSteps:
    """Quizzer's review loop as the review page drives it: ``answer_and_next`` grades the shown card
    Good and returns the next one with the queue contents to carry into the next call. One call is
    one step (the one call site to switch when the service API changes)."""

    def __init__(self, user: User):
        self.user = user
        self.step = next_with_counts(user, datetime.now(UTC))

    def __call__(self) -> None:
        shown = self.step.card
        assert shown is not None and shown.view.state is not None, "the due queue ran dry"
        self.step = answer_and_next(self.user, shown.view.card.id, 4, datetime.now(UTC),
                                    answer_id=secrets.token_hex(12), counts=self.step.contents)


def anki_step(col: Collection) -> None:
    """One review step as Anki's reviewer takes it: the queued card, its states, Good."""
    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    card = AnkiCard(col, backend_card=queued.card)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD))


# --------------------------------------------------------------------------- build


def build_quizzer(path: Path, quick: bool, seed: int) -> None:
    """The review benchmark's data set in a child process (its memory is not ours)."""
    for file in rb.db_files(path):
        file.unlink(missing_ok=True)
    subprocess.run([sys.executable, __file__, "--build-quizzer", str(path), "--seed", str(seed)]
                   + (["--quick"] if quick else []), check=True)


def _anki_ease(quality: int) -> int:
    """SM-2's 0-5 onto Anki's four buttons: a fail is Again, 3 Hard, 4 Good, 5 Easy."""
    return 1 if quality < 3 else quality - 1


def build_anki(qpath: Path, apath: Path) -> dict:
    """Copy the Quizzer data set into a new Anki collection at ``apath``; returns its counts."""
    src = sqlite3.connect(qpath)
    db = connect(f"sqlite:///{qpath}")
    user = User.get(User.username == rb.USERNAME)
    today = study_day_for(user).day
    col = Collection(str(apath))
    basic = col.models.by_name("Basic")
    conf = col.decks.get_config(1)
    conf["new"]["perDay"], conf["rev"]["perDay"] = 0, rb.REVIEWS_PER_DAY  # reviews only, as Quizzer's bench
    col.decks.update_config(conf)
    parent = col.decks.id("Bench")
    card_of: dict[int, int] = {}  # quizzer card id -> anki note index
    requests, qcards = [], []
    rows = src.execute("SELECT c.id, d.slug, n.question, n.answer, n.explanation, n.tags FROM card c "
                       "JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id ORDER BY c.id")
    decks: dict[str, int] = {}
    for card_id, slug, question, answer_text, explanation, tags in rows:
        if slug not in decks:
            decks[slug] = col.decks.id(f"Bench::{slug}")
        note = col.new_note(basic)
        note["Front"], note["Back"] = question, answer_text + (f"<hr>{explanation}" if explanation else "")
        note.tags = tags.split()
        requests.append(AddNoteRequest(note=note, deck_id=decks[slug]))
        card_of[card_id] = len(qcards)
        qcards.append(card_id)
    col.add_notes(requests)
    col.decks.select(parent)
    anki_ids = [cid for (cid,) in col.db.all("SELECT id FROM cards ORDER BY nid")]
    anki_card = {q: anki_ids[i] for q, i in card_of.items()}
    sched_today, counts = col.sched.today, {"notes": col.note_count(), "cards": col.card_count()}
    col.close()
    # Plain sqlite3 in one transaction: Anki's executemany commits (and syncs) every row.
    out = sqlite3.connect(apath)
    with out:
        out.executemany(
            "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ? "
            "WHERE id = ?",
            [(sched_today + (datetime.fromisoformat(due).date() - today).days, ivl, ease * 10, reviews,
              lapses, anki_card[card]) for card, due, ivl, ease, reviews, lapses in src.execute(
                'SELECT card_id, due, "interval", easiness_x100, reviews, lapses FROM card_state')])
        logs = _revlog_rows(src, anki_card)
        out.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                        "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)", logs)
    out.close()
    src.close()
    db.close()
    counts["revlog"] = len(logs)
    return counts


def _revlog_rows(src: sqlite3.Connection, anki_card: dict[int, int]) -> list[tuple]:
    """Quizzer's log as Anki's revlog rows; ids are the answer's millisecond, made unique."""
    reviewed_at = ReviewLog.reviewed_at
    rows, last_id = [], 0
    for card, at, quality, ivl_before, ivl_after, ease, time_ms, applied in src.execute(
            "SELECT card_id, reviewed_at, quality, interval_before, interval_after, easiness_x100_after, "
            "time_ms, applied FROM review_log ORDER BY id"):
        millis = int(reviewed_at.python_value(at).replace(tzinfo=UTC).timestamp() * 1000)
        last_id = max(millis, last_id + 1)
        kind = 1 if ivl_before else 0  # review, or learning for a first answer
        rows.append((last_id, anki_card[card], _anki_ease(quality), ivl_after, ivl_before, ease * 10,
                     min(time_ms, 60_000), kind if applied else 3))
    return rows


def compact(path: Path, anki: bool = False) -> None:
    """Checkpoint the WAL and VACUUM, so both files are measured the same way."""
    conn = sqlite3.connect(path)
    if anki:  # Anki's tables name a collation of its own
        conn.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()


def sizes(path: Path) -> dict[str, float]:
    """MB per table and index (dbstat), and the file's total."""
    conn = sqlite3.connect(path)
    found = {name: size / 1e6 for name, size in conn.execute(
        "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")}
    conn.close()
    found["(file)"] = sum(rb.file_mb(f) for f in rb.db_files(path))
    return found


# --------------------------------------------------------------------------- measure


def _block(step) -> tuple[float, float]:
    """(CPU, wall) seconds of BLOCK steps."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(BLOCK):
        step()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure_steps(qpath: Path, apath: Path, pairs: int) -> dict:
    """Interleaved pairs of blocks, the first of each pair alternating between the engines."""
    connect(f"sqlite:///{qpath}")
    user = User.get(User.username == rb.USERNAME)
    col = Collection(str(apath))
    quizzer_step, anki = QuizzerSteps(user), lambda: anki_step(col)
    for _ in range(2):  # warm-up: prepared queries, Anki's queue
        _block(quizzer_step)
        _block(anki)
    ours, theirs = [], []
    for n in range(pairs):
        if n % 2:
            theirs.append(_block(anki))
            ours.append(_block(quizzer_step))
        else:
            ours.append(_block(quizzer_step))
            theirs.append(_block(anki))
    col.close()
    ratios = [q[0] / a[0] for q, a in zip(ours, theirs)]
    per_step = lambda samples, i: statistics.median(s[i] for s in samples) / BLOCK * 1e3  # noqa: E731
    return {"pairs": pairs, "ratio": statistics.median(ratios), "ratios": sorted(ratios),
            "wall_ratio": statistics.median(q[1] / a[1] for q, a in zip(ours, theirs)),
            "ours_cpu": per_step(ours, 0), "anki_cpu": per_step(theirs, 0),
            "ours_wall": per_step(ours, 1), "anki_wall": per_step(theirs, 1)}


LOG_OBJECTS = {"quizzer": ("review_log",), "anki": ("revlog",)}


def log_mb(found: dict[str, float], table: str) -> tuple[float, list[tuple[str, float]]]:
    """The review log with its indexes: total MB and the parts."""
    parts = [(n, mb) for n, mb in found.items()
             if n == table or n.startswith((f"{table}_", f"ix_{table}", f"sqlite_autoindex_{table}"))]
    return sum(mb for _, mb in parts), parts


# --------------------------------------------------------------------------- report


def render(res: dict, info: dict, quick: bool, when: datetime) -> str:
    s, q, a = res["steps"], res["quizzer_mb"], res["anki_mb"]
    qlog, qparts = log_mb(q, "review_log")
    alog, aparts = log_mb(a, "revlog")
    fmt = lambda parts: ", ".join(f"`{n}` {mb:.1f}" for n, mb in parts)  # noqa: E731
    big = lambda found: ", ".join(f"`{n}` {mb:.1f}" for n, mb in list(found.items())[:7] if n != "(file)")  # noqa: E731
    verdict = "meets it" if s["ratio"] <= TARGET_RATIO else "**misses it**"
    return "\n".join([
        START_MARK,
        "<!-- Generated by bench/anki_side_by_side.py: edits between these markers are overwritten. -->",
        "## Anki side by side",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC with `.venv/bin/python bench/anki_side_by_side.py"
        + (" --quick`" if quick else "`") + f" on {info['nproc']} shared CPUs ({info['cpu']}), Python "
        f"{info['python']}, SQLite {info['sqlite']}, anki {res['anki_version']}; load average "
        + ", ".join(f"{x:.1f}" for x in res["loadavg"]) + ".",
        "",
        f"Data: the review benchmark's data set ({res['counts']['cards']:,} cards, "
        f"{res['counts']['revlog']:,} review-log rows), copied into an Anki collection through the `anki` "
        "package: the same notes (Basic; the explanation appended to the back), the same card states "
        "(due on the same days) and the same history in `revlog`.",
        "",
        f"- **Review step** (grade the shown card Good, committed, and get the next one; Quizzer "
        "`answer_and_next` with the carried queue contents, as the review page calls it; Anki "
        "`get_queued_cards` + `build_answer` + `answer_card`), "
        f"{s['pairs']} interleaved pairs of {BLOCK} steps each, the first of each pair alternating: "
        f"median CPU-time ratio **{s['ratio']:.2f}x** (target <= {TARGET_RATIO:g}x: {verdict}); "
        f"per step, median CPU {s['ours_cpu']:.2f} ms vs Anki's {s['anki_cpu']:.2f} ms "
        f"(wall {s['ours_wall']:.2f} vs {s['anki_wall']:.2f} ms, ratio {s['wall_ratio']:.2f}x). "
        f"Pairs' ratios: {', '.join(f'{r:.2f}' for r in s['ratios'][:: max(1, len(s['ratios']) // 10)])} "
        "(every tenth, sorted). CPU time is this process's own (`time.process_time`), since the machine "
        "is shared; Anki's Rust runs in this process too.",
        f"- **Database size** after a WAL checkpoint and `VACUUM`, both: Quizzer "
        f"**{q['(file)']:.1f} MB**, Anki **{a['(file)']:.1f} MB** ({q['(file)'] / a['(file)']:.2f}x). "
        f"The review log with its indexes: Quizzer {qlog:.1f} MB ({fmt(qparts)}), Anki {alog:.1f} MB "
        f"({fmt(aparts)}). Largest objects, MB: Quizzer {big(q)}; Anki {big(a)}.",
        END_MARK,
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 20 pairs; docs left alone")
    parser.add_argument("--pairs", type=int, help="interleaved pairs (default 50, 20 with --quick)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--dir", type=Path, help="keep the databases here (default: a temporary folder)")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--build-quizzer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in rb.QUICK_SIZES.items():
            setattr(rb, name, value)
    if args.build_quizzer:
        rb.build(args.build_quizzer, args.seed)
        return 0
    import anki.buildinfo
    info, when, loadavg = rb.machine(), datetime.now(UTC), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="anki-side-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        qpath, apath = folder / "quizzer.db", folder / "anki.anki2"
        apath.unlink(missing_ok=True)
        t = time.perf_counter()
        build_quizzer(qpath, args.quick, args.seed)
        counts = build_anki(qpath, apath)
        print(f"built both in {time.perf_counter() - t:.0f} s: {counts}", flush=True)
        compact(qpath)
        compact(apath, anki=True)
        res = {"counts": counts, "loadavg": loadavg, "anki_version": anki.buildinfo.version,
               "quizzer_mb": sizes(qpath), "anki_mb": sizes(apath)}
        print(f"sizes: Quizzer {res['quizzer_mb']['(file)']:.1f} MB, Anki {res['anki_mb']['(file)']:.1f} MB",
              flush=True)
        res["steps"] = measure_steps(qpath, apath, args.pairs or (20 if args.quick else 50))
    section = render(res, info, args.quick, when)
    print(section)
    if not (args.quick or args.no_docs):
        rb.write_section(section, START_MARK, END_MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
