"""Card markdown to HTML: every XSS payload is shown as text or dropped, never run; code and math still work."""
from __future__ import annotations

import html
import json
import re

import pytest

from quizzer.deck_format.render import _TAGS, render_inline, render_markdown, sanitize
from tests.conftest import parse

PAYLOADS = [
    # script tags, in every disguise
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\n>alert(1)</script\n>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="#" onclick="alert(1)"><<script>script>alert(1)<</script>/script></a>',
    '<img """><script>alert(1)</script>">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <script>alert(1)</script> |",
    # event handlers on raw HTML inside markdown
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<b onmouseover="alert(1)">hover</b>',
    '<span class="x" onclick="alert(1)">click</span>',
    # the sound player imported cards use: only its own src, controls and preload survive
    '<audio controls src="javascript:alert(1)" onplay="alert(1)" autoplay></audio>',
    '<audio src="data:audio/wav;base64,UklGRg==" onerror="alert(1)"><source src="x.mp3"></audio>',
    "Some **bold** text <em onfocus=alert(1) tabindex=0 autofocus>focus</em> in markdown",
    "- item <a href='x' onclick='alert(1)'>link</a>\n- item two",
    "> quote <img src=x onerror=alert(1)>",
    "<<img src=x onerror=alert(1)>>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<body onload=alert(1)>",
    '<a href="https://ok.example" target="_blank" onclick="x()">ok</a>',
    '<div class="math inline"><img src=x onerror=alert(1)></div>',
    # javascript:, vbscript: and data: URLs in links and images, plain and encoded
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entity</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">hex entity</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<IMG SRC="javascript:alert(1);">',
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # markdown link and image syntax
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click]( javascript:alert(1) )",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[ref][r]\n\n[r]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # frames, plugins, styles
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<frameset><frame src=javascript:alert(1)></frameset>",
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    "<applet code=Evil.class></applet>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<p style="width: expression(alert(1))">expr</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel=import href="data:text/html,<script>alert(1)</script>">',
    # comments, code and math must keep payloads inert
    "<!--<img src=x onerror=alert(1)>-->",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "$<script>alert(1)</script>$",
    "$$\n</div><script>alert(1)</script>\n$$",
]

# audio is allowed on purpose (imported sounds), with src, controls and preload only: see assert_safe.
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
                  "base", "form", "input", "button", "svg", "math", "video", "source", "body", "details"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "xlink:href", "poster", "background"}


def _dangerous_url(value: str) -> bool:
    text = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
    return text.startswith(("javascript:", "vbscript:", "data:"))


