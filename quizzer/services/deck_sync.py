"""Deck sync: re-import the shared decks whose YAML file changed, one file at a time.

A file is unchanged when a shared deck already holds the sha256 of its bytes
(``Deck.content_hash``, written by every import). Changed files go through
``load_files``, the same progress-preserving import as ``quizzer import``; a
broken file is reported and its deck stays as it was (load_files writes
nothing when a file has problems).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.deck_format import DeckError
from quizzer.services.decks import deck_files, deck_hash, load_files
from quizzer.store.decks import shared_deck_hashes

log = logging.getLogger("quizzer.jobs")


@dataclass
class SyncReport:
    loaded: list[str] = field(default_factory=list)  # import summaries
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # "file:line:column: field: message"

    def summary(self) -> str:
        head = f"{len(self.loaded)} loaded, {self.unchanged} unchanged, {len(self.problems)} problem(s)"
        return "; ".join([head, *self.loaded, *self.problems])


def sync_decks(decks_dir: Path) -> SyncReport:
    """Import every YAML file under ``decks_dir`` whose content changed into the shared decks."""
    report = SyncReport()
    known = shared_deck_hashes()
    for path in deck_files([decks_dir]):
        if deck_hash(path.read_bytes()) in known:
            report.unchanged += 1
            continue
        try:
            plan, = load_files([path])
        except DeckError as err:
            report.problems.extend(str(problem) for problem in err.problems)
            log.warning("deck sync: %s is broken, its deck is left as it was: %s", path, err.problems[0])
            continue
        report.loaded.append(plan.summary())
    return report
