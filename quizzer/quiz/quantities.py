"""Numbers in typed answers: read "65,536", "327.68 KB", "~4x", "23.9%" or "70B" as a value with a
dimension, and compare two of them within a tolerance.

Units: KB/MB/GB/TB are decimal (1000^n bytes), KiB/MiB/GiB/TiB binary (1024^n), "bytes"; "%"; "x"
("×", "times", "fold") for factors; k/M/B/T (thousand ... trillion) scale plain counts ("70B" is 70
billion, "70 B" is 70 bytes). See docs/quizzes.md for the rules and examples.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_RELATIVE_TOLERANCE = 0.01  # 1%: "0.33 MB" accepts 327.68 KB (0.7% off), not 0.32 MB
MAX_EXTRA_WORDS = 3  # "65536 parameters", "about 0.33 MB per token": still a number answer

# unit -> (dimension, factor to the dimension's base)
_UNITS: dict[str, tuple[str, float]] = {
    **{name: ("bytes", 1000.0 ** power) for power, name in enumerate(("bytes", "kb", "mb", "gb", "tb"))},
    **{name: ("bytes", 1024.0 ** power) for power, name in enumerate(("", "kib", "mib", "gib", "tib")) if name},
    "byte": ("bytes", 1.0), "%": ("percent", 1.0), "percent": ("percent", 1.0),
    "x": ("factor", 1.0), "×": ("factor", 1.0), "times": ("factor", 1.0), "fold": ("factor", 1.0),
    "k": ("count", 1e3), "thousand": ("count", 1e3), "m": ("count", 1e6), "million": ("count", 1e6),
    "bn": ("count", 1e9), "billion": ("count", 1e9), "t": ("count", 1e12), "trillion": ("count", 1e12),
}
_UNIT_NAMES = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
# Linear on any text: a number needs a digit (an empty match would be tried at every position of a
# long run of blanks), and blanks are taken possessively (a unit never starts with one).
_NUMBER = r"[-+]?(?:(?:\d{1,3}(?:,\d{3})++|\d++)(?:\.\d++)?|\.\d++)"
_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<number>{_NUMBER})(?:\s*+(?:\^|\*\*)\s*+(?P<power>\d{{1,3}}))?(?P<e>e[-+]?\d++)?"
    rf"(?:(?P<space>\s*+)-?(?P<unit>{_UNIT_NAMES}|b)(?![a-z0-9]))?")
# Words around a number that say nothing about its value ("about 4x", "~0.33 MB").
_FILLER = {"about", "roughly", "approximately", "approx", "around", "circa", "ca", "nearly", "almost",
           "some", "~", "≈", "of", "per", "the", "a", "an", "is", "it", "its"}
_WORD = re.compile(r"[^\W_]+|[~≈]")


@dataclass(frozen=True)
class Quantity:
    """A number as written: its value in the dimension's base unit (bytes, 1, %, x)."""

    value: float
    dimension: str  # "count", "bytes", "percent" or "factor"
    factor: float  # the written unit's size, e.g. 1e6 for MB: a bare typed number is read in it
    exact: bool  # a whole count written out ("65,536"): right only when equal
    bare: bool  # no unit or scale written


@dataclass(frozen=True)
class Tolerance:
    """How far a typed number may be from the expected one: a share of it, or an amount in its unit."""

    amount: float
    relative: bool


def parse_tolerance(text: str) -> Tolerance:
    """"2%" (relative) or "0.5" (in the expected answer's unit). Raises ValueError naming the rule."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", str(text))
    if not match:
        raise ValueError(f"tolerance {text!r} is not valid: write a percentage such as '2%' or an amount "
                         "in the answer's unit such as '0.5'")
    amount = float(match.group(1))
    return Tolerance(amount / 100, True) if match.group(2) else Tolerance(amount, False)


def _quantity(match: re.Match[str]) -> Quantity | None:
    number = match.group("number")
    if not any(ch.isdigit() for ch in number):
        return None
    value = float(number.replace(",", ""))
    if match.group("power"):
        value **= int(match.group("power"))
    if match.group("e"):
        value *= 10.0 ** int(match.group("e")[1:])
    unit = match.group("unit")
    if unit == "b":  # "70B" is 70 billion (parameters, tokens); "70 B" is 70 bytes
        unit = "bytes" if match.group("space") else "bn"
    dimension, factor = _UNITS.get(unit or "", ("count", 1.0))
    exact = unit is None and "." not in number and not match.group("e")
    return Quantity(value * factor, dimension, factor, exact, unit is None)


def leading_quantity(text: str) -> Quantity | None:
    """The quantity an answer starts with, after words such as "about" or "~" ("About 0.33 MB (...)"
    gives 0.33 MB); None when it starts with anything else."""
    lowered = (text or "").casefold().strip()
    while True:
        word = _WORD.match(lowered)
        if not word or word.group() not in _FILLER:
            break
        lowered = lowered[word.end():].lstrip(" :,.")
    match = _QUANTITY.match(lowered)
    return _quantity(match) if match else None


def number_answer(text: str) -> Quantity | None:
    """The one quantity of a typed answer that is a number and at most MAX_EXTRA_WORDS other words
    ("65536 parameters", "roughly 4x"); None for anything else."""
    lowered = (text or "").casefold()
    found = [m for m in _QUANTITY.finditer(lowered) if any(ch.isdigit() for ch in m.group("number"))]
    if len(found) != 1:
        return None
    rest = lowered[:found[0].start()] + " " + lowered[found[0].end():]
    if len([w for w in _WORD.findall(rest) if w not in _FILLER]) > MAX_EXTRA_WORDS:
        return None
    return _quantity(found[0])


def same_quantity(typed: Quantity, expected: Quantity, tolerance: Tolerance | None = None) -> bool:
    """Whether ``typed`` is ``expected`` within the tolerance: the card's, else none for an exact count
    and DEFAULT_RELATIVE_TOLERANCE for anything else. A bare typed number is read in the expected
    unit ("0.33" for "0.33 MB") or in its dimension's base ("327680" bytes); otherwise the dimensions
    must agree ("32.768 KB" is not a count)."""
    if typed.bare:
        readings = (typed.value * expected.factor, typed.value)
        return any(_within(value, expected, tolerance) for value in readings)
    return typed.dimension == expected.dimension and _within(typed.value, expected, tolerance)


def _within(value: float, expected: Quantity, tolerance: Tolerance | None) -> bool:
    if tolerance is None:
        tolerance = Tolerance(0.0 if expected.exact else DEFAULT_RELATIVE_TOLERANCE, True)
    allowed = tolerance.amount * (abs(expected.value) if tolerance.relative else expected.factor)
    return abs(value - expected.value) <= allowed + 1e-14 * max(abs(expected.value), 1.0)  # float rounding only
