"""Quizzes end to end in Debian's Chromium (Playwright) against waitress, with the keyboard only.

One quiz of each mode: multiple choice by number keys, typed answers with a near miss
overruled by "o", and a timed mock interview revealed with Space and self-graded with a
number key. The answers must land in the review log as quiz answers and move due dates.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.services.study import study_day_for
from quizzer.store.models import CardState, ReviewLog, User
from quizzer.web import create_app
from tests.conftest import REPO
from tests.quiz_fixtures import ANSWERS, load

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(tmp_path, write_deck):
    env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
           "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
    app = create_app(load_settings(env))
    load(write_deck)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["quizzer_import_worker"].stop()


@pytest.fixture
def page(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1100, "height": 860})
        tab.problems = []
        tab.on("pageerror", lambda err: tab.problems.append(str(err)))
        tab.on("console", lambda msg: msg.type == "error" and tab.problems.append(msg.text))
        tab.goto(live_server + "/signup")
        tab.keyboard.type("quizzer")
        tab.keyboard.press("Tab")
        tab.keyboard.type("a long passphrase")
        tab.keyboard.press("Enter")
        expect(tab.locator("h1")).to_have_text("Today")
        yield tab
        browser.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _start(page, base: str, mode_index: int, tags: str, count: int) -> None:
    """The new-quiz form by keyboard: arrow to the mode, type the tags and the count, Enter."""
    page.goto(base + "/quiz")
    page.focus("input[name=mode][value=choice]")
    for _ in range(mode_index):
        page.keyboard.press("ArrowDown")
    page.focus("#tags")
    page.keyboard.type(tags)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(str(count))
    page.keyboard.press("Enter")
    expect(page.locator("#prompt")).to_be_visible()


def _prompt(page) -> str:
    return page.locator("#prompt").inner_text().strip()


def _finish(page, score: str) -> None:
    expect(page.locator("#next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#score")).to_have_text(score)


def test_multiple_choice_by_number_keys(live_server, page):
    _start(page, live_server, 0, "geo", 2)
    _shot(page, "quiz-choice-question")
    for position in (1, 2):
        expect(page.locator("#position")).to_have_text(f"{position} / 2")
        options = [t.strip() for t in page.locator("#choices button span").all_inner_texts()]
        page.keyboard.press(str(options.index(ANSWERS[_prompt(page)]) + 1))
        expect(page.locator("#verdict")).to_have_text("Right")
        expect(page.locator("#choices button.right")).to_have_count(1)
        if position == 1:
            _shot(page, "quiz-choice-answered")
            page.keyboard.press("Enter")
    _finish(page, "2 / 2")
    _shot(page, "quiz-choice-result")
    assert page.problems == []


def test_typed_answers_with_a_near_miss_overruled(live_server, page):
    _start(page, live_server, 1, "geo", 2)
    expect(page.locator("#answer")).to_be_focused()
    page.keyboard.type(ANSWERS[_prompt(page)][:-1] + "x")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_have_text("Almost: a near miss")
    expect(page.locator("#diff del")).to_have_text("x")
    expect(page.locator("#overrule-no")).to_be_focused()
    _shot(page, "quiz-typed-near-miss")
    page.keyboard.press("o")
    expect(page.locator("#position")).to_have_text("2 / 2")
    page.keyboard.type(ANSWERS[_prompt(page)].upper())
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_have_text("Right")
    _finish(page, "2 / 2")
    assert page.problems == []


def test_mock_interview_with_timer_reveal_and_self_grade(live_server, page):
    _start(page, live_server, 2, "theory", 1)
    timer = page.locator("#timer")
    expect(timer).to_have_text(re.compile(r"^1:(2\d|30)$"))  # 90 s, counting down
    page.wait_for_timeout(1200)
    assert timer.inner_text() != "1:30"
    page.keyboard.press("t")
    page.keyboard.type("Bias is underfitting, variance is overfitting.")
    _shot(page, "quiz-interview-question")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#model-answer")).to_contain_text("high variance")
    expect(page.locator("#explanation")).to_contain_text("Regularisation")
    expect(page.locator("#grade-form")).to_be_visible()
    _shot(page, "quiz-interview-revealed")
    page.keyboard.press("3")  # "Got it"
    expect(page.locator("#score")).to_have_text("1 / 1")
    _shot(page, "quiz-interview-result")
    assert page.problems == []


def test_quiz_answers_reach_the_review_log_and_move_due_dates(live_server, page):
    _start(page, live_server, 1, "geo", 1)
    page.keyboard.type(ANSWERS[_prompt(page)])
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_have_text("Right")

    user = User.get(User.username == "quizzer")
    log, = ReviewLog.select().where(ReviewLog.user == user.id)
    state = CardState.get((CardState.user == user.id) & (CardState.card == log.card_id))
    today = study_day_for(user).day
    assert (log.kind, log.applied, log.quality) == ("quiz", True, 5)
    assert state.due == today + timedelta(days=1) == log.due_after

    page.goto(live_server + "/")
    expect(page.locator("#readiness meter").first).to_be_visible()
    expect(page.locator("#weakest")).to_contain_text("geo")
    page.set_viewport_size({"width": 360, "height": 780})
    _shot(page, "dashboard-readiness-360")
    page.focus("#drill")
    page.keyboard.press("Enter")
    expect(page.locator("#timer")).to_be_visible()
    assert page.problems == []
