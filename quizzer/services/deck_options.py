"""Study options per deck: each inherits the user's default until set on the deck page.

The rules (what inherits, the limits) are the core's (``quizzer.srs.queue``); this module checks
form values against them and reads and writes the options through ``quizzer.store.deck_options``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from quizzer.services.errors import InvalidInput
from quizzer.services.study import get_visible_deck, study_day_for
from quizzer.services.users import check_new_order, whole_number
from quizzer.srs.queue import MAX_EXTRA_NEW, OPTION_LIMITS, DeckOptions, StudyOptions, effective_options
from quizzer.store import deck_options as store
from quizzer.store.db import transaction
from quizzer.store.deck_day import DeckDayRow
from quizzer.store.models import User


def user_defaults(user: User) -> StudyOptions:
    """What every deck inherits: the user's study settings."""
    return StudyOptions(user.new_per_day, user.reviews_per_day, user.new_order, user.bury_siblings)


@dataclass(frozen=True)
class DeckStudyOptions:
    """A deck's own options (None: inherited), what applies, and today's extra new cards."""

    own: DeckOptions
    effective: StudyOptions
    extra_new_today: int


def study_options(user: User, row: store.DeckOption | DeckDayRow | None, day: date,
                  defaults: StudyOptions | None = None) -> DeckStudyOptions:
    """A deck's options on study day ``day`` from its stored row (None: it has none); ``defaults``:
    the user's, when the caller has them already."""
    own = DeckOptions() if row is None else DeckOptions(row.new_per_day, row.reviews_per_day, row.new_order,
                                                        row.bury_siblings)
    extra = row.extra_new if row is not None and row.extra_new_day == day else 0
    return DeckStudyOptions(own, effective_options(defaults or user_defaults(user), own), extra)


def options_for_deck(user: User, deck_id: int, day: date) -> DeckStudyOptions:
    """The options of one visible deck (NotFound otherwise) on study day ``day``."""
    get_visible_deck(user, deck_id)
    return study_options(user, store.deck_option(user.id, deck_id), day)


def check_deck_options(values: dict) -> dict:
    """Deck options as stored, from form text or JSON: "" or None inherits the default (NULL);
    InvalidInput names the first bad field."""
    unknown = set(values) - set(store.SETTABLE)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: not a deck option")
    checked: dict = {}
    for name, raw in values.items():
        if raw is None or raw == "" or raw == "inherit":
            checked[name] = None
        elif name == "new_order":
            checked[name] = check_new_order(raw)
        elif name == "bury_siblings":
            if raw not in (True, False, "on", "off"):
                raise InvalidInput("bury_siblings: on, off, or empty to inherit")
            checked[name] = raw in (True, "on")
        else:
            checked[name] = whole_number(name, raw, *OPTION_LIMITS[name])
    return checked


def update_deck_options(user: User, deck_id: int, **values) -> StudyOptions:
    """Save the deck's own options (those given); returns what now applies to it."""
    checked = check_deck_options(values)
    with transaction():
        get_visible_deck(user, deck_id)
        if checked:
            store.save_deck_option(user.id, deck_id, **checked)
        return study_options(user, store.deck_option(user.id, deck_id), date.min).effective


def add_extra_new_cards(user: User, deck_id: int, extra, now) -> int:
    """Custom study: raise the deck's new-card limit for today only, to MAX_EXTRA_NEW in all; returns
    today's extra in all."""
    count = whole_number("extra_new", extra, 1, MAX_EXTRA_NEW)
    today = study_day_for(user, now).day
    with transaction():
        already = options_for_deck(user, deck_id, today).extra_new_today  # NotFound unless visible
        if already + count > MAX_EXTRA_NEW:
            raise InvalidInput(f"extra_new: at most {MAX_EXTRA_NEW - already} more today ({already} already)")
        store.add_extra_new(user.id, deck_id, count, today)
        return already + count

