"""Folders shipped inside the package: the migration scripts and the bundled decks.

They live at the top of the repository (``migrations/``, ``decks/``) and are packaged as
``quizzer.migrations`` and ``quizzer.decks`` (pyproject.toml), so a checkout, an editable
install and an installed wheel find them the same way.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def migrations_dir() -> Path:
    """The folder of ``NNNN_name.py`` migration scripts."""
    return Path(str(files("quizzer.migrations")))


def decks_dir() -> Path:
    """The folder of the bundled YAML decks."""
    return Path(str(files("quizzer.decks")))
