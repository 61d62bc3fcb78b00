"""Other users' latency while a 10,000-note import runs as a background job (issue 15).

    .venv/bin/python bench/import_latency_bench.py [--notes 10000] [--database URL]

One app on waitress (4 threads, SQLite in a temporary folder unless --database). Bob studies the
bundled decks as fast as he can (GET / then POST /api/review/answer, in turn); first alone, then while
Alice uploads a 10,000-note .apkg, waits for the preview and applies it. Prints the p50 / p95 / max of
Bob's requests in both periods, the upload request's time and the job's phases. Nothing is written to docs.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from waitress.server import create_server

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from import_bench import build_package  # noqa: E402
from peewee import fn  # noqa: E402

from quizzer.config import load_settings  # noqa: E402
from quizzer.services.decks import load_files  # noqa: E402
from quizzer.store.models import Deck, User  # noqa: E402
from quizzer.web import create_app  # noqa: E402
from tests.conftest import csrf_from  # noqa: E402

PASSWORD = "a long passphrase"


def signed_up(base: str, name: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = csrf_from(session.get(base + "/signup").text)
    assert session.post(base + "/signup", data={"csrf_token": token, "username": name, "password": PASSWORD}).ok
    return session, csrf_from(session.get(base + "/").text)


def study(base: str, bob: tuple[requests.Session, str], stop: threading.Event,
          timings: dict[str, list[tuple[float, float]]]) -> None:
    """Bob: the dashboard, then one answer, over and over; each request's (start, seconds)."""
    session, token = bob
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    card = session.get(base + "/api/review/next", headers=headers).json()["card"]
    while True:
        if stop.is_set():
            return
        start = time.perf_counter()
        assert session.get(base + "/").ok
        timings["GET /"].append((start, time.perf_counter() - start))
        start = time.perf_counter()
        # Grade 1: the card comes back today (relearning), so Bob never runs out of cards.
        answer = session.post(base + "/api/review/answer", headers=headers, json={
            "card_id": card["id"], "quality": 1, "answer_id": f"bench-{time.time_ns()}", "time_ms": 900})
        timings["POST /api/review/answer"].append((start, time.perf_counter() - start))
        card = answer.json()["card"]


def summary(label: str, timings: dict[str, list[tuple[float, float]]], window=(0.0, float("inf"))) -> None:
    """Percentiles of the requests that started within ``window`` (perf_counter seconds)."""
    for name, values in timings.items():
        ms = sorted(seconds * 1000 for start, seconds in values if window[0] <= start <= window[1])
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(f"{label:>16}  {name:<26} n={len(ms):>5}  p50 {statistics.median(ms):7.1f} ms  "
              f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms")


def wait_for(session: requests.Session, url: str, phases: set[str]) -> str:
    while (phase := session.get(url, headers={"Accept": "application/json"}).json()["phase"]) not in phases:
        time.sleep(0.05)
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--database", help="a database URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        package = build_package(tmp, args.notes)
        megabytes = package.stat().st_size / 1e6
        app = create_app(load_settings({"QUIZZER_INSTANCE_DIR": str(tmp / "instance"), "QUIZZER_JOBS": "0",
                                        "QUIZZER_LOG_LEVEL": "WARNING", "QUIZZER_DATABASE_URL":
                                        args.database or f"sqlite:///{tmp / 'quizzer.db'}"}))
        load_files([REPO / "decks"])
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"

        bob = signed_up(base, "bob")
        User.update(new_per_day=9999).where(User.username == "bob").execute()
        alone: dict[str, list[tuple[float, float]]] = {"GET /": [], "POST /api/review/answer": []}
        stop = threading.Event()
        student = threading.Thread(target=study, args=(base, bob, stop, alone))
        student.start()
        time.sleep(5)
        stop.set()
        student.join()

        alice, token = signed_up(base, "alice")
        during: dict[str, list[tuple[float, float]]] = {"GET /": [], "POST /api/review/answer": []}
        stop = threading.Event()
        student = threading.Thread(target=study, args=(base, bob, stop, during))
        student.start()
        time.sleep(1)
        started = time.perf_counter()
        upload = alice.post(base + "/import", data={"csrf_token": token}, allow_redirects=False,
                            files={"file": ("bench.apkg", package.read_bytes())})
        uploaded = time.perf_counter()
        job = re.search(r"/import/jobs/(\d+)$", upload.headers["Location"]).group(1)
        status = f"{base}/import/jobs/{job}/status"
        assert wait_for(alice, status, {"ready", "failed"}) == "ready"
        previewed = time.perf_counter()
        alice.post(f"{base}/import/jobs/{job}/apply", data={"csrf_token": token}, allow_redirects=False)
        assert wait_for(alice, status, {"done", "failed"}) == "done"
        applied = time.perf_counter()
        stop.set()
        student.join()
        imported = Deck.select(fn.SUM(Deck.card_count)).join(User).where(User.username == "alice").scalar()
        server.close()
        app.extensions["quizzer_import_worker"].stop()

    print(f"{args.notes:,}-note .apkg ({megabytes:.1f} MB, {imported:,} cards imported): upload request "
          f"{(uploaded - started) * 1000:.0f} ms, read + diff {previewed - uploaded:.1f} s, "
          f"apply {applied - previewed:.1f} s")
    summary("alone", alone)
    summary("during import", during, (started, applied))


if __name__ == "__main__":
    main()
