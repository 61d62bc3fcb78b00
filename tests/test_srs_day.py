"""The study day: roll-over hour, DST, far-east zones, round trips, the due-date cap."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.srs import MAX_INTERVAL_DAYS, day_start, due_date, study_day


def utc(*fields):
    return datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2024, 1, 10, 2, 59, 59), date(2024, 1, 9)),  # 03:59:59 CET: still yesterday
        (utc(2024, 1, 10, 3, 0, 0), date(2024, 1, 10)),  # 04:00 CET: today starts
        (utc(2024, 1, 9, 23, 30), date(2024, 1, 9)),  # 00:30 CET on the 10th
        (utc(2024, 7, 10, 1, 59), date(2024, 7, 9)),  # 03:59 CEST
        (utc(2024, 7, 10, 2, 0), date(2024, 7, 10)),  # 04:00 CEST
    ],
)
def test_rollover_boundary_in_berlin(now, expected):
    assert study_day(now, "Europe/Berlin") == expected


def test_rollover_hour_is_a_parameter():
    now = utc(2024, 1, 10, 0, 30)  # 01:30 CET
    assert study_day(now, "Europe/Berlin", rollover_hour=0) == date(2024, 1, 10)
    assert study_day(now, "Europe/Berlin", rollover_hour=2) == date(2024, 1, 9)


def test_other_aware_offsets_are_converted():
    now = datetime(2024, 1, 10, 4, 0, tzinfo=timezone(timedelta(hours=1)))  # = 04:00 CET
    assert study_day(now, "Europe/Berlin") == date(2024, 1, 10)


@pytest.mark.parametrize(
    ("tz", "day", "start", "hours"),
    [
        # Berlin springs forward 2024-03-31 02:00 CET -> 03:00 CEST: a 23-hour study day.
        ("Europe/Berlin", date(2024, 3, 31), utc(2024, 3, 31, 2), 23),  # 04:00 CEST
        # Berlin falls back 2024-10-27 03:00 CEST -> 02:00 CET: a 25-hour study day.
        ("Europe/Berlin", date(2024, 10, 27), utc(2024, 10, 27, 3), 25),  # 04:00 CET
        # New York springs forward 2024-03-10 02:00 EST -> 03:00 EDT.
        ("America/New_York", date(2024, 3, 10), utc(2024, 3, 10, 8), 23),  # 04:00 EDT
        # New York falls back 2024-11-03 02:00 EDT -> 01:00 EST.
        ("America/New_York", date(2024, 11, 3), utc(2024, 11, 3, 9), 25),  # 04:00 EST
    ],
)
def test_dst_days_start_at_local_rollover_and_change_length(tz, day, start, hours):
    assert day_start(day, tz) == start
    previous_start = day_start(day - timedelta(days=1), tz)
    assert start - previous_start == timedelta(hours=hours)
    assert study_day(start - timedelta(microseconds=1), tz) == day - timedelta(days=1)
    assert study_day(start, tz) == day


@pytest.mark.parametrize(
    ("tz", "day", "hour", "start"),
    [
        # 02:00 does not exist: the day starts when the clocks land on 03:00.
        ("Europe/Berlin", date(2024, 3, 31), 2, utc(2024, 3, 31, 1)),  # 03:00 CEST
        ("America/New_York", date(2024, 3, 10), 2, utc(2024, 3, 10, 7)),  # 03:00 EDT
        # Lord Howe jumps half an hour, 02:00 +10:30 -> 02:30 +11, at 15:30 UTC.
        ("Australia/Lord_Howe", date(2024, 10, 6), 2, utc(2024, 10, 5, 15, 30)),
        # Samoa skipped 2011-12-30: 23:59:59 -10 on the 29th -> 00:00 +14 on the 31st.
        # 04:00 on the 30th lies inside the gap; the day starts at 10:00 UTC.
        ("Pacific/Apia", date(2011, 12, 30), 4, utc(2011, 12, 30, 10)),
        # 01:00 happens twice (EDT, then EST): the first one, 05:00 UTC.
        ("America/New_York", date(2024, 11, 3), 1, utc(2024, 11, 3, 5)),
        # 02:00 happens twice in Berlin (CEST, then CET): the first one, 00:00 UTC.
        ("Europe/Berlin", date(2024, 10, 27), 2, utc(2024, 10, 27, 0)),
    ],
)
def test_gaps_start_where_clocks_land_and_repeats_take_the_first(tz, day, hour, start):
    assert day_start(day, tz, hour) == start
    assert study_day(start, tz, hour) == day
    assert study_day(start - timedelta(seconds=1), tz, hour) == day - timedelta(days=1)


def test_clocks_falling_back_across_the_rollover_do_not_undo_the_day():
    # Goose Bay fell back at 00:01 ADT (-3) -> 23:01 AST (-4) on 2010-11-07, so with
    # roll-over at midnight the local clock showed 23:30 on the 6th after the 7th began.
    tz = "America/Goose_Bay"
    assert day_start(date(2010, 11, 7), tz, 0) == utc(2010, 11, 7, 3)  # 00:00 ADT
    assert study_day(utc(2010, 11, 7, 2, 59), tz, 0) == date(2010, 11, 6)  # 23:59 ADT
    assert study_day(utc(2010, 11, 7, 3, 30), tz, 0) == date(2010, 11, 7)  # 23:30 AST, again
    assert day_start(date(2010, 11, 8), tz, 0) == utc(2010, 11, 8, 4)  # a 25-hour day


def test_a_skipped_date_is_an_empty_study_day():
    # With roll-over at midnight, Samoa's 2011-12-30 starts and ends at 10:00 UTC.
    start = day_start(date(2011, 12, 30), "Pacific/Apia", 0)
    assert start == day_start(date(2011, 12, 31), "Pacific/Apia", 0) == utc(2011, 12, 30, 10)
    assert study_day(start - timedelta(microseconds=1), "Pacific/Apia", 0) == date(2011, 12, 29)
    assert study_day(start, "Pacific/Apia", 0) == date(2011, 12, 31)


def test_auckland_in_southern_summer_is_utc_plus_13():
    assert study_day(utc(2024, 1, 15, 14, 59), "Pacific/Auckland") == date(2024, 1, 15)  # 03:59
    assert study_day(utc(2024, 1, 15, 15, 0), "Pacific/Auckland") == date(2024, 1, 16)  # 04:00
    assert day_start(date(2024, 1, 16), "Pacific/Auckland") == utc(2024, 1, 15, 15)


def test_kiritimati_is_utc_plus_14():
    assert study_day(utc(2024, 6, 30, 13, 59), "Pacific/Kiritimati") == date(2024, 6, 30)  # 03:59
    assert study_day(utc(2024, 6, 30, 14, 0), "Pacific/Kiritimati") == date(2024, 7, 1)  # 04:00
    assert day_start(date(2024, 7, 1), "Pacific/Kiritimati") == utc(2024, 6, 30, 14)


def test_one_instant_is_different_days_in_different_zones():
    now = utc(2024, 1, 15, 14, 30)
    assert study_day(now, "Pacific/Auckland") == date(2024, 1, 15)  # 03:30 on the 16th
    assert study_day(now, "Pacific/Kiritimati") == date(2024, 1, 16)  # 04:30 on the 16th
    assert study_day(now, "Pacific/Honolulu") == date(2024, 1, 15)  # 04:30 on the 15th


def test_day_start_is_utc():
    assert day_start(date(2024, 1, 10), "Europe/Berlin").tzinfo is UTC


ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",  # until 2019 DST began at midnight
    "America/Goose_Bay",  # until 2010 DST ended at 00:01
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Tehran",
    "Africa/Casablanca",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "Pacific/Chatham",
]


@given(
    st.datetimes(datetime(2005, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
    st.integers(0, 23),
)
def test_every_instant_lies_in_its_study_day(now, tz, hour):
    day = study_day(now, tz, hour)
    assert day_start(day, tz, hour) <= now < day_start(day + timedelta(days=1), tz, hour)


@given(st.dates(date(2005, 1, 1), date(2037, 12, 31)), st.sampled_from(ZONES), st.integers(0, 23))
def test_day_start_round_trips(day, tz, hour):
    start = day_start(day, tz, hour)
    if start == day_start(day + timedelta(days=1), tz, hour):
        return  # a skipped day, see test_a_skipped_date_is_an_empty_study_day
    assert study_day(start, tz, hour) == day
    assert study_day(start - timedelta(microseconds=1), tz, hour) == day - timedelta(days=1)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        study_day(utc(2024, 1, 1), "Mars/Olympus")
    for tz in ["", "America", "../etc/passwd", None]:
        with pytest.raises(ValueError, match="unknown timezone"):
            day_start(date(2024, 1, 1), tz)
    with pytest.raises(ValueError, match="timezone-aware"):
        study_day(datetime(2024, 1, 1, 12), "Europe/Berlin")
    for hour in [-1, 24, True, 4.0]:
        with pytest.raises(ValueError, match="rollover_hour"):
            study_day(utc(2024, 1, 1), "UTC", hour)


def test_due_date_adds_the_interval():
    assert due_date(date(2024, 1, 31), 0) == date(2024, 1, 31)
    assert due_date(date(2024, 1, 31), 30) == date(2024, 3, 1)  # leap year


def test_due_date_caps_at_max_interval():
    today = date(2024, 1, 1)
    assert due_date(today, MAX_INTERVAL_DAYS) == today + timedelta(days=36_500)
    assert due_date(today, MAX_INTERVAL_DAYS + 1) == today + timedelta(days=36_500)


@pytest.mark.parametrize("interval", [10**6, 2**63, 10**100])
def test_due_date_never_overflows(interval):
    assert due_date(date(2024, 1, 1), interval) == date(2123, 12, 8)  # 2024-01-01 + 36,500 days
    assert due_date(date(9999, 12, 1), interval) == date.max


@pytest.mark.parametrize("interval", [-1, 1.5, True, "3"])
def test_due_date_rejects_bad_intervals(interval):
    with pytest.raises(ValueError, match="interval_days"):
        due_date(date(2024, 1, 1), interval)
