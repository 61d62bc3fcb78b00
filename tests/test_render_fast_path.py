"""Plain one-line texts skip markdown-it and nh3; the result must be exactly what they would give."""
import nh3
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quizzer.deck_format import parse_deck_file
from quizzer.deck_format.html_events import MAX_NESTING
from quizzer.deck_format.render import _ATTRIBUTES, _MD, _TAGS, render_markdown, sanitize
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


# Runs of what the fast path reads (and what it must leave alone), ending the way hostile fields do.
_ADVERSARIAL = st.builds(lambda piece, count, end: piece * count + end,
                         st.sampled_from(["a", "**a", "*a", "`a", "$a", "(", "[a](", "a ", "_a", "**a** ", "&", "<"]),
                         st.integers(1, 30), st.sampled_from(["", "&", "<", "*", "&nbsp;"]))


@settings(max_examples=300, deadline=None)
@given(_ADVERSARIAL)
def test_fast_path_matches_the_full_renderer_on_runs(text):
    assert render_markdown(text) == _full(text)


# Well-formed HTML with more tags than MAX_NESTING (so sanitize rewrites it first) but nested less deep.
_ELEMENT = st.sampled_from(["<b>x</b>", "<ul><li>a &amp; b</li><li><i>c</i></li></ul>", "<p>t&nbsp;u</p>",
                            '<img src="https://e.org/a.png" alt="a &quot;b&quot;">', "<br>", "text &lt;3 ",
                            '<table><tr><td><a href="https://e.org/?a=1&amp;b=2">l</a></td></tr></table>',
                            "<div><span style=\"color:red\">s</span></div>", "<!-- c -->", "é"])


@settings(max_examples=100, deadline=None)
@given(st.lists(_ELEMENT, min_size=40, max_size=80).map("".join))
def test_rewriting_many_tags_before_sanitising_changes_nothing_nh3_keeps(fragment):
    assume(fragment.count("<") > MAX_NESTING)  # 40 elements usually make more tags; a few draws do not
    assert sanitize(fragment) == nh3.clean(fragment, tags=_TAGS, attributes=_ATTRIBUTES,
                                           url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