def assert_safe(fragment: str) -> None:
    """Nothing in the fragment can run script, load a frame or plugin, or carry inline style."""
    assert not re.search(r"<\s*/?\s*(script|iframe|object|embed|style)\b", fragment, re.I), fragment
    page = parse(f"<div>{fragment}</div>")
    for tag, attrs, _ in page.elements:
        assert tag not in FORBIDDEN_TAGS, (tag, fragment)
        assert tag in _TAGS or tag == "div", (tag, fragment)  # only the allow-list comes through
        if tag == "audio":
            assert set(attrs) <= {"src", "controls", "preload"}, (attrs, fragment)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, fragment)
            assert name not in ("style", "srcdoc", "formaction"), (name, fragment)
            if name in URL_ATTRIBUTES:
                assert not _dangerous_url(value), (name, value, fragment)
    assert "javascript:alert" not in " ".join(v or "" for _, a, _ in page.elements for v in a.values()).lower()


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 25
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_harmless_as_a_block(payload):
    assert_safe(render_markdown(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_harmless_inline(payload):
    assert_safe(render_inline(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_harmless_after_surrounding_markdown(payload):
    assert_safe(render_markdown(f"# Title\n\nText with **bold** and a [link](https://ok.example).\n\n{payload}\n\n"
                                f"- list {payload}\n\n> {payload}"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitised_output_is_stable(payload):
    """Sanitising again changes nothing: no half-cleaned markup that a second parse would read differently."""
    once = render_markdown(payload)
    assert sanitize(once) == once


def test_script_text_is_shown_or_dropped_never_run():
    assert render_markdown("<script>alert(1)</script>") == ""
    assert render_markdown("`<script>`") == "<p><code>&lt;script&gt;</code></p>\n"
    assert "&lt;script&gt;" in render_markdown("<scr<script>ipt>alert(1)</scr</script>ipt>")


def test_event_handlers_are_dropped_but_the_element_stays():
    assert render_markdown('<img src="x.png" alt="pic" onerror="alert(1)">') == '<img src="x.png" alt="pic">'
    assert render_inline('<b onclick="alert(1)">bold</b>') == "<b>bold</b>"


def test_javascript_link_keeps_its_text_without_the_url():
    assert render_inline('<a href="javascript:alert(1)">click</a>') == '<a rel="noopener noreferrer">click</a>'
    assert "href" not in render_inline("[click](javascript:alert(1))")


# --- What must still work ------------------------------------------------------------------------

def test_safe_links_and_images_survive():
    out = render_markdown("[docs](https://example.org/a?b=1) ![chart](/static/favicon.svg) <mailto:me@example.org>")
    assert '<a href="https://example.org/a?b=1" rel="noopener noreferrer">docs</a>' in out
    assert '<img src="/static/favicon.svg" alt="chart">' in out
    assert 'href="mailto:me@example.org"' in out


def test_markdown_basics():
    out = render_markdown("**bold** *em* ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n1. one\n2. two")
    assert "<strong>bold</strong>" in out and "<em>em</em>" in out and "<s>gone</s>" in out
    assert "<table>" in out and "<td>1</td>" in out
    assert "<ol>" in out and "<li>one</li>" in out
    assert not render_inline("just *text*").startswith("<p>")


def test_code_fences_are_highlighted_with_classes():
    out = render_markdown("```python\ndef f(x):\n    return x + 1\n```")
    page = parse(out)
    assert page.find_all("code", **{"class": "language-python"})
    spans = page.find_all("span")
    assert spans and all(attrs.get("class") for _, attrs, _ in spans)
    assert ("span", {"class": "k"}, "def") in spans
    assert ("span", {"class": "nf"}, "f") in spans
    assert_safe(out)


def test_code_fence_in_an_unknown_language_is_plain_escaped_code():
    out = render_markdown("```nosuchlanguage\n<b>x</b> & y\n```")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in out
    assert "<span" not in out and "<pre>" in out


def test_inline_math_is_left_for_katex():
    out = render_markdown("Energy: $E = mc^2$ and $a<b$.")
    assert '<span class="math inline">E = mc^2</span>' in out
    assert '<span class="math inline">a&lt;b</span>' in out


def test_block_math_is_left_for_katex():
    out = render_markdown("$$\n\\sum_{i=1}^n i\n$$")
    found = parse(out).find_all("div", **{"class": "math block"})
    assert found and "\\sum_{i=1}^n i" in found[0][2]


def test_prices_are_not_math():
    out = render_markdown("It costs $5 and then $10.")
    assert "math" not in out and "$5" in out


# --- A hostile deck, loaded and studied through the app ------------------------------------------

HOSTILE_DECK = """
id: hostile
title: "<script>alert('title')</script> Hostile deck"
description: "<img src=x onerror=alert('desc')> Described **here**"
sources:
  evil: "<script>alert('source')</script> Evil source"
cards:
  - id: script-card
    question: "<script>alert(1)</script> What runs here?"
    answer: "<img src=x onerror=alert(2)> Nothing runs"
    explanation: "<a href=\\"javascript:alert(3)\\">see</a> <svg onload=alert(4)></svg> [md](javascript:alert(5))"
    source: evil
  - id: choice-card
    question: "Pick <b onclick=alert(6)>one</b>"
    answer: Plain
    choices: ["Plain", "<script>alert(7)</script>Scripted", "<i onmouseover=alert(8)>Italic</i>"]
"""


def _card_html_fields(card: dict) -> list[str]:
    return [card["prompt_html"], card["answer_html"], card["explanation_html"]] + [c["html"] for c in card["choices"]]


def test_hostile_deck_on_the_review_page_and_api_runs_nothing(logged_in, load_deck):
    load_deck(HOSTILE_DECK)
    client = logged_in("alice")

    api_card = client.get("/api/review/next").get_json()["card"]
    assert "What runs here?" in api_card["prompt_html"]
    for fragment in _card_html_fields(api_card):
        assert_safe(fragment)
    assert api_card["source"] == "<script>alert('source')</script> Evil source"  # text, shown with textContent

    for path in ("/study", f"/study?card={api_card['id']}&reveal=1"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        page = parse(body)
        scripts = page.find_all("script")
        assert all(a.get("src", "").startswith("/static/") or a.get("type") == "application/json"
                   for _, a, _ in scripts), scripts
        assert not any("alert" in text for _, a, text in scripts if a.get("type") != "application/json")
        prompt_div = body.split('id="prompt">')[1].split("</div>")[0]
        answer_div = body.split('id="answer-text">')[1].split("</div>")[0]
        assert_safe(prompt_div)
        assert_safe(answer_div)
        assert "What runs here?" in prompt_div and "Nothing runs" in answer_div
        assert "&lt;script&gt;alert(&#39;source&#39;)&lt;/script&gt; Evil source" in body
        for _, attrs, _ in page.elements:
            assert not any(name.startswith("on") for name in attrs), attrs
            assert not any(_dangerous_url(v) for n, v in attrs.items() if n in URL_ATTRIBUTES), attrs
        embedded = json.loads(page.by_id("card-data")[2])
        for fragment in _card_html_fields(embedded):
            assert_safe(fragment)

    choice = next(c for c in _cards(client) if c["kind"] == "choice")
    assert len(choice["choices"]) == 3
    for fragment in _card_html_fields(choice):
        assert_safe(fragment)
    assert "Scripted" in choice["choices"][1]["html"] and "Italic" in choice["choices"][2]["html"]
    study = client.get(f"/study?card={choice['id']}").get_data(as_text=True)
    assert "Scripted" in study and "alert(7)" not in study.split('id="card-data"')[0]


def _cards(client) -> list[dict]:
    seen = []
    while (card := client.get("/api/review/next").get_json()["card"]) is not None and len(seen) < 10:
        seen.append(card)
        client.api("/api/review/answer", {"card_id": card["id"], "quality": 5})
    return seen


def test_hostile_deck_title_and_description_on_dashboard_and_deck_page(logged_in, load_deck):
    deck = load_deck(HOSTILE_DECK)
    client = logged_in("alice")
    api = client.get("/api/decks")
    # JSON carries the title as text; with nosniff no browser reads it as a page.
    assert api.mimetype == "application/json" and api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.get_json()["decks"][0]["title"] == "<script>alert('title')</script> Hostile deck"
    for path in ("/", f"/decks/{deck.id}", "/study/summary"):
        body = client.get(path).get_data(as_text=True)
        page = parse(body)
        assert all("src" in a or a.get("type") == "application/json" for _, a, _ in page.find_all("script"))
        for _, attrs, _ in page.elements:
            assert not any(name.startswith("on") for name in attrs), (path, attrs)
        assert "<script>alert(" not in body, path
    deck_page = client.get(f"/decks/{deck.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Hostile deck" in deck_page
    assert "Described <strong>here</strong>" in deck_page
