#!/usr/bin/env python
"""Stats-page benchmark (issue 5): the whole /stats page on 100,000 cards and 1,000,000 reviews.

Builds the review benchmark's data set (``bench/review_bench.py``'s ``build``:
one user, 10 decks of 10,000 cards, 60% in review, 1,000,000 review-log rows
over up to ten years) unless ``--reuse``, then renders ``GET /stats`` through
the Flask app in this process and times each figure's service function. It
prints median and p95 (wall clock and this process's CPU time) and rewrites
the "Stats page" section of docs/performance.md (between the stats-bench
markers).

    .venv/bin/python bench/stats_bench.py [--db PATH] [--reuse] [--runs N] [--no-docs]
"""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from review_bench import build, write_section  # noqa: E402  (the review benchmark's data set and docs writer)

from quizzer.config import load_settings  # noqa: E402
from quizzer.services import stats  # noqa: E402
from quizzer.services.stats.activity import heatmap, recent_days, streaks  # noqa: E402
from quizzer.services.stats.cards import card_distributions, forecast  # noqa: E402
from quizzer.services.stats.retention import retention  # noqa: E402
from quizzer.store.models import ReviewLog, User  # noqa: E402
from quizzer.store.stats_models import ReviewDay  # noqa: E402
from quizzer.web import create_app  # noqa: E402

DEFAULT_DB = REPO / "bench" / "stats_bench.db"  # .gitignore: bench/*.db*
DOCS = REPO / "docs" / "performance.md"
START_MARK, END_MARK = "<!-- stats-bench:start -->", "<!-- stats-bench:end -->"
TARGET_MS = 300
FIGURES = {"heatmap + streaks": heatmap, "streaks alone": streaks, "last 30 days (answers, time)": recent_days,
           "due forecast": forecast, "intervals + easiness": card_distributions, "retention": retention}


def timed(func, runs: int) -> dict:
    """Median and p95 of ``runs`` calls, wall clock and CPU, in ms."""
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    p95 = lambda xs: sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]  # noqa: E731
    return {"median": statistics.median(wall), "p95": p95(wall), "cpu_median": statistics.median(cpu),
            "cpu_p95": p95(cpu)}


def measure(db_path: Path, runs: int) -> dict:
    instance = Path(tempfile.mkdtemp(prefix="stats-bench-"))
    app = create_app(load_settings({"QUIZZER_INSTANCE_DIR": str(instance), "QUIZZER_JOBS": "0",
                                    "QUIZZER_DATABASE_URL": f"sqlite:///{db_path}"}))
    user = User.get()
    client = app.test_client()
    with client.session_transaction() as session:  # logged in as the bench user
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True
    for _ in range(2):  # warm the page cache and Jinja
        response = client.get("/stats")
    assert response.status_code == 200, response.status_code
    page = timed(lambda: client.get("/stats"), runs)
    scope = stats.stats_scope(user)
    figures = {name: timed(lambda f=func: f(scope), runs) for name, func in FIGURES.items()}
    year = ReviewLog.select().where(ReviewLog.day > scope.today - timedelta(days=365)).count()
    return {"page": page, "figures": figures, "bytes": len(response.data), "reviews": ReviewLog.select().count(),
            "year_answers": year, "rollup_rows": ReviewDay.select().count(), "load": os.getloadavg()}


def section(res: dict, runs: int) -> str:
    page = res["page"]
    verdict = "meets" if page["median"] <= TARGET_MS else "misses"
    rows = "\n".join(f"| {name} | {r['median']:.1f} | {r['p95']:.1f} | {r['cpu_median']:.1f} |"
                     for name, r in res["figures"].items())
    return f"""{START_MARK}
## Stats page

`bench/stats_bench.py`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs
({platform.processor() or platform.machine()}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version};
load average while measuring {res['load'][0]:.1f} / {res['load'][1]:.1f} / {res['load'][2]:.1f} (1 / 5 / 15 min).
Data: the review benchmark's data set ({res['reviews']:,} review-log rows, 100,000 cards, 60,000 card
states), {runs} runs each after two warm-up requests.

- **`GET /stats`, the whole page** (7 charts as SVG, retention table, {res['bytes'] / 1024:.0f} KB of HTML):
  median **{page['median']:.0f} ms**, p95 {page['p95']:.0f} ms wall clock; {page['cpu_median']:.0f} ms median CPU
  time of this process. Target: under {TARGET_MS} ms — the median {verdict} it.

| figure (service function) | median ms | p95 ms | CPU median ms |
| --- | ---: | ---: | ---: |
{rows}

The review figures read `review_day` (the review log rolled up per user, study day and deck by database
triggers: {res['rollup_rows']:,} rows here, for {res['year_answers']:,} answers in the last year alone); the
card figures read the covering indexes `card_state_stats_*`. See docs/stats.md. Wall clock above CPU time
is time spent waiting for the CPU on a busy machine.
{END_MARK}"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--reuse", action="store_true", help="measure an existing data set instead of building it")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/performance.md")
    args = parser.parse_args(argv)
    path = args.db.resolve()
    if not (args.reuse and path.exists()):
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
        build(path, args.seed)
    res = measure(path, args.runs)
    page = res["page"]
    print(f"GET /stats: median {page['median']:.1f} ms, p95 {page['p95']:.1f} ms (CPU {page['cpu_median']:.1f} ms); "
          f"load {res['load'][0]:.1f}")
    for name, r in res["figures"].items():
        print(f"  {name:32s} median {r['median']:6.1f} ms  p95 {r['p95']:6.1f} ms  CPU {r['cpu_median']:6.1f} ms")
    if not args.no_docs:
        write_section(section(res, args.runs), START_MARK, END_MARK)
        print(f"wrote {DOCS.relative_to(REPO)}")
    return 0 if page["median"] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
