"""Pause Python's cyclic garbage collector around bulk work.

A large import allocates hundreds of thousands of objects (notes, rows, strings in tuples) that
all stay alive until it ends, so the collections their allocation triggers scan them again and
again and free nothing (about a tenth of a 10,000-note import; bench/import_bench.py). Reference
counting still frees everything as usual; the collector runs again as soon as the work ends.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Usable as ``with gc_paused():`` or as a decorator. Nested or concurrent uses are safe:
    each re-enables the collector only if it was enabled when it began."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
