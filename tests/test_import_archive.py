"""Zip handling: bombs, unsafe member paths and files that are not zips are refused."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
import zstandard

from quizzer.deck_format import DeckError
from quizzer.importers import ArchiveTooLarge, Limits, ReadOptions, read_file
from quizzer.importers.archive import SafeZip, unsafe_name


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def test_not_a_zip():
    with pytest.raises(DeckError, match=r"^decks.zip:1:1: not a zip archive"):
        SafeZip(b"id: deck\ntitle: x\n", "decks.zip")


@pytest.mark.parametrize("name", ["../evil.yaml", "decks/../../evil.yaml", "/etc/passwd", "\\windows\\x",
                                  "C:/x.yaml", "a\\..\\..\\b"])
def test_member_paths_that_could_escape_are_refused(name):
    assert unsafe_name(name)
    data = make_zip({"ok.yaml": b"x", name: b"x"})
    with pytest.raises(DeckError) as caught:
        SafeZip(data, "decks.zip")
    assert f"decks.zip:{name}:1:1: unsafe member path" in str(caught.value)


def test_ordinary_member_paths_are_fine():
    assert not any(unsafe_name(n) for n in ["deck.yaml", "folder/deck.yaml", "a..b.yaml", "0"])


def test_what_is_decompressed_counts_against_the_total_not_what_the_zip_declares():
    # The zip declares about 1 MB (a stored zstd stream), but the stream holds 6 MB once decompressed.
    payload = zstandard.ZstdCompressor().compress(os.urandom(1 << 20) * 6)
    assert len(payload) < 2 << 20
    archive = SafeZip(make_zip({"collection.anki21b": payload}, zipfile.ZIP_STORED), "big.apkg",
                      Limits(max_total=5 << 20))
    with pytest.raises(ArchiveTooLarge, match=r"big.apkg:collection.anki21b:1:1: the archive expands past 5,242,880"):
        archive.read_zstd("collection.anki21b")


def test_declared_sizes_over_the_limit_are_refused_before_reading():
    data = make_zip({"a.yaml": bytes(6000)})
    with pytest.raises(ArchiveTooLarge, match=r"bomb.zip:1:1: expands to 6,000 bytes"):
        SafeZip(data, "bomb.zip", Limits(max_total=5000))


def test_a_member_expanding_too_many_times_is_refused():
    data = make_zip({"zeros.yaml": bytes(8 << 20)})  # 8 MB of zeros deflate to about 8 KB: ratio ~1000
    archive = SafeZip(data, "bomb.zip", Limits(max_ratio=200))
    with pytest.raises(ArchiveTooLarge, match=r"bomb.zip:zeros.yaml:1:1: expands more than 200 times"):
        archive.read("zeros.yaml")


def test_a_zstd_bomb_inside_a_package_is_refused():
    bomb = zstandard.ZstdCompressor().compress(bytes(64 << 20))
    data = make_zip({"collection.anki21b": bomb, "media": b"", "meta": b"\x08\x03"}, zipfile.ZIP_STORED)
    with pytest.raises(ArchiveTooLarge, match=r"deck.apkg:collection.anki21b:1:1: expands more than 200 times"):
        read_file(data, "deck.apkg")


def test_a_yaml_zip_reads_every_deck_in_the_folder():
    deck = "id: {0}\ntitle: {0}\ncards:\n  - id: one\n    question: q\n    answer: a\n"
    data = make_zip({"decks/": b"", "decks/a.yaml": deck.format("a").encode(),
                     "decks/sub/b.yml": deck.format("b").encode(), "decks/readme.md": b"# no"})
    bundle = read_file(data, "decks.zip")
    assert [spec.id for spec in bundle.decks] == ["a", "b"]


def test_a_zip_without_decks_says_so():
    with pytest.raises(DeckError, match="no .yaml or .yml deck files in the archive"):
        read_file(make_zip({"notes.txt": b"x"}), "decks.zip", ReadOptions())


def test_a_yaml_member_over_the_deck_limit_is_refused_after_reading_only_its_start():
    data = make_zip({"decks/huge.yaml": b"id: huge\n" + b"#" * (100 << 20)})  # 100 MB, deflated to ~100 KB
    archive = SafeZip(data, "decks.zip", Limits(max_ratio=10_000))
    assert len(archive.read("decks/huge.yaml", first=(5 << 20) + 1)) == (5 << 20) + 1
    with pytest.raises(DeckError, match=r"decks.zip:decks/huge.yaml:1:1: deck is larger than 5 MB"):
        read_file(data, "decks.zip", ReadOptions(limits=Limits(max_ratio=10_000)))
