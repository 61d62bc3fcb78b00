#!/usr/bin/env python
"""Server CPU of one HTTP answer, in-process (issue 21): where ``http_bench.py`` measures the whole
server, this calls the WSGI app alone, so a profile shows the request and nothing else.

A fresh SQLite database with the bundled decks and one user (``http_bench.prepare``); the user signs
in through the login form, then answers as the review page does (``POST /api/review/answer`` with the
carried ``queue``, Good, Again one time in five, a new ``answer_id`` each), keeping the session cookie
and user agent of the sign-in. Each request is built before its timing starts; the CPU time
(``time.process_time``) covers the WSGI call and reading the body. Prints the median and mean after 10
warm-up answers, per 100 answers (the day's figures grow with the day's answers), and with
``--profile`` cProfile's top functions (process time).

    .venv/bin/python bench/answer_profile.py [--answers 400] [--profile] [--top 40]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, REPO / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import http_bench as hb  # noqa: E402

WARM_UP = 10
USER, AGENT = "profile-user", "answer-profile"


def signed_in_app(folder: Path):
    """The app on a fresh database, and the headers of a signed-in user's API calls."""
    env = {"QUIZZER_DATABASE_URL": f"sqlite:///{folder / 'profile.db'}", "QUIZZER_SECRET_KEY": secrets.token_hex(16),
           "QUIZZER_JOBS": "0", "QUIZZER_INSTANCE_DIR": str(folder), "QUIZZER_LOG_LEVEL": "WARNING"}
    hb.prepare({**os.environ, **env}, [USER], shared_decks=True)
    os.environ.update(env)
    from quizzer.web import create_app
    app = create_app()
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT  # the session's identifier includes it
    token = hb._CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": USER, "password": hb.PASSWORD})
    assert response.status_code == 302, response.status_code
    csrf = hb._CSRF.search(client.get("/").get_data(as_text=True)).group(1)
    cookie = client.get_cookie("session")
    headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf,
               "Cookie": f"session={cookie.value}", "User-Agent": AGENT}
    first = client.get("/api/review/next", headers={"Accept": "application/json"}).get_json()
    return app, headers, first


def answer_environ(headers: dict, state: dict, n: int) -> dict:
    from werkzeug.test import EnvironBuilder
    body = json.dumps({"card_id": state["card"]["id"], "quality": 1 if n % 5 == 4 else 4,
                       "answer_id": secrets.token_hex(12), "time_ms": 3000, "queue": state.get("queue")})
    return EnvironBuilder(path="/api/review/answer", method="POST", data=body, headers=headers,
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def run(answers: int, profile: cProfile.Profile | None) -> list[float]:
    """CPU seconds of each answer after the warm-up ones."""
    from werkzeug.test import run_wsgi_app
    with tempfile.TemporaryDirectory(prefix="answer-profile-") as tmp:
        app, headers, state = signed_in_app(Path(tmp))
        times = []
        for n in range(answers + WARM_UP):
            environ = answer_environ(headers, state, n)
            measured = n >= WARM_UP
            if profile and measured:
                profile.enable()
            began = time.process_time()
            body, status, response_headers = run_wsgi_app(app.wsgi_app, environ)
            data = b"".join(body)
            body.close()
            spent = time.process_time() - began
            if profile and measured:
                profile.disable()
            assert status.startswith("200"), (status, data[:300])
            assert not any(name == "Set-Cookie" for name, _ in response_headers), "the session was rewritten"
            state = json.loads(data)
            if measured:
                times.append(spent)
            if not state.get("card"):
                break
        return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=400)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured answers (slower)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    profile = cProfile.Profile(time.process_time) if args.profile else None
    times = run(args.answers, profile)
    print(f"{len(times)} answers: median {statistics.median(times) * 1e3:.3f} ms, "
          f"mean {statistics.mean(times) * 1e3:.3f} ms of CPU" + (" (under cProfile)" if profile else ""))
    for start in range(0, len(times), 100):
        window = times[start:start + 100]
        print(f"  answers {start + WARM_UP + 1}-{start + WARM_UP + len(window)}: "
              f"median {statistics.median(window) * 1e3:.3f} ms")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
