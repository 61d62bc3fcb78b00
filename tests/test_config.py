"""Settings from QUIZZER_* variables: defaults relative to the working folder, bad values named."""
from __future__ import annotations

import logging
import re

import pytest

from quizzer import bundled
from quizzer.config import ConfigError, load_settings
from quizzer.logs import configure_logging
from tests.conftest import BUNDLED_DECKS


def test_runtime_files_default_to_the_working_folder_and_decks_to_the_bundled_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"QUIZZER_SECRET_KEY": "k" * 64})
    assert settings.instance_dir == tmp_path / "instance"
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'quizzer.db'}"
    assert settings.decks_dir == bundled.decks_dir() == BUNDLED_DECKS
    assert (settings.log_level, settings.backup_dir) == ("INFO", tmp_path / "instance" / "backups")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("QUIZZER_LOG_LEVEL", "loud", "QUIZZER_LOG_LEVEL='LOUD': expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("QUIZZER_PORT", "http", "QUIZZER_PORT='http': expected a whole number"),
    ("QUIZZER_JOBS", "maybe", "QUIZZER_JOBS='maybe': expected 1/0, true/false, yes/no or on/off"),
])
def test_a_bad_value_is_refused_with_the_variable_named(name, value, message, tmp_path):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings({"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_SECRET_KEY": "k", name: value})


def test_logging_is_configured_once_with_a_timestamp_per_line(capfd):
    root = logging.getLogger()
    before = [handler for handler in root.handlers if not getattr(handler, "_quizzer", False)]
    root.handlers[:] = before  # as a fresh process starts (an app built by another test added one)
    try:
        configure_logging("INFO")
        configure_logging("INFO")  # a second app in the same process adds no second handler
        assert len(root.handlers) == len(before) + 1
        logging.getLogger("quizzer.jobs").info("backup done")
        line = capfd.readouterr().err.strip().splitlines()[-1]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO quizzer\.jobs: backup done", line)
    finally:
        root.handlers[:] = before
