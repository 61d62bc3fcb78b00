"""docs/decks.md is what docs/decks_md.py prints for the decks in decks/ today."""
from __future__ import annotations

import runpy

from tests.conftest import REPO


def test_docs_decks_md_is_current():
    render = runpy.run_path(str(REPO / "docs" / "decks_md.py"))["render"]
    current = (REPO / "docs" / "decks.md").read_text(encoding="utf-8")
    assert current == render(REPO / "decks"), \
        "docs/decks.md is out of date: run `.venv/bin/python docs/decks_md.py > docs/decks.md`"
