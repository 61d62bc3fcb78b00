"""Memory stays bounded: a package's collection is streamed to disk, never held whole, and a file
over the import limit is refused before it is read. Measured in a fresh process (Linux's /proc)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from quizzer.importers import ArchiveTooLarge, Limits, read_path
from tests.anki_factory import padded_package

CAP = 64 << 20  # the expanded-size cap for these tests (512 MB by default)
# The rise of the process's peak resident memory (VmHWM, reset to the current size first: a child's
# ru_maxrss starts from its parent's, pytest's) while one file is read.
_MEASURE = """
import sys
from quizzer.importers import Limits, ReadOptions, read_file, read_path
from quizzer.services.decks import load_files

def status(key):
    with open("/proc/self/status") as file:
        return next(int(line.split()[1]) * 1024 for line in file if line.startswith(key + ":"))

limits = Limits(max_total=int(sys.argv[2]), max_file=int(sys.argv[3]))
with open("/proc/self/clear_refs", "w") as file:
    file.write("5")  # the peak is now the current size
before = status("VmRSS")
try:
    outcome = READ
except Exception as exc:
    outcome = type(exc).__name__
print(outcome, status("VmHWM") - before)
"""
_READ_PACKAGE = 'len(read_file(read_path(sys.argv[1], limits), "deck.apkg", ReadOptions(limits=limits)).decks[0].notes)'


def _peak(path: Path, max_total: int = CAP, max_file: int = 50 << 20, read: str = _READ_PACKAGE) -> tuple[str, int]:
    """What ``read`` gives for ``path`` in a fresh process (notes, or the error's name) and how far
    its peak memory rose above where it stood once the code was loaded, in bytes."""
    code = _MEASURE.replace("READ", read)
    done = subprocess.run([sys.executable, "-c", code, str(path), str(max_total), str(max_file)],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
    outcome, rise = done.stdout.split()
    return outcome, int(rise)


def test_a_package_near_the_cap_imports_without_holding_its_collection(tmp_path):
    package = padded_package(tmp_path, CAP - (6 << 20))
    with zipfile.ZipFile(package) as archive:
        assert archive.getinfo("collection.anki21b").file_size < CAP // 10  # a few MB on the wire
    notes, rise = _peak(package)
    assert notes == "3"
    assert rise < CAP // 2, f"peak memory rose by {rise >> 20} MB importing a {CAP >> 20} MB collection"


def test_a_package_past_the_cap_is_refused_as_it_streams(tmp_path):
    package = padded_package(tmp_path, CAP + (4 << 20))
    outcome, rise = _peak(package)
    assert outcome == "ArchiveTooLarge"
    assert rise < CAP // 2


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.apkg"
    with open(big, "wb") as file:
        file.truncate(60 << 20)  # 60 MB (sparse: nothing to write)
    outcome, rise = _peak(big, max_file=50 << 20)
    assert outcome == "ArchiveTooLarge" and rise < 10 << 20
    with pytest.raises(ArchiveTooLarge, match=r"huge.apkg:1:1: the file is larger than the import limit of 50 MB"):
        read_path(big, Limits(max_file=50 << 20))


def test_a_yaml_deck_over_the_limit_is_refused_after_reading_its_first_5_mb(tmp_path):
    big = tmp_path / "huge.yaml"
    with open(big, "wb") as file:
        file.truncate(60 << 20)
    outcome, rise = _peak(big, read="load_files([sys.argv[1]], dry_run=True)")
    assert outcome == "DeckError" and rise < 15 << 20
