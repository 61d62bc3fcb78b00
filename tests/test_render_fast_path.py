"""Plain one-line texts skip markdown-it and nh3; the result must be exactly what they would give."""
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.deck_format import parse_deck_file
from quizzer.deck_format.render import _MD, render_markdown, sanitize
from tests.conftest import BUNDLED_DECKS


def _full(text: str) -> str:
    return sanitize(_MD.render(text))


@settings(max_examples=500)
@given(st.text(alphabet="ab Z09,.;:?'()/%-*_#<>&$", min_size=1, max_size=40))
def test_fast_path_matches_the_full_renderer(text):
    assert render_markdown(text) == _full(text)


def test_every_bundled_text_renders_as_the_full_renderer_would():
    for path in BUNDLED_DECKS.glob("*.yaml"):
        for note in parse_deck_file(path).notes:
            for text in filter(None, (note.question, note.answer, note.explanation, note.cloze, *note.choices)):
                assert render_markdown(text) == _full(text), (path.name, note.id)
