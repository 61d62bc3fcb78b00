"""Storage: peewee models, database set-up and migrations."""
from quizzer.store.db import bind, open_database
from quizzer.store.migrate import apply_migrations


def connect(database_url: str, *, migrate: bool = True):
    """Open the database, bind the models to it and bring the schema to head."""
    db = bind(open_database(database_url))
    if migrate:
        apply_migrations(db)
    return db
