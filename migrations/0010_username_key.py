"""``user.username_key``: usernames are unique after NFKC and case folding.

"Alice", "alice" and "Ａｌｉｃｅ" are one name from now on: the key is ``username_key(username)``
(NFKC, case folded, NFKC again) under a unique index, and sign-up, login, the CLI and backup
restores look accounts up by it. Accounts that already share a key are listed in a warning
(logger ``quizzer.migrations``, printed to stderr) and kept: the oldest keeps the plain key,
each later one gets ``key#id``, a key no name can produce ('#' is not allowed in usernames).
Each still signs in by its exact name; the others' spellings find the oldest.
"""
import logging
import unicodedata

import peewee as pw
from playhouse.migrate import migrate

log = logging.getLogger("quizzer.migrations")


def _key(username: str) -> str:  # a frozen copy of store.models.username_key at this revision
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def upgrade(db, migrator):
    migrate(migrator.add_column("user", "username_key", pw.TextField(default="")))
    users = pw.Table("user", ("id", "username", "username_key")).bind(db)
    taken: dict[str, str] = {}
    for user_id, username in users.select(users.id, users.username).order_by(users.id).tuples():
        key = _key(username)
        if key in taken:
            log.warning("usernames %r and %r are the same name after NFKC and case folding: both are kept, "
                        "and %r signs in only by its exact name", taken[key], username, username)
            key = f"{key}#{user_id}"
        taken.setdefault(_key(username), username)
        users.update(username_key=key).where(users.id == user_id).execute()
    migrate(migrator.add_index("user", ("username_key",), unique=True))
