"""Exports of what a user can see: a deck as YAML, a zip (YAML and media) or .apkg, their review log
and card states.

Decks are exported only when visible to the user (shared or their own); review
data only ever the user's own. CSV cells that a spreadsheet would run as a formula
are neutralised.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from quizzer.importers import MEDIA_FOLDER
from quizzer.services.account_backup import export_backup
from quizzer.services.anki_export import deck_apkg
from quizzer.services.deck_yaml import deck_text
from quizzer.services.media import find_media, referenced_media
from quizzer.services.study import get_visible_deck, visible_deck_by_slug
from quizzer.store.cards import active_note_texts
from quizzer.store.exports import card_state_rows, review_log_rows
from quizzer.store.models import Deck, User

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def deck_yaml(user: User, deck_id: int) -> tuple[Deck, str]:
    """A visible deck in deck format v1 (NotFound otherwise)."""
    deck = get_visible_deck(user, deck_id)
    return deck, deck_text(deck)


def deck_zip(user: User, deck_id: int, media_root: Path) -> tuple[Deck, bytes]:
    """A visible deck as a zip: ``<id>.yaml`` and, under ``media/``, the images and sounds its cards
    show (the YAML points at them by name), so another account imports it whole."""
    deck, text = deck_yaml(user, deck_id)
    names = referenced_media(text for question, answer, cloze, explanation, choices in active_note_texts(deck.id)
                             for text in (question, answer, cloze, explanation, *choices))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{deck.slug}.yaml", text)
        for name in sorted(names):
            path = find_media(media_root, user.id, name)
            if path is not None:
                archive.write(path, MEDIA_FOLDER + name)
    return deck, out.getvalue()


def spreadsheet_safe(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


REVIEW_COLUMNS = ("reviewed_at", "day", "deck", "card", "face", "prompt", "quality", "applied", "kind",
                  "time_ms", "interval_before", "interval_after", "easiness_after", "repetitions_after",
                  "due_after")
CARD_COLUMNS = ("deck", "card", "face", "prompt", "repetitions", "interval", "easiness", "due",
                "last_review", "lapses", "reviews", "suspended", "buried_until", "retired")


def review_rows(user: User) -> list[dict]:
    """Every answer the user gave, oldest first."""
    rows = []
    for row in review_log_rows(user.id):
        values = list(row)
        values[12] /= 100  # easiness as SM-2 writes it
        rows.append(dict(zip(REVIEW_COLUMNS, map(_plain, values))))
    return rows


def card_rows(user: User) -> list[dict]:
    """The user's state of every card they have studied (or suspended)."""
    rows = []
    for row in card_state_rows(user.id):
        values = list(row)
        values[6] /= 100  # easiness as SM-2 writes it
        rows.append(dict(zip(CARD_COLUMNS, map(_plain, values))))
    return rows


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[column]) for column in columns])
    return out.getvalue()


def reviews_csv(user: User) -> str:
    return to_csv(review_rows(user), REVIEW_COLUMNS)


def cards_csv(user: User) -> str:
    return to_csv(card_rows(user), CARD_COLUMNS)


def progress_json(user: User) -> str:
    """Review log and card states in one JSON document."""
    return json.dumps({"user": user.username, "exported_at": datetime.now(UTC).isoformat(),
                       "reviews": review_rows(user), "cards": card_rows(user)}, ensure_ascii=False, indent=1)


def export_bytes(user: User, file_format: str, media_root: Path, deck_slug: str | None = None, *,
                 with_password_hash: bool = False) -> bytes:
    """One export as bytes (the CLI's entry point); NotFound for a deck the user cannot see.
    A backup carries the password hash only ``with_password_hash``."""
    if file_format in ("yaml", "zip", "apkg"):
        deck = visible_deck_by_slug(user, deck_slug or "")
        if file_format == "yaml":
            return deck_yaml(user, deck.id)[1].encode("utf-8")
        if file_format == "zip":
            return deck_zip(user, deck.id, media_root)[1]
        return deck_apkg(user, deck.id, media_root)[1]
    if file_format == "backup":
        return export_backup(user, media_root, with_password_hash)
    text = {"reviews-csv": reviews_csv, "cards-csv": cards_csv, "json": progress_json}[file_format](user)
    return text.encode("utf-8")
