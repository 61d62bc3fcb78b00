"""How a note's answers are shown and checked (issue 20).

``note.shuffle``: False pins a choice card's options in file order. ``note.tolerance``: how far a
typed number may be off ("2%", "0.5"; "" for the default). ``note.reverse_answer``: the short answer
typing on a reverse face is checked against. A cloze note's ``accept`` (JSON) may now be a mapping
of deletion to answers, so it needs no column. ``user.typed_answers``: the review asks to type the
answer of cards that have ``accept``.
"""
import peewee as pw
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(migrator.add_column("note", "shuffle", pw.BooleanField(default=True)),
            migrator.add_column("note", "tolerance", pw.TextField(default="")),
            migrator.add_column("note", "reverse_answer", pw.TextField(default="")),
            migrator.add_column("user", "typed_answers", pw.BooleanField(default=True)))
