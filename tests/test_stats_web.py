"""The stats page and /api/stats/: well-formed accessible SVG, and JSON equal to what each chart drew."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from quizzer.services import review
from quizzer.services.stats import FIGURE_NAMES
from quizzer.store.models import Card, Deck, User
from quizzer.web.charts import nice_ceiling
from tests.conftest import SHARED_DECK

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def studied(app, logged_in, load_deck):
    """alice, who answered the three shared cards over the last days (and one today)."""
    client = logged_in("alice")
    load_deck(SHARED_DECK)
    user = User.get(User.username == "alice")
    now = datetime.now(UTC)
    for i, card in enumerate(Card.select().order_by(Card.id)):
        review.answer(user, card.id, [4, 2, 5][i], time_ms=45_000, now=now - timedelta(days=2 - i))
    return client


def _charts(html: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        root = ET.fromstring(markup)  # well-formed XML, or this raises
        found[root.get("id")] = root
    return found


def _titles(svg: ET.Element) -> list[str]:
    return [el.find(f"{SVG}title").text for el in svg.iter(f"{SVG}rect") if el.find(f"{SVG}title") is not None]


def test_page_charts_are_wellformed_svg_with_title_and_desc(studied):
    response = studied.get("/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/stats"' in html  # the nav link
    assert "style=" not in html and "<style" not in html  # CSP: style-src 'self'
    charts = _charts(html)
    assert set(charts) == {f"chart-{name}" for name in FIGURE_NAMES}
    for svg in charts.values():
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Current streak 3 days" in charts["chart-heatmap"].find(f"{SVG}desc").text
    assert re.search(r'id="current-streak">3<', html)


def _number(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _expected(name: str, data: dict) -> list[str]:
    """The hover title of every bar or cell, as the chart must draw them from the JSON."""
    short = lambda iso: datetime.fromisoformat(iso).strftime("%b %-d")  # noqa: E731
    if name == "heatmap":
        return [f"{d['day']}: {d['answers']:,} answers" for d in data["days"]]
    if name == "reviews":
        return [f"{short(d['day'])} · {s}: {_number(d[s.lower()])}" for d in data["days"]
                for s in ("New", "Young", "Mature")]
    if name == "time":
        return [f"{short(d['day'])} · Minutes: {_number(d['minutes'])} min" for d in data["days"]]
    if name == "forecast":
        return [f"{short(d['day'])} · Due: {_number(d['due'])}" for d in data["days"]]
    if name == "retention":
        return [f"{p} days · {s}: " + ("no data" if data["total"][s.lower()][str(p)]["percent"] is None
                                       else _number(data["total"][s.lower()][str(p)]["percent"]) + "%")
                for p in data["periods"] for s in ("Young", "Mature")]
    return [f"{b['label']} · Cards: {_number(b['cards'])}" for b in data["buckets"]]


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_json_is_what_the_chart_drew(studied, name):
    charts = _charts(studied.get("/stats").get_data(as_text=True))
    response = studied.get(f"/api/stats/{name}")
    assert response.status_code == 200
    assert _titles(charts[f"chart-{name}"]) == _expected(name, response.get_json())


def test_numbers_reach_the_json(studied):
    heat = studied.get("/api/stats/heatmap").get_json()
    assert heat["total"] == 3 and heat["current_streak"] == 3 and heat["days"][-1]["answers"] == 1
    time_spent = studied.get("/api/stats/time").get_json()
    assert [d["minutes"] for d in time_spent["days"][-3:]] == [0.75, 0.75, 0.75]  # 45 s each, not rounded to 0.8


def test_one_deck_invalid_and_hidden_decks(studied, load_deck):
    shared = Deck.get(Deck.slug == "shared-basics")
    assert studied.get(f"/api/stats/heatmap?deck={shared.id}").get_json()["total"] == 3
    page = studied.get(f"/stats?deck={shared.id}").get_data(as_text=True)
    assert f'<option value="{shared.id}" selected>' in page
    assert studied.get("/api/stats/heatmap?deck=abc").status_code == 400
    assert studied.get("/api/stats/heatmap?deck=999999").status_code == 404
    assert studied.get("/api/stats/nonsense").status_code == 404


def test_login_required(client):
    assert client.get("/api/stats/heatmap").status_code == 401
    assert client.get("/stats").status_code == 302


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 240, 0.4)] == [1, 1, 5, 10, 20, 250, 0.5]
