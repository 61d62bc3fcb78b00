"""Import one package N times, each into a fresh SQLite database: the workload to count instructions of.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/import_repeat.py PKG 3
    (the same with 1; the difference, halved, is one import's instructions)

Make PKG with ``import_bench.py``'s ``build_package`` or take any .apkg.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quizzer.importers import read_file  # noqa: E402
from quizzer.services.imports import apply_bundle  # noqa: E402
from quizzer.store import connect  # noqa: E402
from quizzer.store.models import User  # noqa: E402


def main(package: Path, times: int) -> None:
    with tempfile.TemporaryDirectory(prefix="import-repeat-") as tmp:
        for run in range(times):
            connect(f"sqlite:///{tmp}/run-{run}.db")
            user = User.create(username="bench", password_hash="-")  # no scrypt: not part of an import
            apply_bundle(read_file(package.read_bytes(), package.name), user.id, media_root=Path(tmp) / "media")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
