"""The built wheel, installed as a user would: a fresh virtualenv, the runtime lock, an empty working folder."""
from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from quizzer.services.decks import deck_files
from quizzer.store.models import ALL_MODELS
from tests.conftest import BUNDLED_DECKS, REPO

SOURCE_IGNORED = shutil.ignore_patterns(".git", ".venv*", "instance", "build", "*.egg-info", "__pycache__",
                                        ".*_cache", ".hypothesis", "test-artifacts", "bench")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the runtime lock and the wheel built from a copy of this checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=SOURCE_IGNORED)  # the build leaves no files in the checkout
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "-w", tmp / "dist", source, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("quizzer-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    run(*pip, "--require-hashes", "-r", REPO / "requirements" / "run.txt", cwd=tmp)
    run(*pip, "--no-deps", wheel, cwd=tmp)
    return venv


def user_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZZER_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, "HOME": str(home), "QUIZZER_JOBS": "0", "QUIZZER_PASSWORD": "correct horse battery"}


def test_the_wheel_migrates_loads_the_bundled_decks_and_serves_from_an_empty_folder(installed, tmp_path):
    work = tmp_path / "empty"
    work.mkdir()
    env = user_env(tmp_path)
    quizzer = installed / "bin" / "quizzer"
    where = run(installed / "bin" / "python", "-c", "import quizzer; print(quizzer.__file__)", cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(installed)  # the checkout did not leak onto the path

    run(quizzer, "migrate", cwd=work, env=env)
    loaded = run(quizzer, "import", "--shared", cwd=work, env=env)
    run(quizzer, "user", "create", "alice", cwd=work, env=env)
    due = run(quizzer, "due", "--user", "alice", cwd=work, env=env)

    database = work / "instance" / "quizzer.db"  # runtime files in the working folder, not site-packages
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {model._meta.table_name for model in ALL_MODELS} <= tables
    bundled = len(deck_files([BUNDLED_DECKS]))
    assert len(loaded.splitlines()) == bundled and len(due.splitlines()) == 1 + bundled
    assert "site-packages" not in loaded + due
    assert page_after_login(quizzer, work, env).count('href="/decks/') >= bundled


def page_after_login(quizzer: Path, work: Path, env: dict[str, str]) -> str:
    """The dashboard from `quizzer serve`, fetched over HTTP after signing in as alice."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(quizzer), "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        base = f"http://127.0.0.1:{port}"
        login = wait_for(opener, base + "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
        assert token, login
        form = urlencode({"username": "alice", "password": "correct horse battery", "csrf_token": token[1]})
        with opener.open(base + "/login", data=form.encode()) as response:
            assert response.status == 200 and response.url == base + "/"
            return response.read().decode()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
        assert "Traceback" not in errors, errors
        assert re.search(r"quizzer\.access: 127\.0\.0\.1 POST /login 302 ", errors), errors


def wait_for(opener, url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with opener.open(url) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
