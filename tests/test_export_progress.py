"""Review log and card states as CSV and JSON: only one's own, and safe in a spreadsheet."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from quizzer.services import exports, review
from quizzer.services.users import create_user
from tests.conftest import card_id

DECK = """id: sheet
title: Sheet
cards:
  - id: formula
    question: "=HYPERLINK(\\"http://x\\", \\"click\\")"
    answer: "+1"
  - id: at
    question: "@SUM(A1)"
    answer: "-2"
  - id: plain
    question: Plain
    answer: Text
"""
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _study(user):
    review.answer(user, card_id("sheet", "formula"), 4, answer_id="a1", time_ms=1500, now=NOW)
    review.answer(user, card_id("sheet", "at"), 2, answer_id="a2", time_ms=900, now=NOW)
    review.set_suspended(user, card_id("sheet", "plain"))


def test_reviews_csv_neutralises_formulas(db, user, load_deck):
    load_deck(DECK)
    _study(user)
    rows = list(csv.DictReader(io.StringIO(exports.reviews_csv(user))))
    assert [r["prompt"] for r in rows] == ["'=HYPERLINK(\"http://x\", \"click\")", "'@SUM(A1)"]
    assert [(r["card"], r["face"], r["quality"], r["time_ms"]) for r in rows] == [
        ("formula", "front", "4", "1500"), ("at", "front", "2", "900")]
    assert rows[0]["reviewed_at"] == "2026-03-02T12:00:00" and rows[0]["interval_after"] == "1"
    assert rows[1]["easiness_after"] == "2.18"


def test_cards_csv_and_json_hold_the_same_states(db, user, load_deck):
    load_deck(DECK)
    _study(user)
    rows = list(csv.DictReader(io.StringIO(exports.cards_csv(user))))
    assert [(r["card"], r["interval"], r["suspended"]) for r in rows] == [
        ("formula", "1", "False"), ("at", "1", "False"), ("plain", "0", "True")]
    document = json.loads(exports.progress_json(user))
    assert document["user"] == "alice"
    assert [c["card"] for c in document["cards"]] == ["formula", "at", "plain"]
    assert document["cards"][0]["prompt"] == '=HYPERLINK("http://x", "click")'  # JSON keeps the text as is
    assert [r["quality"] for r in document["reviews"]] == [4, 2]


def test_exports_hold_only_the_users_own_progress(db, user, load_deck):
    load_deck(DECK)
    _study(user)
    other = create_user("bob", "correct horse battery")
    review.answer(other, card_id("sheet", "plain"), 5, answer_id="b1", now=NOW)
    assert [r["card"] for r in json.loads(exports.progress_json(other))["reviews"]] == ["plain"]
    assert "formula" not in exports.cards_csv(other)
    assert len(list(csv.DictReader(io.StringIO(exports.reviews_csv(user))))) == 2


def test_spreadsheet_safe_only_touches_text():
    assert [exports.spreadsheet_safe(v) for v in ("=1", "+1", "-1", "@a", "\tx", "ok", -1, None)] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "ok", -1, None]
