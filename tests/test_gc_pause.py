"""gc_paused: the collector is off inside, back as it was after, even on an error."""
from __future__ import annotations

import gc

import pytest

from quizzer.gc_pause import gc_paused


def test_the_collector_is_paused_inside_and_back_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner one must not switch it back on
            pass
        assert not gc.isenabled()
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_it_works_as_a_decorator():
    @gc_paused()
    def work():
        return gc.isenabled()
    assert work() is False and gc.isenabled()
