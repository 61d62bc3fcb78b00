"""Issue 20 in a real browser: shuffled choices graded by key, typed answers, truthful buttons, the
keyboard, and every page at 360 px. Screenshots go to test-artifacts/."""
from __future__ import annotations

import threading
from datetime import UTC
from pathlib import Path

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


def sign_up(page, base: str, name: str = "learner") -> None:
    page.goto(base + "/signup")
    page.fill("#username", name)
    page.fill("#password", "a long passphrase")
    page.click("button[type=submit]")
    expect(page.locator("main")).to_be_visible()


def test_shuffled_choice_card_is_graded_by_the_key_of_its_shown_position(deck_server, browser):  # noqa: F811
    base = deck_server(DECK)
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


def test_typed_numbers_in_the_review_accept_units_and_refuse_a_near_wrong_one(deck_server, browser):  # noqa: F811
    base = deck_server(TYPED_DECK)
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


def test_a_reverse_card_is_typed_against_its_short_answer(deck_server, browser):  # noqa: F811
    base = deck_server(TYPED_DECK)
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


# --- Every page on a phone: width, text contrast and axe-core, in both themes -----------------------

LONG_TITLE = "Sixty characters of deck title to push the dashboard sideways"[:60]
LONG_WORD = "x" * 80
PRIVATE_DECK = f"""
id: long-names
title: "{LONG_TITLE}"
cards:
  - id: long-word
    question: "What is {LONG_WORD}?"
    answer: "An unbroken word: {LONG_WORD}"
  - id: code
    question: |
      What does this print?

      ```python
      # a comment, in the code style's comment colour
      print(sum(range(4)))  # 0 + 1 + 2 + 3
      ```
    answer: "6"
"""
PASSWORD = "a long passphrase"

# The contrast of every visible text in the page: its colour over the first opaque background behind
# it (semi-transparent layers blended), WCAG 2 relative luminance. Large text (24px, or 18.66px bold)
# needs 3:1, the rest 4.5:1. Returns the failures.
CONTRAST_PROBE = """
() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = el => { const layers = [];
    for (let n = el; n; n = n.parentElement) { const b = parse(getComputedStyle(n).backgroundColor);
      if (b && b[3] > 0) { layers.push(b); if (b[3] >= 1) break; } }
    let base = [255, 255, 255, 1];
    if (!layers.length || layers[layers.length - 1][3] < 1)
      base = matchMedia('(prefers-color-scheme: dark)').matches ? [0, 0, 0, 1] : base;
    for (let i = layers.length - 1; i >= 0; i--)
      base = layers[i][3] >= 1 ? layers[i] : blend(layers[i], base);
    return base; };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement; if (!t.textContent.trim() || !el) continue;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === 'hidden'
        || el.closest('[hidden], .sr-only, .skip, dialog:not([open]), .katex-mathml, svg')) continue;
    let opacity = 1; for (let n = el; n; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
    if (opacity === 0) continue;
    const bg = background(el), fg0 = parse(s.color); const fg = blend([fg0[0], fg0[1], fg0[2], fg0[3] * opacity], bg);
    const [a, b] = [lum(fg), lum(bg)]; const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const text = t.textContent.trim().slice(0, 40), where = `${el.tagName.toLowerCase()}.${el.className}`;
    if (ratio < need) failures.push(`${ratio.toFixed(2)} < ${need}: "${text}" (${where})`);
  }
  return [...new Set(failures)];
}
"""


def _populate(base_dir) -> None:
    """All bundled decks, a private deck with a 60-character title and an 80-character word, a year of
    reviews (three a day), a finished quiz of each kind; the user is an admin, in Berlin."""
    import random
    from datetime import datetime, timedelta

    from quizzer.services import quiz as quiz_service
    from quizzer.services import review
    from quizzer.services import users as user_service
    from tests.conftest import BUNDLED_DECKS

    load_files([BUNDLED_DECKS])
    user = user_service.create_user("phone", PASSWORD, is_admin=True)
    user_service.update_settings(user, timezone="Europe/Berlin")
    (base_dir / "long.yaml").write_text(PRIVATE_DECK, encoding="utf-8")
    load_files([base_dir / "long.yaml"], user.id)
    rng = random.Random(7)
    start = datetime.now(UTC).replace(hour=12, minute=0) - timedelta(days=365)
    for day in range(365):
        for minute in range(3):
            now = start + timedelta(days=day, minutes=minute)
            view = review.next_card(user, now=now)
            if view is not None:
                review.answer(user, view.card.id, rng.choice([2, 3, 4, 4, 5]), now=now)
    for mode in ("choice", "typed"):
        quiz = quiz_service.start_quiz(user, mode, count=4)
        for position in range(1, 5):
            kind = {"choice": {"choice": 1}, "typed": {"given": "no idea"}}[mode]
            quiz_service.answer(user, quiz.id, position, answer_id=f"{mode}-{position}", **kind)
        quiz_service.finish(user, quiz.id)


