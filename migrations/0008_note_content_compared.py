"""Drop ``note.content_hash``: edits are found by comparing the stored fields themselves.

A load compared a sha256 of each note's fields with the stored one. The fields it covered
(question, answer, cloze, explanation, tags, source, reverse, choices, accept) are all
stored on the note, so ``services.decks`` now compares them directly: exact, no hashing on
either side, and 64 bytes less per note. peewee's migrator drops the column with ALTER TABLE
(SQLite 3.35 and later, PostgreSQL) or, on an older SQLite, by rebuilding the table.
"""
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(migrator.drop_column("note", "content_hash"))
