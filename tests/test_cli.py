"""The ``quizzer`` command, run as a real process: migrate, users, import, lint, due, and one-line errors."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer.deck_format import faces, parse_deck_file
from quizzer.services import users as user_service
from quizzer.services.decks import deck_files
from quizzer.store import connect
from quizzer.store.migrate import migration_names
from quizzer.store.models import ALL_MODELS
from tests.conftest import BUNDLED_DECKS

QUIZZER = Path(sys.executable).parent / "quizzer"  # the venv running the tests (locked or latest)
GOOD_DECK = "id: tiny\ntitle: Tiny\ncards:\n  - id: one\n    question: One?\n    answer: 1\n"
# Two problems: an unknown key (with a suggestion) and a missing answer.
BROKEN_DECK = "id: broken\ntitle: Broken\ncards:\n  - id: one\n    question: One?\n    anser: 1\n"


class Cli:
    """Runs ``quizzer`` with its own instance folder and SQLite database."""

    def __init__(self, tmp_path: Path):
        self.db_path = tmp_path / "cli.db"
        self.url = f"sqlite:///{self.db_path}"
        base = {k: v for k, v in os.environ.items() if not k.startswith("QUIZZER_")}
        self.env = {**base, "QUIZZER_INSTANCE_DIR": str(tmp_path / "instance"),
                    "QUIZZER_DATABASE_URL": self.url, "QUIZZER_JOBS": "0"}

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen([str(QUIZZER), *args], env={**self.env, **env}, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return finish(self.start(*args, **env), args)


def finish(process: subprocess.Popen, args) -> subprocess.CompletedProcess:
    try:
        out, err = process.communicate(timeout=180)  # generous: a loaded CI machine is slow, a hang is not
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def run_all(cli: Cli, cases: dict[str, tuple]) -> dict[str, subprocess.CompletedProcess]:
    """Run independent commands at once (each case: (args, env)).

    They get a QUIZZER_SECRET_KEY: processes starting together on a fresh instance folder race
    to create its secret_key file (quizzer/config.py, reported), which is not what these test.
    """
    key = {"QUIZZER_SECRET_KEY": "k" * 64}
    started = {name: cli.start(*args, **{**key, **env}) for name, (args, env) in cases.items()}
    return {name: finish(process, cases[name][0]) for name, process in started.items()}


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def rows_in(url: str) -> dict[str, int]:
    database = connect(url)
    counts = {model.__name__: model.select().count() for model in ALL_MODELS}
    database.close()
    return counts


def test_migrate_applies_every_migration_once_even_when_started_twice_at_once(cli):
    first, second = run_all(cli, {"a": (["migrate"], {}), "b": (["migrate"], {})}).values()

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    # Each script runs under its own lock, so the two may share the work: every migration is
    # applied by exactly one of them, in order.
    applied = []
    for run in (first, second):
        out = run.stdout.strip()
        assert out == "database is up to date" or out.startswith("applied: "), out
        if out.startswith("applied: "):
            applied += out.removeprefix("applied: ").split(", ")
    assert sorted(applied) == migration_names()
    assert rows_in(cli.url) == dict.fromkeys(rows_in(cli.url), 0)


def test_the_secret_key_is_made_once_and_kept(cli):
    assert cli.run("migrate").returncode == 0
    key_file = cli.db_path.parent / "instance" / "secret_key"
    key = key_file.read_text()

    assert cli.run("migrate").stdout.strip() == "database is up to date"

    assert len(key.strip()) >= 32 and key_file.read_text() == key
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_user_create_takes_the_password_from_the_environment(cli):
    created = cli.run("user", "create", "alice", QUIZZER_PASSWORD="correct horse battery")

    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created user alice"
    database = connect(cli.url)
    alice = user_service.authenticate("alice", "correct horse battery")
    assert alice is not None and not alice.is_admin
    assert user_service.authenticate("alice", "wrong password") is None
    database.close()
    results = run_all(cli, {
        "taken": (["user", "create", "alice"], {"QUIZZER_PASSWORD": "another password"}),
        "short": (["user", "create", "bob"], {"QUIZZER_PASSWORD": "short"}),
        "weak": (["user", "create", "carol"], {"QUIZZER_PASSWORD": "12345678"}),
    })
    assert results["taken"].stderr == "error: username 'alice' is taken\n"
    assert results["short"].stderr == "error: password: at least 8 characters\n"
    assert results["weak"].stderr.startswith("error: password: too easy to guess. This is a top-10 common password.")
    assert all(r.returncode == 1 for r in results.values())
    assert rows_in(cli.url)["User"] == 1


def test_writers_starting_together_on_a_new_file_under_load_all_succeed(tmp_path):
    """2-4 writers (migrate, import, user create) race on a fresh SQLite file while the CPU is busy."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for round_ in range(20):
            cli = Cli(tmp_path / f"round{round_}")
            writers = {"import": (["import", "--shared", str(BUNDLED_DECKS)], {}),
                       "alice": (["user", "create", "alice"], {"QUIZZER_PASSWORD": "correct horse battery"}),
                       "migrate": (["migrate"], {}),
                       "bob": (["user", "create", "bob"], {"QUIZZER_PASSWORD": "correct horse battery"})}
            chosen = dict(list(writers.items())[:2 + round_ % 3])
            failed = {name: (r.returncode, r.stderr) for name, r in run_all(cli, chosen).items() if r.returncode}
            assert not failed, f"round {round_}: {failed}"
    finally:
        for burner in burners:
            burner.kill()


