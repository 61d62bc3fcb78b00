"""The benchmarks in bench/ still import: a rename in the app must not leave them broken until the
next time someone runs them (their figures are in docs/performance.md, not asserted here)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_a_benchmark_imports_without_running(script: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)  # each script runs its benchmark only under __main__
    finally:
        del sys.modules[spec.name]
    assert callable(getattr(module, "main", None)), f"{script.name}: no main()"
