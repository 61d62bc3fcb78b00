"""Import, export and account restore in a real browser (Debian's Chromium through Playwright).

Alice imports her own YAML deck and an Anki package through the upload page (preview, then
apply), studies a few cards, downloads her whole-account backup; Bob, a new account, uploads it,
checks what it holds and restores it, and finds her decks, images and progress. A card's sound
from an Anki package plays when its side is shown. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import io
import wave

import pytest
from anki.collection import Collection
from playwright.sync_api import expect

from tests.anki_factory import build_collection, export_package
from tests.test_browser import _dashboard_figure, _shot, browser, live_server, reveal_answer  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

DECK = """id: capitals
title: Capitals
cards:
  - {id: fr, question: Capital of France?, answer: Paris}
  - {id: de, question: Capital of Germany?, answer: Berlin}
"""


def _sign_up(page, base: str, name: str) -> None:
    page.goto(base + "/signup")
    page.fill("#username", name)
    page.fill("#password", "a long passphrase")
    page.keyboard.press("Enter")
    expect(page.locator("table.decks")).to_be_visible()


def _upload(page, base: str, path) -> None:
    page.goto(base + "/import")
    page.set_input_files("#file", str(path))
    page.click("button[type=submit]:has-text('Preview')")


def test_import_study_backup_and_restore_into_a_new_account(live_server, browser, tmp_path):
    deck = tmp_path / "capitals.yaml"
    deck.write_text(DECK, encoding="utf-8")
    col = build_collection(tmp_path / "c.anki2")
    package = export_package(col, tmp_path / "french.apkg", legacy=False)
    col.close()
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    _sign_up(page, live_server, "alice")
    _upload(page, live_server, deck)
    expect(page.locator("h1")).to_have_text("Preview: capitals.yaml")
    expect(page.locator("table.diff tbody tr")).to_have_count(1)
    _shot(page, "import-preview-desktop")
    page.click("text=Apply the import")
    expect(page.locator("text=Imported capitals: new deck, 2 added")).to_be_visible()
    _upload(page, live_server, package)
    expect(page.locator("table.diff tbody tr")).to_have_count(2)  # Languages::French and Science
    page.click("text=Apply the import")
    expect(page.locator("table.decks")).to_contain_text("Languages::French")

    page.click("#study-now")
    for _ in range(3):
        expect(page.locator("#prompt")).to_be_visible()
        card_id = page.locator("#card").get_attribute("data-card-id")
        reveal_answer(page)
        page.keyboard.press("3")
        expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id)
    page.goto(live_server + "/")
    done_today = _dashboard_figure(page, "done today")
    assert done_today == 3
    decks = page.locator("table.decks tbody th").all_inner_texts()

    page.goto(live_server + "/export")
    with page.expect_download() as download:
        page.click("#backup-download")
    backup = tmp_path / download.value.suggested_filename
    download.value.save_as(backup)
    assert backup.name == "quizzer-alice-backup.zip"
    page.click("button:has-text('Log out')")

    _sign_up(page, live_server, "bob")
    _upload(page, live_server, backup)
    expect(page.locator("h1")).to_have_text(f"Restore: {backup.name}")
    expect(page.locator("text=Reviews in the log")).to_be_visible()
    _shot(page, "restore-preview-desktop")
    page.click("text=Restore the backup")
    expect(page.locator("text=Restored the account backup")).to_be_visible()
    assert _dashboard_figure(page, "done today") == done_today
    assert page.locator("table.decks tbody th").all_inner_texts() == decks
    _shot(page, "restored-dashboard-desktop")

    page.goto(live_server + "/import")
    page.set_input_files("#file", str(backup))
    page.click("button[type=submit]:has-text('Preview')")  # bob has data now: refused, nothing changes
    expect(page.locator("[role=alert]")).to_contain_text("restores only into an account without decks")
    assert not errors, errors


def _wav(seconds: float) -> bytes:
    """Silence as a real WAV file (every browser decodes it)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\0\0" * int(8000 * seconds))
    return out.getvalue()


def test_a_sound_plays_when_its_side_is_shown_and_again_on_r(live_server, browser, tmp_path):
    col = Collection(str(tmp_path / "s.anki2"))
    col.media.write_data("bell.wav", _wav(3))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What rings?", "A bell [sound:bell.wav]"
    col.add_note(note, col.decks.id("Sounds"))
    package = export_package(col, tmp_path / "sounds.apkg", legacy=False)
    col.close()
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    _sign_up(page, live_server, "carol")
    _upload(page, live_server, package)
    page.click("text=Apply the import")
    page.click("a[aria-label='Study Sounds']")
    expect(page.locator("#prompt")).to_contain_text("What rings?")
    page.wait_for_load_state()  # review.js (deferred) listens for keys once the page has loaded
    page.keyboard.press("Space")
    sound = page.locator("#answer-text audio")
    expect(sound).to_be_visible()
    page.wait_for_function("() => { const a = document.querySelector('#answer-text audio');"
                           " return !a.paused && a.currentTime > 0; }")
    _shot(page, "review-sound-desktop")
    page.keyboard.press("r")  # from the start again
    assert page.evaluate("() => document.querySelector('#answer-text audio').currentTime") < 1
