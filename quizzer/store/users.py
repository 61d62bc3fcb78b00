"""Accounts: finding them by name or id, creating them and saving their changes."""
from __future__ import annotations

from quizzer.store.models import CardState, Deck, ReviewLog, User, username_key


def find_user_by_name(name: str) -> User | None:
    """The account of this exact name, else the one whose name has the same key (NFKC, case folded)."""
    return User.get_or_none(User.username == name) or User.get_or_none(User.username_key == username_key(name))


def find_user_by_id(user_id: int) -> User | None:
    return User.get_or_none(User.id == user_id)


def all_users() -> list[User]:
    return list(User.select())


def create_user(values: dict) -> User:
    """A new account from ``values`` by field name; IntegrityError if the name (or its key) is taken."""
    return User.create(**values)


def save_user(user: User) -> None:
    """Write every column of the account."""
    user.save()


def set_password_hash(user_id: int, password_hash: str) -> None:
    User.update(password_hash=password_hash).where(User.id == user_id).execute()


def bump_session_version(user_id: int) -> None:
    """Every session cookie issued to the account so far stops working."""
    User.update(session_version=User.session_version + 1).where(User.id == user_id).execute()


def update_user(user_id: int, values: dict) -> User:
    """Write ``values`` (by field name) to the account and return it as stored."""
    User.update(**values).where(User.id == user_id).execute()
    return User.get_by_id(user_id)


def has_decks_or_progress(user_id: int) -> bool:
    """Whether the account owns a deck, or has a card state or an answer."""
    return (Deck.select().where(Deck.owner == user_id).exists()
            or CardState.select().where(CardState.user == user_id).exists()
            or ReviewLog.select().where(ReviewLog.user == user_id).exists())


def get_user_by_id(user_id: int) -> User:
    """The account with that id (peewee's DoesNotExist if there is none)."""
    return User.get_by_id(user_id)
