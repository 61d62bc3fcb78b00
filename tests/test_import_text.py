"""Text imports: Anki's plain-text export (made by the real Anki), Quizlet and CSV with a header."""
from __future__ import annotations

import pytest

from quizzer.deck_format import DeckError
from quizzer.importers import ReadOptions, read_file
from quizzer.importers.names import note_id_from_guid
from quizzer.services.imports import apply_bundle
from quizzer.store.models import Card, Deck, Note
from tests.anki_factory import EXPECTED, build_collection


@pytest.fixture(scope="session")
def anki_text(tmp_path_factory):
    """Anki's "Notes in Plain Text" export (every column), and the guids of its notes."""
    folder = tmp_path_factory.mktemp("anki-text")
    col = build_collection(folder / "source.anki2")
    out = folder / "notes.txt"
    col.export_note_csv(out_path=str(out), limit=None, with_html=True, with_tags=True, with_deck=True,
                        with_notetype=True, with_guid=True)
    guids = {col.get_note(nid).fields[0]: col.get_note(nid).guid for nid in col.find_notes("")}
    col.close()
    return out, guids


def test_anki_plain_text_export(anki_text, db, user, tmp_path):
    path, guids = anki_text
    assert path.read_text().startswith("#separator:tab\n#html:true\n")
    bundle = read_file(path.read_bytes(), path.name)
    apply_bundle(bundle, user.id, media_root=tmp_path)
    decks = {d.slug: d for d in Deck.select()}
    assert {slug: d.title for slug, d in decks.items()} == EXPECTED["decks"]
    assert {slug: Note.select().where(Note.deck == d.id).count() for slug, d in decks.items()} == EXPECTED["notes"]
    assert {slug: Card.select().where(Card.deck == d.id).count() for slug, d in decks.items()} == EXPECTED["cards"]
    chat = Note.get(Note.question == "**chat**")
    assert chat.slug == note_id_from_guid(guids["<b>chat</b>"])  # same card id as from the .apkg
    assert chat.tag_list == ["french", "vocab"]
    assert Note.get(Note.question == "rouge").reverse
    assert Note.get(Note.cloze.contains("Paris")).cloze == "{{c1::Paris}} is the capital of {{c2::France::country}}"
    assert Note.get(Note.question == "chien").answer == "dog"  # the image is not in a text file


def test_anki_text_headers_without_columns(db, user, tmp_path):
    text = ("#separator:Comma\n#html:false\n#tags:imported\n#deck:My Words\n"
            'front,back\n"a, quoted",line\n*star*,<b>literal</b>\n')
    bundle = read_file(text.encode(), "words.txt")
    spec, = bundle.decks
    assert (spec.id, spec.title) == ("my-words", "My Words")
    assert [(n.question, n.answer, n.tags) for n in spec.notes] == [
        ("front", "back", ("imported",)), ("a, quoted", "line", ("imported",)),
        ("\\*star\\*", "\\<b\\>literal\\</b\\>", ("imported",))]
    assert [n.line for n in spec.notes] == [5, 6, 7]


@pytest.mark.parametrize("separator, row_separator, text", [
    ("\t", "\n", "chat\tcat\nchien\tdog, a pet\n"),
    (",", "\n", "chat,cat\r\nchien,dog, a pet\r\n"),
    (" - ", ";;", "chat - cat;;chien - dog, a pet;;"),
])
def test_quizlet_with_each_kind_of_separator(separator, row_separator, text):
    bundle = read_file(text.encode(), "set.txt", ReadOptions(format="quizlet", separator=separator,
                                                              row_separator=row_separator))
    spec, = bundle.decks
    assert spec.id == "set"
    assert [(n.question, n.answer) for n in spec.notes] == [("chat", "cat"), ("chien", "dog, a pet")]


def test_quizlet_is_detected_for_a_tsv_without_anki_headers():
    bundle = read_file(b"term\tdefinition\n", "Words.tsv")
    assert bundle.decks[0].notes[0].answer == "definition"


