"""In Chromium: upload a deck, watch the import job's page move on by itself, preview, apply, study a card.

The app's import thread is held back at first, so the progress page is seen before any work starts;
a new worker then picks the job up and the page (polling, no reload by the test) turns into the preview.
"""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.import_worker import ImportWorker
from quizzer.web import create_app
from tests.test_browser import _shot, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

DECKS = {f"part{n}": "\n".join([f"id: part{n}", f"title: Part {n}", "cards:"]
                               + [f"  - {{id: c{i}, question: Question {n}-{i}?, answer: Answer {n}-{i}}}"
                                  for i in range(40)]) for n in range(3)}


@pytest.fixture
def server(tmp_path):
    env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
           "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
    app = create_app(load_settings(env))
    app.extensions["quizzer_import_worker"].stop()
    waitress = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=waitress.run, daemon=True).start()
    yield app, f"http://127.0.0.1:{waitress.effective_port}"
    waitress.close()
    app.extensions["quizzer_import_worker"].stop()


def _start_worker(app) -> None:
    settings = app.config["QUIZZER"]
    app.extensions["quizzer_import_worker"] = ImportWorker(settings.instance_dir / "media",
                                                           settings.import_limits).start()


def test_upload_watch_progress_preview_apply_and_study(server, browser, tmp_path):  # noqa: F811
    import zipfile
    app, base = server
    package = tmp_path / "parts.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for name, text in DECKS.items():
            archive.writestr(f"decks/{name}.yaml", text)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(base + "/signup")
    page.fill("#username", "alice")
    page.fill("#password", "a long passphrase")
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/")

    page.goto(base + "/import")
    page.set_input_files("#file", str(package))
    page.click("button[type=submit]:has-text('Preview')")
    expect(page.locator("h1")).to_have_text("Importing parts.zip")
    expect(page.locator("#import-phase")).to_have_text("Waiting to start")
    expect(page.locator("#import-refresh")).to_be_visible()
    _shot(page, "import-progress-desktop")
    url = page.url
    _start_worker(app)  # the page polls: it becomes the preview without the test reloading it
    expect(page.locator("h1")).to_have_text("Preview: parts.zip", timeout=20_000)
    assert page.url == url
    expect(page.locator("table.diff tbody tr")).to_have_count(3)

    page.click("text=Apply the import")
    expect(page.locator("text=Imported part0: new deck, 40 added")).to_be_visible(timeout=20_000)
    page.click("a[aria-label='Study Part 1']")
    expect(page.locator("#prompt")).to_contain_text("Question 1-")
    page.wait_for_load_state()  # review.js (deferred) listens for keys once the page has loaded
    card_id = page.locator("#card").get_attribute("data-card-id")
    page.keyboard.press("Space")
    expect(page.locator("#answer")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id)
    assert not errors, errors
