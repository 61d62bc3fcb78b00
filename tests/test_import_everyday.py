"""A small package from current Anki, with the HTML its editor writes every day (non-breaking
spaces, lists, bold, cloze deletions, images), previews in well under two seconds: the case that
once took minutes and held every other request up."""
from __future__ import annotations

import re
import time

import pytest

from quizzer.store.models import Card
from tests.anki_factory import everyday_package_file
from tests.test_import_web import apply, upload


@pytest.fixture(scope="module")
def everyday_package(tmp_path_factory):
    return everyday_package_file(tmp_path_factory.mktemp("everyday")).read_bytes()


def test_an_everyday_package_previews_and_applies_in_under_two_seconds_each(logged_in, everyday_package):
    client = logged_in("alice")
    start = time.perf_counter()
    preview = upload(client, "everyday.apkg", everyday_package)
    previewed = time.perf_counter() - start
    assert preview.status_code == 200
    shown = " ".join(re.sub(r"<[^>]+>", " ", preview.get_data(as_text=True)).split())
    assert "everyday-biology new deck Anki deck &#39;Everyday::Biology&#39; 30 0 0 0 0" in shown
    assert previewed < 2, f"the preview took {previewed:.2f} s"

    start = time.perf_counter()
    assert apply(client, preview.get_data(as_text=True)).status_code == 302
    applied = time.perf_counter() - start
    assert applied < 2, f"applying took {applied:.2f} s"
    faces = [html for card in Card.select() for html in (card.prompt_html, card.answer_html)]
    assert len(faces) == 2 * (20 + 4 * 1 + 6 * 2) and not any("**" in html or "&amp;nbsp;" in html for html in faces)
