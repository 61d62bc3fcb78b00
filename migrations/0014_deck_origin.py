"""Where a deck imported from another program came from (issue 16).

``deck.origin`` is "anki:<Anki deck name>", "quizlet:<name>" or "csv:<name>" for decks imported
from those formats, "" for decks in our own format. Imports from other programs match a deck by
its origin, never by its id alone. Decks imported before this revision get the origin their last
import would have given (from the file name it recorded and the deck's title), so re-importing the
same package still finds them; a .txt or .tsv deck counts as Anki's text export when its card ids
came from Anki guids, otherwise as Quizlet's.
"""
import peewee as pw
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(migrator.add_column("deck", "origin", pw.TextField(default="")))
    deck = pw.Table("deck", ("id", "title", "source_path", "origin")).bind(db)
    note = pw.Table("note", ("deck_id", "slug")).bind(db)
    from_anki = pw.fn.EXISTS(note.select(pw.SQL("1")).where(
        (note.deck_id == deck.id) & note.slug.startswith("anki-")))
    for suffix, kind in ((".apkg", "anki"), (".colpkg", "anki"), (".csv", "csv")):
        deck.update(origin=pw.Value(kind + ":").concat(deck.title)).where(deck.source_path.endswith(suffix)).execute()
    for suffix in (".txt", ".tsv"):
        text = deck.source_path.endswith(suffix)
        deck.update(origin=pw.Value("anki:").concat(deck.title)).where(text & from_anki).execute()
        deck.update(origin=pw.Value("quizlet:").concat(deck.title)).where(text & ~from_anki).execute()
