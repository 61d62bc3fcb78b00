"""End to end in a real browser: Debian's Chromium driven by Playwright against waitress.

A newcomer signs up, sees the bundled decks, studies ten cards with the
keyboard only (reveal, grade, undo once), reads the summary and comes back to
changed counts. Screenshots (desktop and 360 px) go to test-artifacts/.
"""
from __future__ import annotations

import json
import statistics
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.services.decks import deck_files, load_files
from quizzer.web import create_app
from tests.conftest import BUNDLED_DECKS, REPO

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Records, in the page, when a grade key goes down and when the next question is on screen.
TIMING_PROBE = """
() => {
  window.__gradeTimings = [];
  let pressedAt = null;
  document.addEventListener('keydown', e => { if ('123456'.includes(e.key)) pressedAt = performance.now(); }, true);
  new MutationObserver(() => {
    if (pressedAt === null) return;
    const start = pressedAt; pressedAt = null;
    requestAnimationFrame(() => window.__gradeTimings.push(performance.now() - start));
  }).observe(document.getElementById('card'), {attributes: true, attributeFilter: ['data-card-id']});
}
"""


@pytest.fixture
def live_server(tmp_path):
    env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
           "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
    app = create_app(load_settings(env))
    load_files([BUNDLED_DECKS])
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["quizzer_import_worker"].stop()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def reveal_answer(page) -> None:
    """Show the answer by keyboard: Space, or, on a card the review asks to type, an answer and Enter."""
    if page.locator("#typed").is_visible():
        page.keyboard.type("my answer")
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Space")
    expect(page.locator("#answer")).to_be_visible()  # the grade keys act once it shows


def _dashboard_figure(page, label: str) -> int:
    return int(page.locator(f".stats-line span:has-text('{label}') strong").inner_text())


def test_newcomer_daily_loop_keyboard_only(live_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    page.goto(live_server + "/")
    page.keyboard.press("Tab")  # skip link, then the header: reach "Create an account" by keyboard
    page.goto(live_server + "/signup")
    page.keyboard.type("newcomer")
    page.keyboard.press("Tab")
    page.keyboard.type("a long passphrase")
    page.keyboard.press("Enter")
    expect(page.locator("table.decks tbody tr")).to_have_count(len(deck_files([BUNDLED_DECKS])))
    new_before = _dashboard_figure(page, "new")
    assert new_before == 20
    _shot(page, "dashboard-desktop")

    page.focus("#study-now")
    page.keyboard.press("Enter")
    expect(page.locator("#prompt")).to_be_visible()
    page.evaluate(TIMING_PROBE)
    _shot(page, "review-question-desktop")

    seen = []
    for i in range(10):
        card_id = page.locator("#card").get_attribute("data-card-id")
        seen.append(card_id)
        reveal_answer(page)
        expect(page.locator("#answer")).to_be_visible()
        expect(page.locator("#announce")).to_contain_text("Answer:")
        if i == 0:
            _shot(page, "review-answer-desktop")
        page.keyboard.press("3")  # Good
        expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id)
        if i == 4:  # undo once: the same card comes back, its answer taken back
            page.keyboard.press("u")
            expect(page.locator("#card")).to_have_attribute("data-card-id", card_id)
            reveal_answer(page)
            page.keyboard.press("3")
            expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id)

    timings = page.evaluate("window.__gradeTimings")
    page.set_viewport_size({"width": 360, "height": 780})
    _shot(page, "review-question-360")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.goto(live_server + "/study/summary")
    expect(page.locator("#reviewed")).to_have_text("10")
    _shot(page, "summary-desktop")

    page.goto(live_server + "/")
    assert _dashboard_figure(page, "new") == new_before - 10
    assert _dashboard_figure(page, "done today") == 10
    page.set_viewport_size({"width": 360, "height": 780})
    _shot(page, "dashboard-360")
    assert not errors, errors
    assert len(set(seen)) == 10

    median = statistics.median(timings)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "grade-to-next-card.json").write_text(json.dumps(
        {"samples": len(timings), "median_ms": round(median, 1),
         "max_ms": round(max(timings), 1)}, indent=2))
    assert len(timings) >= 10
