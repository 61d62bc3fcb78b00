#!/usr/bin/env python
"""Answers over HTTP against the real server (issue 21): throughput, latency, server CPU per answer.

Starts ``quizzer serve`` (waitress, 8 threads) in a child process on a fresh SQLite file and on a
fresh PostgreSQL database (``quizzer_bench_<pid>``, created and dropped), with the bundled decks
shared and N users (1, 8, 32) whose daily limits never stop them. Each user is a client thread
with its own keep-alive connection (``http.client``): it signs in through the login form (CSRF
token from the page), fetches its first card, then answers as the review page does, one
``POST /api/review/answer`` per answer (it grades the card and returns the next one), each with
a unique ``answer_id``. Optionally (``--large``, SQLite) one user with the review benchmark's
100,000-card collection.

Reported per run: answers/s, p50/p95 latency of the answers, the server's CPU per answer
(utime + stime of its process from /proc, over the measured window only) and this client's own
CPU per answer. Afterwards the database must hold every acknowledged ``answer_id`` exactly once.
Writes the "HTTP" section of docs/performance.md (full runs only).

    .venv/bin/python bench/http_bench.py [--quick] [--users 1,8,32] [--seconds 20] [--large] [--no-docs]
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, REPO / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import review_bench as rb  # noqa: E402

START_MARK, END_MARK = "<!-- http-bench:start -->", "<!-- http-bench:end -->"
PASSWORD = "bench horse battery staple"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS = {"bundled": 1.5, "large": 2.0}  # ms of server CPU per answer
_CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')
_SETUP = """
import sys
from quizzer.services import passwords
from quizzer.services.users import create_user
from quizzer.store import connect
from quizzer.store.models import User
connect(sys.argv[1])
for name in sys.argv[3:]:
    if not User.select().where(User.username == name).exists():
        create_user(name, sys.argv[2])
    User.update(new_per_day=9999, reviews_per_day=9999,
                password_hash=passwords.hash_password(sys.argv[2])).where(User.username == name).execute()
