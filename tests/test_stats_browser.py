"""The stats page in a real browser (Debian's Chromium via Playwright): screenshots, light and dark."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from quizzer.services import review
from quizzer.store.models import User
from tests.test_browser import ARTIFACTS, browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _history(username: str) -> None:
    """Four months of daily study through the review engine (with days off), so every chart has data."""
    user = User.get(User.username == username)
    user.new_per_day = 6
    user.save()
    start = datetime.now(UTC) - timedelta(days=120)
    for day in range(121):
        if day % 9 in (3, 4):
            continue
        now = start + timedelta(days=day)
        for n in range(25):
            view = review.next_card(user, now=now)
            if view is None:
                break
            review.answer(user, view.card.id, (5, 4, 4, 3, 2)[(day + n) % 5], time_ms=15_000 + 997 * n, now=now)


def test_stats_page_screenshots(live_server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(live_server + "/signup")
    page.fill("#username", "statsuser")
    page.fill("#password", "a long passphrase")
    page.keyboard.press("Enter")
    expect(page.locator("table.decks")).to_be_visible()
    _history("statsuser")

    page.get_by_role("link", name="Stats").click()
    expect(page.locator("h1")).to_have_text("Stats")
    for chart in ("heatmap", "reviews", "forecast", "retention", "intervals", "easiness", "time"):
        expect(page.locator(f"#chart-{chart}")).to_be_visible()
    assert int(page.locator("#current-streak").inner_text()) >= 1
    assert page.locator("#chart-heatmap rect.heat.h4").count() >= 1
    fill = page.eval_on_selector("#chart-reviews rect.s-new", "el => getComputedStyle(el).fill")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats-desktop.png"), full_page=True)

    page.emulate_media(color_scheme="dark")
    dark_fill = page.eval_on_selector("#chart-reviews rect.s-new", "el => getComputedStyle(el).fill")
    assert fill != dark_fill  # the charts follow the page's dark colours
    page.screenshot(path=str(ARTIFACTS / "stats-dark.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.screenshot(path=str(ARTIFACTS / "stats-360.png"), full_page=True)
    assert not problems, problems
