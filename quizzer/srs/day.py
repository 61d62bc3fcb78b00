"""The study day: a user's local date that rolls over at a set hour, not at midnight.

A review at 01:30 belongs to the evening before it. All times are aware; UTC is
what gets stored, the zone name (IANA, e.g. "Europe/Berlin") turns it local.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from quizzer.srs.limits import MAX_INTERVAL_DAYS

# Files in the tz database that name no place: the machine's own zone, a placeholder, a rule file.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def user_timezones() -> tuple[str, ...]:
    """The zone names a user may choose, sorted: the tz database's, less those that name no place."""
    return tuple(sorted(available_timezones() - _NOT_PLACES))


def study_day(now: datetime, tz: str, rollover_hour: int = 4) -> date:
    """The study day that the aware instant ``now`` falls in, for a user in ``tz``.

    Before ``rollover_hour`` local time it is still the previous day. Raises
    ValueError for a naive ``now``, an unknown zone or an hour outside 0..23.
    """
    zone = _zone(tz)
    _check_hour(rollover_hour)
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=1) if local.hour < rollover_hour else local.date()
    # Clocks falling back across the roll-over (Goose Bay: 00:01 -> 23:01) show it
    # twice; the day began at the first, so the clocks going back must not undo it.
    next_day = day + timedelta(days=1)
    return next_day if day_start(next_day, tz, rollover_hour) <= now else day


def local_clock(utc: datetime, tz: str) -> datetime:
    """A stored naive UTC timestamp as the wall-clock time in ``tz`` (aware). Raises ValueError for
    an unknown zone."""
    return utc.replace(tzinfo=UTC).astimezone(_zone(tz))


def day_start(day: date, tz: str, rollover_hour: int = 4) -> datetime:
    """The aware UTC instant at which study day ``day`` starts in ``tz``.

    That is ``rollover_hour``:00 local time; if the clocks skip that time (DST
    gap) the day starts when they land, if they pass it twice, the first time.
    Raises ValueError for an unknown zone or an hour outside 0..23.
    """
    zone = _zone(tz)
    _check_hour(rollover_hour)
    wall = datetime.combine(day, time(rollover_hour), tzinfo=zone)  # fold=0: first of two
    start = wall.astimezone(UTC)
    if start.astimezone(zone) != wall:  # same tzinfo: compares wall clocks, so a gap
        return _end_of_gap(wall)
    return start


def due_date(today: date, interval_days: int) -> date:
    """``today`` plus the interval, capped at MAX_INTERVAL_DAYS and at date.max.

    Literal SM-2 intervals grow without bound; this never raises OverflowError.
    Raises ValueError for an interval that is not an int >= 0.
    """
    if not _is_int(interval_days) or interval_days < 0:
        raise ValueError(f"interval_days must be an int >= 0, got {interval_days!r}")
    days_left = (date.max - today).days
    return today + timedelta(days=min(interval_days, MAX_INTERVAL_DAYS, days_left))


def _zone(tz: str) -> ZoneInfo:
    if not isinstance(tz, str):
        raise ValueError(f"unknown timezone {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. "America" is a folder
        raise ValueError(f"unknown timezone {tz!r}") from None


def _check_hour(rollover_hour: int) -> None:
    if not _is_int(rollover_hour) or not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be an int from 0 to 23, got {rollover_hour!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _end_of_gap(wall: datetime) -> datetime:
    """The instant the clocks jump over the non-existent local time ``wall``.

    Read with the offset after the jump (fold=1) ``wall`` is an instant before
    it, with the offset before the jump (fold=0) one after it; bisect on whole
    seconds (zone transitions fall on whole seconds).
    """
    zone = wall.tzinfo
    before = int(wall.replace(fold=1).timestamp())
    after = int(wall.replace(fold=0).timestamp())
    offset_after = datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)
