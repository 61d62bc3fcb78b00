"""Apply imported decks: the one writer for every reader in ``quizzer.importers``.

Everything is read and checked before anything is written; then media files are
stored (content-addressed, so a failed import leaves only unused files behind) and
all decks and progress are written in one transaction: an import fails whole.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from quizzer.deck_format import DeckError, Problem
from quizzer.deck_format.render import HtmlCache
from quizzer.gc_pause import gc_paused
from quizzer.importers import CardProgress, ImportBundle, ReadOptions, merge, read_file, read_path
from quizzer.services.deck_match import match_decks
from quizzer.services.decks import ImportPlan, deck_files, load_deck, load_files, plan_import
from quizzer.services.errors import InvalidInput
from quizzer.services.media import media_names, store_media
from quizzer.services.study import study_day_for
from quizzer.srs import MAX_INTERVAL_DAYS
from quizzer.store.cards import card_ids_by_address, insert_card_states, studied_card_ids
from quizzer.store.db import transaction
from quizzer.store.models import User

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class ImportResult:
    plans: list[ImportPlan]
    warnings: list[Problem] = field(default_factory=list)
    media: int = 0  # images in the import
    progress: int = 0  # card states carried over
    progress_kept: int = 0  # cards the user had studied already: their state was kept
    dry_run: bool = False


def check_bundle(bundle: ImportBundle) -> None:
    """DeckError if two decks share an id, or a deck repeats a card id."""
    problems = []
    for deck_id, count in Counter(spec.id for spec in bundle.decks).items():
        if count > 1:
            problems.append(Problem(bundle.source, 1, 1, "id", f"deck id '{deck_id}' appears {count} times"))
    for spec in bundle.decks:
        for note_id, count in Counter(note.id for note in spec.notes).items():
            if count > 1:
                problems.append(Problem(bundle.source, 1, 1, f"{spec.id}.cards",
                                        f"duplicate card id '{note_id}' ({count} times)"))
    if problems:
        raise DeckError(problems)


@gc_paused()
def apply_bundle(bundle: ImportBundle, owner_id: int | None, *, media_root: Path, user: User | None = None,
                 with_progress: bool = False, reset_changed: bool = False,
                 dry_run: bool = False, planned: Callable[[int], None] | None = None,
                 into: str | None = None) -> ImportResult:
    """Import a bundle into ``owner_id``'s decks (None: shared), all or nothing; each deck goes
    where ``match_decks`` says (``into``: the deck the user chose).

    With ``with_progress`` the cards' carried-over states become ``user``'s, who must own
    the decks; cards the user has studied already keep their state. A dry run calls
    ``planned`` with each deck's note count once that deck is compared (for a progress bar).
    """
    bundle, targets = match_decks(bundle, owner_id, into)
    check_bundle(bundle)
    if with_progress and (user is None or owner_id != user.id):
        raise InvalidInput("progress can only be imported into your own decks (use --user)")
    progress_user = user if with_progress else None  # not None with progress: checked just above
    result = ImportResult([], list(bundle.warnings), media=len(bundle.media), dry_run=dry_run)
    if dry_run:
        for spec in bundle.decks:
            result.plans.append(plan_import(spec, owner_id))
            if planned is not None:
                planned(len(spec.notes))
        result.progress = len(bundle.progress) if with_progress else 0
    else:
        store_media(media_root, owner_id, bundle.media)
        html = HtmlCache(bundle.rendered)
        with transaction():
            result.plans = [load_deck(spec, owner_id, source_path=bundle.source, reset_changed=reset_changed,
                                      html=html, origin=targets[spec.id].origin) for spec in bundle.decks]
            if progress_user is not None:
                result.progress, result.progress_kept = _apply_progress(progress_user, bundle.progress)
    for plan in result.plans:
        plan.why = targets[plan.deck_slug].why
    return result


def _apply_progress(user: User, progress: tuple[CardProgress, ...]) -> tuple[int, int]:
    """Create the user's states for carried-over cards they have not studied here; (made, kept)."""
    slugs = {p.deck_id for p in progress}
    if not slugs:
        return 0, 0
    cards = card_ids_by_address(user.id, slugs)
    studied = studied_card_ids(user.id, {deck_id for _, deck_id in cards.values()})
    today = study_day_for(user).day
    new_rows, kept = [], 0
    for item in progress:
        card = cards.get((item.deck_id, item.note_id, item.card_key))
        if card is None:
            continue
        if card[0] in studied:
            kept += 1
            continue
        new_rows.append(_state_row(user, card, item, today))
    insert_card_states(new_rows)
    return len(new_rows), kept


def _state_row(user: User, card: tuple[int, int], item: CardProgress, today) -> dict:
    """SM-2 state for a carried-over card (the mapping is in docs/import-export.md)."""
    reviewed = item.interval > 0 and item.due is not None
    due = min(item.due, today + timedelta(days=MAX_INTERVAL_DAYS)) if reviewed else today
    return {
        "user": user.id, "card": card[0], "deck": card[1],
        "repetitions": 2 if reviewed else 0, "interval": item.interval if reviewed else 0,
        "easiness_x100": item.easiness_x100, "due": due,
        "first_review_day": due - timedelta(days=item.interval) if reviewed else None,
        # At least one review: the engine tells new cards by their review count.
        "lapses": item.lapses, "reviews": max(item.reviews, 1) if reviewed else item.reviews,
        "suspended": item.suspended,
    }


def read_paths(paths, options: ReadOptions) -> tuple[list[Path], ImportBundle | None]:
    """Split the command line into YAML files (loaded as before) and other files, read into one bundle."""
    yaml_paths, bundles, problems = [], [], []
    for path in map(Path, paths):
        if path.is_dir() or (path.suffix.lower() in YAML_SUFFIXES and options.format == "auto"):
            yaml_paths.extend(deck_files([path]))
            continue
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        try:
            bundles.append(read_file(read_path(path, options.limits), str(path), options))
        except DeckError as err:
            problems.extend(err.problems)
    if problems:
        raise DeckError(problems)
    return yaml_paths, merge(bundles, ", ".join(b.source for b in bundles)) if bundles else None


@gc_paused()
def import_paths(paths, owner_id: int | None, *, media_root: Path, options: ReadOptions = ReadOptions(),
                 user: User | None = None, with_progress: bool = False, reset_changed: bool = False,
                 dry_run: bool = False, into: str | None = None) -> ImportResult:
    """The CLI's import: YAML files and folders, archives, packages and text files, all or nothing.
    ``into`` (the deck to import into) needs one file from another program holding one deck."""
    yaml_paths, bundle = read_paths(paths, replace(options, media_names=media_names(media_root, owner_id)))
    if into is not None and (yaml_paths or bundle is None):
        raise InvalidInput("a YAML deck goes to the deck its id names: choose a target deck only for one file "
                           "in another format")
    with transaction():
        plans = load_files(yaml_paths, owner_id, dry_run=dry_run, reset_changed=reset_changed,
                           require_ids=options.require_ids) if yaml_paths else []
        if bundle is None:
            return ImportResult(plans, dry_run=dry_run)
        result = apply_bundle(bundle, owner_id, media_root=media_root, user=user, with_progress=with_progress,
                              reset_changed=reset_changed, dry_run=dry_run, into=into)
    result.plans = plans + result.plans
    return result
