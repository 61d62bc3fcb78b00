"""Study options per user and deck (migration 0016_deck_options), and the queries over them.

A column left NULL inherits the user's default (``User.new_per_day`` ...). ``extra_new`` raises the
deck's new-card limit on ``extra_new_day`` only (custom study). Later options (FSRS parameters, study
plans) are further columns of this record.
"""
from __future__ import annotations

from datetime import date

import peewee as pw

from quizzer.store.models import BaseModel, Deck, User


class DeckOption(BaseModel):
    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
    new_per_day = pw.IntegerField(null=True)
    reviews_per_day = pw.IntegerField(null=True)
    new_order = pw.CharField(max_length=16, null=True)
    bury_siblings = pw.BooleanField(null=True)
    extra_new = pw.IntegerField(default=0)
    extra_new_day = pw.DateField(null=True)

    class Meta:
        indexes = ((("user", "deck"), True),)


SETTABLE = ("new_per_day", "reviews_per_day", "new_order", "bury_siblings")


def deck_option(user_id: int, deck_id: int) -> DeckOption | None:
    return DeckOption.get_or_none((DeckOption.user == user_id) & (DeckOption.deck == deck_id))


def save_deck_option(user_id: int, deck_id: int, **values) -> None:
    """Set the given columns of the user's options for the deck (the row is made when missing)."""
    (DeckOption.insert(user=user_id, deck=deck_id, **values)
     .on_conflict(conflict_target=(DeckOption.user, DeckOption.deck), update=values)
     .execute())


def add_extra_new(user_id: int, deck_id: int, extra: int, day: date) -> None:
    """Raise the deck's new-card limit by ``extra`` on ``day`` (added to today's earlier extra)."""
    same_day = DeckOption.extra_new_day == day
    (DeckOption.insert(user=user_id, deck=deck_id, extra_new=extra, extra_new_day=day)
     .on_conflict(conflict_target=(DeckOption.user, DeckOption.deck),
                  update={DeckOption.extra_new: pw.Case(None, [(same_day, DeckOption.extra_new + extra)], extra),
                          DeckOption.extra_new_day: day})
     .execute())
