"""Issue 20 in a real browser: shuffled choices graded by key, typed answers, truthful buttons, the
keyboard, and every page at 360 px. Screenshots go to test-artifacts/."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.services.decks import load_files
from quizzer.store.models import ReviewLog
from quizzer.web import create_app
from tests.test_browser import _shot, browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

DECK = """
id: mc
title: Choices
cards:
  - id: pattern
    question: Which agentic pattern interleaves reasoning with tool calls?
    choices: [Reflection, ReAct, Planning, Multi-agent, Tool use, Routing]
    answer: ReAct
"""


@pytest.fixture
def server_with(tmp_path):
    """Start a server over the given deck texts (shared decks); yields its base URL."""
    servers = []

    def start(*decks: str) -> str:
        folder = tmp_path / "decks"
        folder.mkdir()
        for number, text in enumerate(decks):
            (folder / f"deck{number}.yaml").write_text(text, encoding="utf-8")
        env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
               "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
        app = create_app(load_settings(env))
        load_files([folder])
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server in servers:
        server.close()


def sign_up(page, base: str, name: str = "learner") -> None:
    page.goto(base + "/signup")
    page.fill("#username", name)
    page.fill("#password", "a long passphrase")
    page.click("button[type=submit]")
    expect(page.locator("main")).to_be_visible()


def test_shuffled_choice_card_is_graded_by_the_key_of_its_shown_position(server_with, browser):  # noqa: F811
    base = server_with(DECK)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    sign_up(page, base)
    page.goto(base + "/study")
    options = page.locator("#choices button.choice span").all_inner_texts()
    assert sorted(options) == sorted(["Reflection", "ReAct", "Planning", "Multi-agent", "Tool use", "Routing"])
    page.reload()
    assert page.locator("#choices button.choice span").all_inner_texts() == options  # stable on reload
    key = str(options.index("ReAct") + 1)
    _shot(page, "choice-shuffled-question")

    page.keyboard.press(key)
    expect(page.locator(f"#choices button.choice[data-number='{key}']")).to_have_class("choice right")
    expect(page.locator("#grades button.suggested")).to_have_attribute("data-quality", "4")
    _shot(page, "choice-shuffled-picked")
    page.keyboard.press("Enter")
    page.wait_for_url("**/study/summary*")
    assert [log.quality for log in ReviewLog.select()] == [4]


TYPED_DECK = """
id: numbers
title: Numbers
cards:
  - id: lora
    question: How many trainable parameters does LoRA with r = 8 add to one 4096 x 4096 matrix?
    answer: "65,536 (about 0.39% of the matrix's 16.8M weights)"
    accept: ["2^16"]
  - id: kv
    question: How much KV cache does one token take in Llama-3-70B at fp16?
    answer: About 0.33 MB
    accept: ["327,680 bytes"]
  - id: stacking
    question: What is stacking?
    answer: Training a meta-learner on the predictions of several base models
    reverse: true
    reverse_answer: Stacking
"""


def test_typed_numbers_in_the_review_accept_units_and_refuse_a_near_wrong_one(server_with, browser):  # noqa: F811
    base = server_with(TYPED_DECK)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    sign_up(page, base)
    page.goto(base + "/study")
    expect(page.locator("#prompt")).to_contain_text("LoRA")
    expect(page.locator("#typed")).to_be_focused()
    page.keyboard.type("65535")
    page.keyboard.press("Enter")
    expect(page.locator("#typed-outcome")).to_have_text("Not quite")
    expect(page.locator("#grades button.suggested")).to_have_attribute("data-quality", "2")
    expect(page.locator("#grades button.suggested")).to_be_focused()
    _shot(page, "review-typed-refused")
    page.keyboard.press("3")  # the user may overrule the suggestion: Good
    expect(page.locator("#prompt")).to_contain_text("KV cache")
    page.keyboard.type("327.68 KB")
    page.keyboard.press("Enter")
    expect(page.locator("#typed-outcome")).to_have_text("Right")
    expect(page.locator("#grades button.suggested")).to_have_attribute("data-quality", "4")
    _shot(page, "review-typed-accepted")
    page.keyboard.press("Enter")
    expect(page.locator("#prompt")).to_contain_text("stacking")
    assert [log.quality for log in ReviewLog.select().order_by(ReviewLog.id)] == [4, 4]


def test_a_reverse_card_is_typed_against_its_short_answer(server_with, browser):  # noqa: F811
    base = server_with(TYPED_DECK)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    sign_up(page, base)
    page.goto(base + "/quiz")
    page.check("input[name=mode][value=typed]")
    page.fill("#count", "3")
    page.click("#start-quiz")
    for _ in range(3):
        expect(page.locator("#answer")).to_be_focused()
        prompt = page.locator("#prompt").inner_text()
        if "meta-learner" in prompt:
            page.keyboard.type("stacking")
            page.keyboard.press("Enter")
            expect(page.locator("#verdict")).to_have_text("Right")
            _shot(page, "quiz-reverse-typed")
            return
        page.keyboard.type("skip")
        page.keyboard.press("Enter")
        expect(page.locator("#next")).to_be_focused()
        page.keyboard.press("Enter")
    raise AssertionError("the reverse face was not asked")
