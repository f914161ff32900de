"""Working days with 调休 and deadline arithmetic (hub.domain.calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from hub.domain.calendar import (
    CHINA_TZ,
    DeadlineUnit,
    HolidayYear,
    WorkingCalendar,
    add_deadline,
    add_months,
)
from hub.rulebook import load_rulebook

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_rulebook().calendar


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2024-02-04", True),  # Sunday make-up workday before Spring Festival 2024
        ("2024-02-12", False),  # Spring Festival Monday
        ("2025-01-26", True),  # Sunday make-up workday
        ("2025-01-28", False),  # 除夕 2025 (a holiday since the 2025 rules)
        ("2025-05-02", False),
        ("2025-09-28", True),  # Sunday make-up before National Day 2025
        ("2025-10-08", False),  # eighth day of the 2025 National Day break
        ("2025-10-11", True),  # Saturday make-up workday
        ("2026-01-04", True),
        ("2026-02-14", True),
        ("2026-02-23", False),
        ("2026-10-10", True),
        ("2025-07-05", False),  # ordinary Saturday
        ("2025-07-07", True),  # ordinary Monday
    ],
)
def test_is_working_day_follows_state_council_notices(cal: WorkingCalendar, day: str, working: bool) -> None:
    """Holidays are off, 调休 weekend days are on, other days follow Monday–Friday."""
    assert cal.is_working_day(date.fromisoformat(day)) is working


def test_working_days_skip_spring_festival_and_count_makeup_saturday(cal: WorkingCalendar) -> None:
    """3 working days from Mon 2025-01-27 skip 01-28..02-04 and end on Fri 02-07."""
    assert cal.add_working_days(date(2025, 1, 27), 3) == date(2025, 2, 7)
    assert cal.add_working_days(date(2025, 1, 27), 4) == date(2025, 2, 8)  # Saturday workday


def test_working_days_count_sunday_makeup_before_national_day(cal: WorkingCalendar) -> None:
    """From Fri 2025-09-26, Sun 09-28 is the first working day and Tue 09-30 the third."""
    assert cal.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert cal.add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert cal.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)


def test_working_day_deadline_ends_at_midnight_china_time(cal: WorkingCalendar) -> None:
    """A working-day period ends at 24:00 local of its last working day."""
    due = add_deadline(cst("2025-09-26T15:00:00"), 3, DeadlineUnit.WORKING_DAYS, cal)
    assert due == cst("2025-10-01T00:00:00")


def test_start_is_read_in_china_time(cal: WorkingCalendar) -> None:
    """A UTC timestamp late on Friday is already Saturday in China: counting starts from Saturday."""
    start = datetime(2025, 7, 4, 17, 0, tzinfo=UTC)  # Sat 2025-07-05 01:00 CST
    due = add_deadline(start, 1, DeadlineUnit.WORKING_DAYS, cal)
    assert due == cst("2025-07-08T00:00:00")  # Monday 07-07 is the first working day


def test_hours_are_exact(cal: WorkingCalendar) -> None:
    """Hour periods are exact durations regardless of weekends and holidays."""
    start = cst("2025-09-30T17:30:00")
    assert add_deadline(start, 72, "hours", cal) == start + timedelta(hours=72)


def test_days_exclude_the_start_day(cal: WorkingCalendar) -> None:
    """3 days from 2025-03-03 10:00 end at 24:00 on 03-06."""
    assert add_deadline(cst("2025-03-03T10:00:00"), 3, "days", cal) == cst("2025-03-07T00:00:00")


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 3, 31), 2, date(2025, 5, 31)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # clamped to month end
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # leap year
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, end: date) -> None:
    """A month period ends on the same day of month, or the month's last day when shorter."""
    assert add_months(start, months) == end


def test_roll_forward_moves_rest_day_end_to_next_working_day(cal: WorkingCalendar) -> None:
    """With roll_forward a period ending on National Day ends on the next working day instead."""
    start = cst("2025-09-01T10:00:00")
    plain = add_deadline(start, 1, "months", cal)
    rolled = add_deadline(start, 1, "months", cal, roll_forward=True)
    assert plain == cst("2025-10-02T00:00:00")
    assert rolled == cst("2025-10-10T00:00:00")


def test_naive_start_is_rejected(cal: WorkingCalendar) -> None:
    """A deadline from a timestamp without offset has no defined instant."""
    with pytest.raises(ValueError, match="UTC offset"):
        add_deadline(datetime(2025, 1, 1), 1, "days", cal)


def test_outside_covered_years_falls_back_to_monday_to_friday(cal: WorkingCalendar) -> None:
    """Years without a notice count Monday–Friday and say they are not covered."""
    assert not cal.covers(date(2030, 1, 1))
    assert cal.is_working_day(date(2030, 1, 1))  # a Tuesday, unknown holiday
    assert not cal.is_working_day(date(2030, 1, 5))


def test_holiday_year_rejects_dates_of_another_year() -> None:
    """A date filed under the wrong year fails validation instead of shifting deadlines."""
    with pytest.raises(ValidationError, match="listed under year"):
        HolidayYear(year=2025, notice="x", certainty="K", holidays=(date(2024, 10, 1),))


def test_holiday_year_rejects_weekday_makeup() -> None:
    """A make-up workday must be a weekend day."""
    with pytest.raises(ValidationError, match="not a weekend"):
        HolidayYear(year=2025, notice="x", certainty="K", workdays=(date(2025, 10, 9),))


def test_working_days_between_counts_exclusive_start(cal: WorkingCalendar) -> None:
    """Working days in (start, end] across the 2026 Spring Festival break."""
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 02-14 and 02-24