def test_quizlet_row_without_separator_names_its_line():
    with pytest.raises(DeckError, match=r"set.txt:2:1: no separator '\\t' between term and definition"):
        read_file(b"a\tb\nno tab here\n", "set.txt")


def test_csv_with_header(db, user, tmp_path):
    text = ("question,answer,tags,explanation,reverse,id\n"
            '"What is 2 + 2?",Four,"math basics",,no,\n'
            'Capital of France?,"Paris, on the Seine",geo,"**Why**: it is",yes,capital\n'
            ",,,,,\n")
    bundle = read_file(text.encode(), "quiz.csv", ReadOptions(deck="My Quiz"))
    apply_bundle(bundle, user.id, media_root=tmp_path)
    deck = Deck.get()
    assert (deck.slug, deck.title) == ("my-quiz", "My Quiz")
    notes = list(Note.select().order_by(Note.position))
    assert [(n.question, n.answer, n.tag_list, n.reverse) for n in notes] == [
        ("What is 2 + 2?", "Four", ["math", "basics"], False),
        ("Capital of France?", "Paris, on the Seine", ["geo"], True)]
    assert notes[1].slug == "capital" and notes[1].explanation == "**Why**: it is"
    assert Card.select().count() == 3


def test_csv_cloze_column():
    bundle = read_file(b"cloze;explanation\n{{c1::Rome}} is in {{c2::Italy}};x\n", "c.csv")
    note, = bundle.decks[0].notes
    assert (note.kind, note.cloze, note.explanation) == ("cloze", "{{c1::Rome}} is in {{c2::Italy}}", "x")


def test_ragged_csv_rows_are_refused_with_their_lines(db, user):
    text = 'question,answer\nq1,a1\nq2\n"multi\nline",a3,extra\nq4,a4\n'
    with pytest.raises(DeckError) as caught:
        read_file(text.encode(), "bad.csv")
    assert str(caught.value).splitlines() == [
        "bad.csv:3:1: row has 1 cells but the header has 2",
        "bad.csv:4:1: row has 3 cells but the header has 2"]


def test_csv_header_problems():
    with pytest.raises(DeckError) as caught:
        read_file(b"questoin,answer,tags,tags\n", "h.csv")
    assert str(caught.value).splitlines() == [
        "h.csv:1:1: questoin: unknown column 'questoin'; did you mean 'question'?",
        "h.csv:1:1: tags: column 'tags' appears more than once",
        "h.csv:1:1: the header needs 'question' and 'answer' columns, or 'cloze'"]


def test_csv_duplicate_ids_and_bad_values():
    text = "id,question,answer,reverse\nsame,q1,a1,no\nsame,q2,a2,no\nBad Id,q3,a3,maybe\nok,,a4,no\n"
    with pytest.raises(DeckError) as caught:
        read_file(text.encode(), "d.csv")
    assert str(caught.value).splitlines() == [
        "d.csv:3:1: id: duplicate card id 'same'",
        "d.csv:4:1: reverse: 'maybe' is not true or false",
        "d.csv:4:1: id: 'Bad Id' is not valid: use lowercase letters, digits and '-', starting with a letter or "
        "digit, at most 64 characters",
        "d.csv:5:1: question: must not be empty"]


@pytest.mark.parametrize("name", ["words.csv", "words.txt", "words.tsv"])
def test_text_that_is_not_utf8_names_line_and_column(name):
    data = b"question,answer\nchat,cat\n" + "caf\xe9,coffee\n".encode("latin-1")
    with pytest.raises(DeckError, match=rf"^{name}:3:4: invalid UTF-8 byte 0xe9: save the file as UTF-8"):
        read_file(data, name)


def test_duplicate_questions_get_distinct_ids():
    bundle = read_file(b"same\tone\nsame\ttwo\n", "dups.txt")
    first, second = bundle.decks[0].notes
    assert second.id == first.id + "-2"


def test_unsupported_file_type():
    with pytest.raises(DeckError, match=r"deck.docx:1:1: unsupported file type"):
        read_file(b"x", "deck.docx")
