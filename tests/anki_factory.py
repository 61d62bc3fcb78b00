"""Real Anki files for the import tests, made with the PyPI packages ``anki`` and ``genanki``.

``build_collection`` fills a collection through Anki's own API; ``export_package``
writes it as current Anki does (collection.anki21b, zstd, protobuf media map) or, with
``legacy``, as older Anki did (collection.anki21, JSON media map). ``genanki_package``
writes what genanki writes (collection.anki2). EXPECTED says what each must import as.
"""
from __future__ import annotations

import os
import sqlite3
import zipfile
from pathlib import Path

import genanki
import zstandard
from anki.collection import Collection, ExportAnkiPackageOptions

# A 1x1 PNG: media must survive byte for byte.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

FRENCH, SCIENCE = "Languages::French", "Science"
EXPECTED = {
    "decks": {"languages-french": FRENCH, "science": SCIENCE},
    "notes": {"languages-french": 7, "science": 2},
    "cards": {"languages-french": 11, "science": 2},  # 3 basic + 2x2 reversed + 2+2 cloze; 2 basic
    "cloze_keys": [["c1", "c2"], ["c1", "c3"]],
    "tags": {"french", "vocab", "geo", "lang::fr", "science"},
    "media": 1,
    "review": {"interval": 15, "easiness": 2.3, "days_ahead": 3},
    "clamped_easiness": 1.3,
}


def _add(col: Collection, notetype: str, deck: str, fields: list[str], tags: list[str]):
    note = col.new_note(col.models.by_name(notetype))
    for index, value in enumerate(fields):
        note.fields[index] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))
    return note


def build_collection(path: Path) -> Collection:
    """A collection with Basic, reversed, cloze and "type in the answer" notes in a nested deck and
    a plain one, an image, one card in review, one with a too-low ease, and one suspended card."""
    col = Collection(str(path))
    col.media.write_data("pic.png", PNG)
    review = _add(col, "Basic", FRENCH, ["<b>chat</b>", "cat"], ["french", "vocab"])
    _add(col, "Basic", FRENCH, ["chien", 'dog <img src="pic.png">'], ["french", "vocab"])
    suspended = _add(col, "Basic", FRENCH, ["maison", "house<br>home"], ["french"])
    low_ease = _add(col, "Basic (and reversed card)", FRENCH, ["rouge", "red"], ["french"])
    _add(col, "Basic (and reversed card)", FRENCH, ["bleu", "blue"], ["french"])
    _add(col, "Cloze", FRENCH, ["{{c1::Paris}} is the capital of {{c2::France::country}}", "extra"], ["geo"])
    _add(col, "Cloze", FRENCH, ["{{c1::un}}, {{c1::deux}}, {{c3::trois}}", ""], ["Lang::FR"])
    _add(col, "Basic (type in the answer)", SCIENCE, ["H2O is", "water"], ["science"])
    _add(col, "Basic", SCIENCE, ["2 * 3 = ?", "6"], ["science"])
    today = col.sched.today
    _review(col, review.cards()[0], interval=15, due=today + 3, factor=2300)
    _review(col, low_ease.cards()[1], interval=4, due=today + 1, factor=1100)
    col.sched.suspend_cards([suspended.cards()[0].id])
    return col


def _review(col: Collection, card, *, interval: int, due: int, factor: int) -> None:
    card.type, card.queue, card.ivl, card.due, card.factor, card.reps, card.lapses = 2, 2, interval, due, factor, 5, 1
    col.update_card(card)


def export_package(col: Collection, out: Path, *, legacy: bool) -> Path:
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=True,
                                       legacy=legacy)
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    return out


