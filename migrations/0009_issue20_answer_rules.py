"""How a note's answers are shown and checked: ``note.shuffle`` (False pins a choice card's
options in file order)."""
import peewee as pw
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(migrator.add_column("note", "shuffle", pw.BooleanField(default=True)))