def bundled_card_counts() -> dict[str, int]:
    counts = {}
    for path in deck_files([BUNDLED_DECKS]):
        spec = parse_deck_file(path)
        counts[spec.id] = sum(len(faces(note)) for note in spec.notes)
    return counts


def due_table(stdout: str) -> dict[str, tuple[int, int, int]]:
    rows = {}
    for line in stdout.splitlines()[1:]:
        slug, new, due, total = line.split()
        rows[slug] = (int(new), int(due), int(total))
    return rows


def test_import_shared_decks_then_due_shows_every_bundled_deck(cli, write_deck):
    imported, created = run_all(cli, {
        "import": (["import", "--shared", str(BUNDLED_DECKS)], {}),
        "user": (["user", "create", "alice"], {"QUIZZER_PASSWORD": "correct horse battery"}),
    }).values()
    assert (imported.returncode, created.returncode) == (0, 0), imported.stderr + created.stderr
    expected = bundled_card_counts()
    assert len(imported.stdout.splitlines()) == len(expected)
    for slug in expected:
        assert f"loaded {slug}: new deck, " in imported.stdout
    private = cli.run("import", "--user", "alice", str(write_deck(GOOD_DECK)))
    assert private.stdout.strip() == \
        "loaded tiny: new deck, 1 added, 0 changed, 0 restored, 0 retired, 0 unchanged"

    anyone, alice = run_all(cli, {"anyone": (["due"], {}),
                                  "alice": (["due", "--user", "alice"], {})}).values()

    assert anyone.returncode == 0, anyone.stderr
    assert anyone.stdout.splitlines()[0].split()[:4] == ["deck", "new", "due", "total"]
    shared = {slug: (min(cards, 20), 0, cards) for slug, cards in expected.items()}
    assert due_table(anyone.stdout) == shared
    assert due_table(alice.stdout) == {**shared, "tiny": (1, 0, 1)}  # her own deck, after the shared ones
    assert list(due_table(alice.stdout))[-1] == "tiny"


def test_import_dry_run_writes_nothing(cli):
    result = cli.run("import", "--shared", "--dry-run", str(BUNDLED_DECKS))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(bundled_card_counts())
    assert all(line.startswith("would load ") and ": new deck, " in line for line in lines)
    assert rows_in(cli.url) == dict.fromkeys(rows_in(cli.url), 0)


def test_lint_prints_every_problem_with_its_position(cli, write_deck):
    broken = write_deck(BROKEN_DECK, "broken.yaml")
    good = write_deck(GOOD_DECK, "good.yaml")

    results = run_all(cli, {"broken": (["lint", str(broken), str(good)], {}),
                            "good": (["lint", str(good)], {})})

    failed = results["broken"]
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert len(lines) >= 2
    assert all(re.match(rf"^{re.escape(str(broken))}:\d+:\d+: ", line) for line in lines[:-1]), lines
    assert any(":6:5: " in line and "anser" in line for line in lines), lines
    assert lines[-1] == f"error: {len(lines) - 1} problem(s) in 2 file(s)"
    assert "Traceback" not in failed.stderr
    assert (results["good"].returncode, results["good"].stdout.strip()) == (0, "1 deck file(s) OK")


def test_errors_are_one_clear_line_never_a_traceback(cli, write_deck, tmp_path):
    good = str(write_deck(GOOD_DECK, "good.yaml"))
    bad_yaml = str(write_deck("id: x\ntitle: [unclosed\ncards: []\n", "bad.yaml"))
    missing = str(tmp_path / "no-such-deck.yaml")
    cases = {
        "broken yaml": (["import", "--shared", bad_yaml], {}, "nothing was imported"),
        "unknown user": (["import", "--user", "nobody", good], {}, "no user 'nobody'"),
        "missing path": (["import", "--shared", missing], {}, "no-such-deck.yaml"),
        "no destination": (["import", good], {}, "--user NAME or --shared"),
        "bad port": (["due"], {"QUIZZER_PORT": "eighty"}, "QUIZZER_PORT='eighty'"),
        "bad port (serve)": (["serve"], {"QUIZZER_PORT": "0"}, "QUIZZER_PORT='0'"),
        "bad database url": (["due"], {"QUIZZER_DATABASE_URL": "mysql://root@localhost/q"},
                             "unsupported database URL"),
        "database down": (["due"], {"QUIZZER_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/quizzer"},
                          "cannot use the database"),
    }
    results = run_all(cli, {name: case[:2] for name, case in cases.items()})

    for name, (_, _, message) in cases.items():
        result = results[name]
        lines = result.stderr.splitlines()
        assert result.returncode == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert lines and lines[-1].startswith("error: ") and message in lines[-1], (name, result.stderr)
        if name != "broken yaml":
            assert len(lines) == 1, (name, result.stderr)
    deck_problems = results["broken yaml"].stderr.splitlines()[:-1]
    assert deck_problems and all(line.startswith(f"{bad_yaml}:") for line in deck_problems)
    assert rows_in(cli.url)["Deck"] == 0


def test_import_refuses_a_file_over_the_limit_before_reading_it(cli, tmp_path):
    huge = tmp_path / "huge.apkg"
    with open(huge, "wb") as file:
        file.truncate(60 << 20)  # sparse: 60 MB on paper
    result = cli.run("import", "--shared", "--dry-run", str(huge), QUIZZER_MAX_UPLOAD_MB="50")

    assert result.returncode == 1
    assert "huge.apkg:1:1: the file is larger than the import limit of 50 MB (QUIZZER_MAX_UPLOAD_MB)" in result.stderr