def genanki_package(out: Path, media_dir: Path) -> Path:
    """What genanki writes: 2 Basic notes, 1 reversed, 1 cloze with 2 deletions, one image."""
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / "g.png").write_bytes(PNG)
    deck = genanki.Deck(2059400110, "Capitals::Europe")
    basic = genanki.BASIC_MODEL
    deck.add_note(genanki.Note(basic, ["Capital of Italy?", 'Rome <img src="g.png">'], tags=["geo"]))
    deck.add_note(genanki.Note(basic, ["Capital of Spain?", "Madrid"], tags=["geo", "spain"]))
    deck.add_note(genanki.Note(genanki.BASIC_AND_REVERSED_CARD_MODEL, ["Berlin", "Germany"]))
    deck.add_note(genanki.Note(genanki.CLOZE_MODEL, ["{{c1::Vienna}} is in {{c2::Austria}}", ""]))
    genanki.Package(deck, media_files=[str(media_dir / "g.png")]).write_to_file(str(out))
    return out


def padded_package(folder: Path, expanded: int) -> Path:
    """A package from current Anki (3 notes) whose collection also holds a table of padding, so it
    expands to about ``expanded`` bytes: compressible, but well under the ratio limit."""
    col = Collection(str(folder / "source.anki2"))
    for front in ("one", "two", "three"):
        note = col.new_note(col.models.by_name("Basic"))
        note.fields[0], note.fields[1] = front, f"<b>{front}</b>&nbsp;answer"
        col.add_note(note, col.decks.id("Padded"))
    package = export_package(col, folder / "plain.apkg", legacy=False)
    col.close()
    with zipfile.ZipFile(package) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    database = folder / "collection.sqlite"
    database.write_bytes(zstandard.ZstdDecompressor().stream_reader(members["collection.anki21b"]).read())
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = DELETE")  # everything in the one file once closed
    conn.execute("CREATE TABLE padding (data BLOB)")
    row = 2000  # two rows to a 4 KB page: the file grows by about what is inserted
    rows = ((os.urandom(64) + bytes(row - 64),) for _ in range(expanded // row))
    conn.executemany("INSERT INTO padding VALUES (?)", rows)
    conn.commit()
    conn.close()
    with open(database, "rb") as raw:
        members["collection.anki21b"] = zstandard.ZstdCompressor(level=1).compress(raw.read())
    out = folder / "padded.apkg"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


EVERYDAY_BASIC = [
    ("The quick brown fox jumps over the lazy dog&nbsp;again ({n})", "<b>Pangram</b>&nbsp;{n}"),
    ("Cell types&nbsp;{n}?", "<ul><li><b>Prokaryotes</b> lack a nucleus</li><li><i>Eukaryotes</i> have one</li></ul>"),
    ("<div>What powers the cell?&nbsp;{n}</div>",
     '<div>The <b>mitochondria</b>, the cell&#39;s powerhouse.</div><div><br></div><div><img src="cell.png"></div>'),
    ("Stra&szlig;e&nbsp;{n} in English?", "street &amp; road<br>(<i>die</i> Stra&szlig;e)"),
]
EVERYDAY_CLOZE = [
    "The adult human body has {{{{c1::206}}}}&nbsp;bones ({n}).",
    "<ul><li>{{{{c1::<b>Prokaryotes</b>}}}} lack a nucleus&nbsp;{n}</li><li>{{{{c2::Eukaryotes}}}} have one</li></ul>",
    "{{{{c1::Paris}}}} is the capital of&nbsp;{{{{c2::France::country}}}} <img src=\"cell.png\"> {n}",
]


def everyday_package_file(folder: Path) -> Path:
    """30 notes from current Anki with the HTML its editor writes every day: non-breaking spaces,
    lists, bold, cloze deletions (also inside a list), an image, entities, non-ASCII text."""
    col = Collection(str(folder / "source.anki2"))
    col.media.write_data("cell.png", PNG)
    deck = col.decks.id("Everyday::Biology")
    for n in range(30):
        if n % 3 == 2:
            note = col.new_note(col.models.by_name("Cloze"))
            note.fields[0] = EVERYDAY_CLOZE[n // 3 % len(EVERYDAY_CLOZE)].format(n=n)
        else:
            note = col.new_note(col.models.by_name("Basic"))
            question, answer = EVERYDAY_BASIC[n % len(EVERYDAY_BASIC)]
            note.fields[0], note.fields[1] = question.format(n=n), answer.format(n=n)
        col.add_note(note, deck)
    path = export_package(col, folder / "everyday.apkg", legacy=False)
    col.close()
    return path
