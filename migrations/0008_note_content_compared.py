"""Drop ``note.content_hash``: edits are found by comparing the stored fields themselves.

A load compared a sha256 of each note's fields with the stored one. The fields it covered
(question, answer, cloze, explanation, tags, source, reverse, choices, accept) are all
stored on the note, so ``services.decks`` now compares them directly: exact, no hashing on
either side, and 64 bytes less per note.
"""


def upgrade(db, migrator):
    db.execute_sql('ALTER TABLE "note" DROP COLUMN "content_hash"')
