"""Issue 20's small things: Export in the navigation, quiz history in the user's time zone, a time
zone list of places only, and chart axes that print a quarter minute as 0.25."""
from __future__ import annotations

from datetime import datetime

import pytest

from quizzer.services import users as user_service
from quizzer.services.errors import InvalidInput
from quizzer.srs import local_clock, user_timezones
from quizzer.store.models import User
from quizzer.store.quiz_models import Quiz
from quizzer.web.charts import Series, bar_chart
from tests.conftest import SHARED_DECK, parse


def test_the_navigation_links_to_export(logged_in):
    page = parse(logged_in("alice").get("/"))
    nav = [attrs["href"] for _, attrs, _ in page.find_all("a") if attrs.get("href", "").startswith("/")]
    assert "/export" in nav and "/import" in nav


def test_quiz_history_shows_the_users_time_zone(logged_in, load_deck):
    load_deck(SHARED_DECK)
    client = logged_in("alice")
    user = User.get(User.username == "alice")
    user_service.update_settings(user, timezone="Europe/Berlin")
    started = client.api("/api/quiz", {"mode": "choice", "count": 1})
    assert started.status_code == 201, started.get_json()
    Quiz.update(created_at=datetime(2026, 7, 1, 21, 30)).execute()  # UTC; 23:30 in Berlin (summer time)
    html = client.get("/quiz/history").get_data(as_text=True)
    assert "2026-07-01 23:30" in html and "(Europe/Berlin)" in html
    assert " UTC<" not in html


def test_local_clock_converts_stored_utc():
    assert local_clock(datetime(2026, 1, 1, 23, 30), "Europe/Berlin").strftime("%Y-%m-%d %H:%M") == "2026-01-02 00:30"
    with pytest.raises(ValueError):
        local_clock(datetime(2026, 1, 1), "Mars/Olympus")


def test_time_zones_offered_are_places(logged_in):
    zones = user_timezones()
    assert "localtime" not in zones and "Factory" not in zones and "posixrules" not in zones
    assert {"UTC", "Europe/Berlin", "America/New_York"} <= set(zones) and list(zones) == sorted(zones)
    options = [text for _, _, text in parse(logged_in("alice").get("/settings")).find_all("option")]
    assert "localtime" not in options and "Factory" not in options and "Europe/Berlin" in options


@pytest.mark.parametrize("zone", ["localtime", "Factory"])
def test_a_zone_that_names_no_place_is_refused(db, zone):
    with pytest.raises(InvalidInput, match="unknown time zone"):
        user_service.update_settings(User.create(username="bob"), timezone=zone)


def test_a_quarter_minute_axis_reads_0_25():
    svg = str(bar_chart("chart-time", "Minutes", "d", ["a", "b"], [Series("Minutes", "s-time", [0.1, 0.5])],
                        unit=" min"))
    assert ">0.25 min<" in svg and ">0.5 min<" in svg and ">0 min<" in svg
    svg = str(bar_chart("chart-time", "Minutes", "d", ["a"], [Series("Minutes", "s-time", [0.24])], unit=" min"))
    assert ">0.125 min<" in svg and ">0.25 min<" in svg
