"""The study queue in a real browser (Chromium via Playwright, against waitress): Study now drawing
from several decks within their limits with the dashboard's counts equal to what it serves, a deck
options change, buried siblings, study ahead leaving the schedule intact, a mid-day time zone change."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizzer import clock
from quizzer.services import review
from quizzer.services import users as user_service
from quizzer.store.models import Card, CardState, Deck, ReviewLog, User
from tests.test_browser import _dashboard_figure, _shot, browser, reveal_answer  # noqa: F401 (fixture)
from tests.test_study_queue import CLOZE_DECK as SIBLINGS

pytestmark = pytest.mark.browser


def basic_deck(slug: str, title: str, count: int) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{title} question {i}?', answer: '{title} {i}'}}\n"
                    for i in range(1, count + 1))
    return f"id: {slug}\ntitle: {title}\ncards:\n{cards}"


def sign_up(page, url: str, name: str = "learner") -> User:
    page.goto(url + "/signup")
    page.fill("#username", name)
    page.fill("#password", "a long passphrase")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Today")
    return User.get(User.username == name)


def study_all(page, limit: int = 40, revealed: bool = False) -> list[tuple[str, str]]:
    """Answer Good by keyboard until the summary (``revealed``: the first card's answer is shown):
    (deck title, prompt) of each card shown."""
    shown = []
    page.wait_for_load_state()
    while page.locator("#card").count():
        card_id = page.locator("#card").get_attribute("data-card-id")
        shown.append((page.locator("#deck-name").inner_text(), page.locator("#prompt").inner_text()))
        if not (revealed and len(shown) == 1):
            reveal_answer(page)
        page.keyboard.press("3")
        page.wait_for_function(
            "id => !document.getElementById('card') || document.getElementById('card').dataset.cardId !== id",
            arg=card_id)
        page.wait_for_load_state()
        assert len(shown) <= limit
    return shown


def deck_row(page, title: str):
    return page.locator("table.decks tbody tr", has_text=title)


def test_study_now_draws_from_every_deck_within_its_limits_and_the_counts_agree(deck_server, browser):
    url = deck_server(basic_deck("alpha", "Alpha", 6), basic_deck("beta", "Beta", 6), basic_deck("gamma", "Gamma", 6))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    sign_up(page, url)
    page.goto(url + "/settings")
    page.fill("#new_per_day", "5")
    page.select_option("#new_order", "round_robin")
    page.click("button:has-text('Save')")
    expect(page.locator(".flash")).to_contain_text("Settings saved.")

    # A deck options change on the deck page: Alpha gives one new card a day.
    page.goto(url + "/")
    deck_row(page, "Alpha").locator("a", has_text="Alpha").click()
    page.click("#deck-options summary")
    page.fill("#opt-new", "1")
    page.click("button:has-text('Save options')")
    expect(page.locator(".flash")).to_contain_text("Deck options saved.")
    page.click("#deck-options summary")
    expect(page.locator("#deck-options-now")).to_contain_text("Today: at most 1 new card and")
    _shot(page, "deck-options-desktop")

    page.goto(url + "/")
    rows = {title: int(deck_row(page, title).locator("td.new").inner_text()) for title in ("Alpha", "Beta", "Gamma")}
    assert rows == {"Alpha": 1, "Beta": 5, "Gamma": 5}
    assert (_dashboard_figure(page, "new"), _dashboard_figure(page, "due")) == (5, 0)
    expect(page.locator("#study-now")).to_have_text("Study now · 5")
    _shot(page, "dashboard-queue-desktop")

    page.click("#study-now")
    shown = study_all(page)

    decks = [title for title, _ in shown]
    assert len(shown) == 5 and Counter(decks) == {"Alpha": 1, "Beta": 2, "Gamma": 2}
    assert decks[:3] == ["Alpha", "Beta", "Gamma"]  # round robin
    page.goto(url + "/")
    expect(page.locator(".done-note")).to_contain_text("All done for today")
    # Each deck keeps its own Study button while it has cards within its own limit.
    assert deck_row(page, "Alpha").locator("a.btn", has_text="Study").count() == 0
    beta_left = int(deck_row(page, "Beta").locator("td.new").inner_text())
    assert beta_left == 3
    deck_row(page, "Beta").locator("a.btn", has_text="Study").click()
    assert [title for title, _ in study_all(page)] == ["Beta"] * beta_left
    assert errors == []


def test_answering_a_card_buries_its_siblings(deck_server, browser):
    url = deck_server(SIBLINGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_up(page, url)
    expect(page.locator("#study-now")).to_have_text("Study now · 6")
    page.click("#study-now")

    prompts = [prompt for _, prompt in study_all(page)]

    assert len(prompts) == 3  # one card of each note: c1, the front, the plain card
    assert "Capital of France?" in prompts[1] and "Two plus two?" in prompts[2]
    page.goto(url + "/")
    assert (_dashboard_figure(page, "new"), _dashboard_figure(page, "done today")) == (0, 3)
    assert CardState.select().where(CardState.buried_until.is_null(False)).count() == 3


def test_study_ahead_leaves_the_schedule_intact(deck_server, browser):
    url = deck_server(basic_deck("alpha", "Alpha", 3))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    user = sign_up(page, url)
    for card in Card.select():  # answered two days ago, then yesterday: due in 5 days
        review.answer(user, card.id, 4, now=clock.now() - timedelta(days=2))
        review.answer(user, card.id, 4, now=clock.now() - timedelta(days=1))
    schedule = [(s.card_id, s.due, s.interval, s.repetitions, s.easiness_x100) for s in CardState.select()]
    deck = Deck.get()

    page.goto(f"{url}/decks/{deck.id}")
    page.click("#custom-study summary")
    _shot(page, "deck-custom-study-desktop")
    page.fill("#ahead-days", "7")
    page.click("#study-ahead button")
    expect(page.locator("#custom-session")).to_have_text("Study ahead: 7 d")
    expect(page.locator("#undo")).to_have_count(0)
    reveal_answer(page)
    _shot(page, "review-ahead-desktop")
    shown = study_all(page, revealed=True)

    assert len(shown) == 3
    assert [(s.card_id, s.due, s.interval, s.repetitions, s.easiness_x100) for s in CardState.select()] == schedule
    assert ReviewLog.select().where(ReviewLog.kind == "ahead").count() == 3
    expect(page.locator("#reviewed")).to_have_text("3")  # the session's summary


def test_a_mid_day_time_zone_change_waits_for_the_next_rollover(deck_server, browser):
    url = deck_server(basic_deck("alpha", "Alpha", 8))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    user = sign_up(page, url)
    # UTC+14 to UTC-11: at any hour, the other zone's study day is another date.
    user_service.update_settings(user, timezone="Pacific/Kiritimati", new_per_day=5)
    page.goto(url + "/")
    page.click("#study-now")
    page.wait_for_load_state()
    for _ in range(3):
        card_id = page.locator("#card").get_attribute("data-card-id")
        reveal_answer(page)
        page.keyboard.press("3")
        expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id)
    page.goto(url + "/")
    before = {label: _dashboard_figure(page, label) for label in ("new", "done today", "-day streak")}
    assert before == {"new": 2, "done today": 3, "-day streak": 1}

    page.goto(url + "/settings")
    page.select_option("#timezone", "Pacific/Pago_Pago")
    page.click("button:has-text('Save')")
    expect(page.locator("#day-rule-pending")).to_contain_text("take effect when the current study day ends")
    expect(page.locator("#timezone")).to_have_value("Pacific/Pago_Pago")
    _shot(page, "settings-pending-zone-desktop")

    page.goto(url + "/")
    assert {label: _dashboard_figure(page, label) for label in ("new", "done today", "-day streak")} == before