"""


# --------------------------------------------------------------------------- the server


def server_cpu(pid: int) -> float:
    """utime + stime of a process, seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def database_cpu(url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the bench database (none for SQLite: in-process)."""
    if not url.startswith("postgresql"):
        return {}
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (url.rsplit("/", 1)[1],))
        pids = [pid for (pid,) in cursor.fetchall()]
    conn.close()
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError):  # gone since
            found[pid] = server_cpu(pid)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quizzer(env: dict, *args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("quizzer")), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(env: dict, users: list[str], shared_decks: bool) -> None:
    """Migrate, load the bundled decks, make the users (through the service, not the rate-limited form)."""
    quizzer(env, "migrate")
    if shared_decks:
        quizzer(env, "import", "--shared")
    subprocess.run([sys.executable, "-c", _SETUP, env["QUIZZER_DATABASE_URL"], PASSWORD, *users],
                   env=env, check=True, cwd=REPO)


def start_server(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(Path(sys.executable).with_name("quizzer")), "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--threads", "8"], env=env, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


# --------------------------------------------------------------------------- the client


@dataclass
class Session:
    """One user's browser: a keep-alive connection, its cookie and CSRF token."""

    port: int
    name: str
    conn: http.client.HTTPConnection = field(init=False)
    cookie: str = ""
    csrf: str = ""

    def __post_init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or ():
            self.cookie = value.split(";", 1)[0]  # the one session cookie
        return response.status, data

    def login(self) -> None:
        _, page = self.request("GET", "/login")
        token = _CSRF.search(page.decode()).group(1)
        form = urlencode({"csrf_token": token, "username": self.name, "password": PASSWORD}).encode()
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"login of {self.name}: {status}"
        _, page = self.request("GET", "/")
        self.csrf = _CSRF.search(page.decode()).group(1)

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, data = self.request(method, path, json.dumps(body or {}).encode(), {
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf})
        return status, json.loads(data)


def answer_call(session: Session, state: dict, quality: int, answer_id: str) -> tuple[int, dict]:
    """The one request an answer costs, as the review page sends it: the shown card, the grade, a new
    answer id and the queue contents the last response carried."""
    return session.api("POST", "/api/review/answer",
                       {"card_id": state["card"]["id"], "quality": quality, "answer_id": answer_id,
                        "time_ms": 3000, "queue": state.get("queue")})


@dataclass
class UserRun:
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def run_user(session: Session, stop: threading.Event, start: threading.Barrier, out: UserRun) -> None:
    """Answer until told to stop or the queue runs dry: Good mostly, Again one time in five."""
    _, state = session.api("GET", "/api/review/next")
    start.wait()
    n = 0
    while not stop.is_set() and state.get("card"):
        answer_id = secrets.token_hex(12)
        began = time.perf_counter()
        status, state = answer_call(session, state, 1 if n % 5 == 4 else 4, answer_id)
        if status != 200:
            out.errors[status] += 1
            _, state = session.api("GET", "/api/review/next")
            continue
        out.latencies.append(time.perf_counter() - began)
        out.acknowledged.append(answer_id)
        n += 1


# --------------------------------------------------------------------------- one run


def measure(port: int, pid: int, names: list[str], seconds: float, url: str) -> dict:
    """Sign everybody in, then answer for ``seconds`` (or until every queue is dry)."""
    sessions = [Session(port, name) for name in names]
    for session in sessions:
        session.login()
    stop, start = threading.Event(), threading.Barrier(len(names) + 1)
    runs = [UserRun() for _ in names]
    threads = [threading.Thread(target=run_user, args=(s, stop, start, r)) for s, r in zip(sessions, runs)]
    for thread in threads:
        thread.start()
    start.wait()
    backends = database_cpu(url)
    cpu, client, began = server_cpu(pid), time.process_time(), time.perf_counter()
    deadline = began + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu, client = server_cpu(pid) - cpu, time.process_time() - client
    database = sum(now - backends.get(pid, 0.0) for pid, now in database_cpu(url).items())
    latencies = sorted(x for r in runs for x in r.latencies)
    answers = len(latencies)
    assert answers, "no answer was acknowledged"
    return {"users": len(names), "answers": answers, "seconds": elapsed, "per_s": answers / elapsed,
            "p50": statistics.median(latencies) * 1e3, "p95": latencies[int(0.95 * (answers - 1))] * 1e3,
            "server_ms": cpu / answers * 1e3, "client_ms": client / answers * 1e3,
            "database_ms": database / answers * 1e3 if url.startswith("postgresql") else None,
            "errors": sum((r.errors for r in runs), Counter()),
            "acknowledged": [a for r in runs for a in r.acknowledged], "names": names}


def last_log_id(url: str) -> int:
    from quizzer.store import connect
    from quizzer.store.models import ReviewLog
    db = connect(url)
    found = ReviewLog.select(ReviewLog.id).order_by(ReviewLog.id.desc()).scalar() or 0
    db.close()
    return found


def check_recorded(url: str, run: dict, after_id: int) -> dict:
    """Every acknowledged answer_id is in the log exactly once; and how many of the run's rows (ids
    above ``after_id``) were not acknowledged."""
    from quizzer.store import connect
    from quizzer.store.models import ReviewLog, User
    db = connect(url)
    users = [u.id for u in User.select(User.id).where(User.username.in_(run["names"]))]
    stored = Counter(a for (a,) in ReviewLog.select(ReviewLog.answer_id)
                     .where(ReviewLog.user.in_(users) & (ReviewLog.id > after_id)).tuples())
    db.close()
    missing = [a for a in run["acknowledged"] if stored[a] != 1]
    assert not missing, f"{len(missing)} acknowledged answers not recorded exactly once, e.g. {missing[:3]}"
    return {"recorded_once": len(run["acknowledged"]),
            "unacknowledged_rows": sum(stored.values()) - len(run["acknowledged"])}


def run_engine(kind: str, url: str, folder: Path, users: list[int], seconds: float, large: Path | None) -> list:
    """Every user count against one server on one database (a fresh set of users for each count)."""
    env = {**os.environ, "QUIZZER_DATABASE_URL": url, "QUIZZER_SECRET_KEY": secrets.token_hex(16),
           "QUIZZER_JOBS": "0", "QUIZZER_INSTANCE_DIR": str(folder), "QUIZZER_LOG_LEVEL": "WARNING"}
    groups = [[rb.USERNAME]] if large else [[f"bench-{n}-{i}" for i in range(n)] for n in users]
    prepare(env, [name for group in groups for name in group], shared_decks=large is None)
    port = free_port()
    server = start_server(env, port)
    results = []
    try:
        for names in groups:
            after_id = last_log_id(url)
            run = measure(port, server.pid, names, seconds, url)
            run.update(check_recorded(url, run, after_id), engine=kind,
                       data="100,000 cards" if large else "bundled decks")
            print(f"{kind}, {run['data']}, {run['users']} users: {run['answers']} answers, "
                  f"{run['per_s']:.0f}/s, p50 {run['p50']:.1f} ms, p95 {run['p95']:.1f} ms, server CPU "
                  f"{run['server_ms']:.2f} ms/answer"
                  + (f" (+ PostgreSQL {run['database_ms']:.2f})" if run["database_ms"] is not None else "")
                  + f", client CPU {run['client_ms']:.2f} ms/answer, "
                  f"errors {dict(run['errors'])}; every acknowledged answer recorded once", flush=True)
            results.append(run)
    finally:
        server.terminate()
        server.wait(30)
    return results


def postgres_database() -> tuple[str, callable]:
    """A fresh database quizzer_bench_<pid>, and the function that drops it."""
    import psycopg2
    name = f"quizzer_bench_{os.getpid()}"

    def admin(sql: str) -> None:
        conn = psycopg2.connect(PG_ADMIN)
        conn.autocommit = True
        conn.cursor().execute(sql)
        conn.close()
    admin(f"DROP DATABASE IF EXISTS {name}")
    admin(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:5432/{name}", lambda: admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --------------------------------------------------------------------------- report


def render(results: list[dict], info: dict, quick: bool, when: datetime, loadavg) -> str:
    rows = [f"| {r['engine']} | {r['data']} | {r['users']} | {r['answers']:,} | {r['per_s']:.0f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | **{r['server_ms']:.2f}** | "
            + ("in-process" if r["database_ms"] is None else f"{r['database_ms']:.2f}")
            + f" | {r['client_ms']:.2f} | {r['unacknowledged_rows']} |"
            for r in results]
    return "\n".join([
        START_MARK,
        "<!-- Generated by bench/http_bench.py: edits between these markers are overwritten. -->",
        "## HTTP",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC with `.venv/bin/python bench/http_bench.py"
        + (" --quick`" if quick else "`") + f" on {info['nproc']} shared CPUs ({info['cpu']}), Python "
        f"{info['python']}, SQLite {info['sqlite']}, PostgreSQL on 127.0.0.1; load average "
        + ", ".join(f"{x:.1f}" for x in loadavg) + ". `quizzer serve` (waitress, 8 threads) in its own "
        "process; each user a client thread with a keep-alive connection that signs in through the login "
        "form and answers as the review page does (one `POST /api/review/answer` per answer, which "
        "returns the next card, with the queue contents the last response carried; Good, Again one time "
        "in five; a unique `answer_id` each). Server CPU is "
        "the server process's utime + stime (/proc) over the measured window divided by the answers "
        "(on PostgreSQL the database's backends for the bench database are counted apart); "
        "the client's own CPU is shown too (client and server share the 2 CPUs, so answers/s and "
        "latency are bounded by both). Every acknowledged answer was found in the log exactly once.",
        "",
        "| engine | data | users | answers | answers/s | p50 ms | p95 ms | server CPU ms/answer | "
        "PostgreSQL CPU ms/answer | client CPU ms/answer | rows not acknowledged |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Targets (issue 21): server CPU per answer at most {TARGETS['bundled']:g} ms on the bundled decks "
        f"and at most {TARGETS['large']:g} ms with 100,000 cards.",
        END_MARK,
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 and 8 users, 4 s each, SQLite only; no docs")
    parser.add_argument("--users", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--engines", help="default sqlite,postgresql (sqlite with --quick)")
    parser.add_argument("--large", action="store_true", help="also one user with 100,000 cards (SQLite)")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    users = [1, 8] if args.quick else [int(n) for n in args.users.split(",")]
    seconds = 4.0 if args.quick else args.seconds
    engines = (args.engines or ("sqlite" if args.quick else "sqlite,postgresql")).split(",")
    info, when, loadavg = rb.machine(), datetime.now(UTC), os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        folder = Path(tmp)
        for kind in engines:
            if kind == "sqlite":
                results += run_engine(kind, f"sqlite:///{folder / 'bench.db'}", folder, users, seconds, None)
            else:
                url, drop = postgres_database()
                try:
                    results += run_engine(kind, url, folder, users, seconds, None)
                finally:
                    drop()
        if args.large:
            large = folder / "large.db"
            subprocess.run([sys.executable, str(REPO / "bench" / "review_bench.py"), "--build-only", "--db",
                            str(large)], check=True)
            results += run_engine("sqlite", f"sqlite:///{large}", folder, [1], seconds, large)
    section = render(results, info, args.quick, when, loadavg)
    print(section)
    if not (args.quick or args.no_docs):
        rb.write_section(section, START_MARK, END_MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