@pytest.fixture
def populated(tmp_path):
    env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
           "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
    app = create_app(load_settings(env))
    _populate(tmp_path)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["quizzer_import_worker"].stop()


def _pages(base: str) -> dict[str, str]:
    from quizzer.store.models import Deck
    from quizzer.store.quiz_models import Quiz
    private = Deck.get(Deck.slug == "long-names").id
    shared = Deck.get(Deck.slug == "llm-inference").id
    quizzes = [q.id for q in Quiz.select().order_by(Quiz.id)]
    return {
        "dashboard": "/", "study": "/study", "study-answer": None, "deck-private": f"/decks/{private}",
        "deck-shared": f"/decks/{shared}", "stats": "/stats", "stats-deck": f"/stats?deck={private}",
        "quiz-new": "/quiz", "quiz-question": f"/quiz/{quizzes[0]}/1", "quiz-result": f"/quiz/{quizzes[0]}/result",
        "quiz-typed-result": f"/quiz/{quizzes[1]}/result", "quiz-history": "/quiz/history",
        "import": "/import", "export": "/export", "settings": "/settings", "password": "/account/password",
        "summary": "/study/summary", "jobs": "/jobs",
    }


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def _axe(page, name: str, theme: str) -> list[str]:
    """axe-core's serious and critical violations on the page as shown (the context loads axe into every
    page with add_init_script: the app's Content-Security-Policy refuses injected script tags)."""
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    return [f"{name} ({theme}): axe {violation}" for violation in violations]


def _width_and_contrast(page, name: str, theme: str) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 361).slice(0, 3)
            .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)""")
        problems.append(f"{name} ({theme}): {width} px wide: {wide}")
    problems += [f"{name} ({theme}): contrast {failure}" for failure in page.evaluate(CONTRAST_PROBE)]
    return problems + _axe(page, name, theme)


def test_every_page_fits_a_360px_phone_has_readable_contrast_and_passes_axe_in_both_themes(populated, browser):  # noqa: F811
    problems = []
    for theme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=theme)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        for name in ("", "signup", "login"):  # the landing page, then the forms
            page.goto(f"{populated}/{name}")
            problems += _width_and_contrast(page, name or "landing", theme)
        page.fill("#username", "phone")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        expect(page.locator("h1")).to_have_text("Today")
        for name, path in _pages(populated).items():
            if path is None:  # the review with its answer shown
                page.goto(populated + "/study")
                page.keyboard.press("Space")
            else:
                page.goto(populated + path)
            page.wait_for_load_state("load")
            problems += _width_and_contrast(page, name, theme)
            _shot(page, f"phone-{theme}-{name}")
        page.keyboard.press("?")
        expect(page.locator("#shortcuts")).to_be_visible()
        problems += _width_and_contrast(page, "shortcuts", theme)
        _shot(page, f"phone-{theme}-shortcuts")
        context.close()
    assert problems == [], "\n".join(problems)


BASIC_DECK = """
id: basics
title: Basics
cards:
""" + "".join(f"  - id: q{i}\n    question: Question {i}?\n    answer: Answer {i}\n" for i in range(1, 5))


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_enter_and_space_press_the_focused_button_and_question_mark_lists_shortcuts(deck_server, browser):  # noqa: F811
    base = deck_server(BASIC_DECK)
    page = browser.new_page(viewport={"width": 360, "height": 640})
    sign_up(page, base)
    page.goto(base + "/study")
    page.keyboard.press("Space")  # the focused "Show answer" link
    expect(page.locator("#grades")).to_be_visible()
    expect(page.locator("#grades button[data-quality='4']")).to_be_focused()
    first = page.locator("#card").get_attribute("data-card-id")
    page.focus("#grades button[data-quality='2']")
    page.keyboard.press("Enter")  # Again, not the suggested Good
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", first)
    second = page.locator("#card").get_attribute("data-card-id")
    page.keyboard.press("Enter")
    page.focus("#grades button[data-quality='3']")
    page.keyboard.press("Space")  # Hard
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", second)
    assert [log.quality for log in ReviewLog.select().order_by(ReviewLog.id)] == [2, 3]

    page.keyboard.press("Space")
    page.evaluate("window.showToast('Card suspended.')")
    expect(page.locator("#toast")).to_have_class("toast show")
    page.wait_for_timeout(300)  # the slide-in transition
    assert not _overlap(page.locator("#toast").bounding_box(), page.locator("#grades").bounding_box())
    _shot(page, "toast-360")

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("Again, Hard, Good, Easy")
    _shot(page, "shortcuts-360")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.focus(".secondary-actions a:has-text('End session')")
    page.keyboard.press("Enter")  # leaves for the summary instead of grading
    page.wait_for_url("**/study/summary*")
    assert ReviewLog.select().count() == 2
