"""Working days and deadline arithmetic on China time (docs/DOMAIN.md section 3.6).

Legal periods are counted in local (UTC+8) calendar dates: a period in days, months or working
days starts the day after the starting event and ends at 24:00 of its last day. Hours are
exact. The holiday table (with 调休 make-up workdays) comes in as data, never as constants.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, model_validator

CHINA_TZ = timezone(timedelta(hours=8), "CST")


class DeadlineUnit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class HolidayYear(BaseModel):
    """One year's State Council notice: days off and weekend days declared working days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    notice: str
    certainty: str
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _dates_in_year(self) -> HolidayYear:
        # A typo putting a date into the wrong year would silently shift deadlines.
        for d in (*self.holidays, *self.workdays):
            if d.year != self.year:
                raise ValueError(f"{d.isoformat()} listed under year {self.year}")
        overlap = set(self.holidays) & set(self.workdays)
        if overlap:
            raise ValueError(f"dates both holiday and workday: {sorted(overlap)}")
        for d in self.workdays:
            if d.weekday() < 5:
                raise ValueError(f"make-up workday {d.isoformat()} is not a weekend day")
        return self


class WorkingCalendar(BaseModel):
    """Monday–Friday minus holidays plus make-up workdays, for the years the notices cover."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone_offset_hours: int = 8
    years: tuple[HolidayYear, ...] = Field(default=())
    # Derived values, built once: deadlines and local dates are computed for every matter on
    # every change. cached_property, not PrivateAttr: a private attribute is read through
    # pydantic's __getattr__, which showed in the fold's profile (a dict lookup here).

    @cached_property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(d for y in self.years for d in y.holidays)

    @cached_property
    def workday_dates(self) -> frozenset[date]:
        """Make-up working days (weekend days worked in exchange for a holiday)."""
        return frozenset(d for y in self.years for d in y.workdays)

    @model_validator(mode="after")
    def _unique_years(self) -> WorkingCalendar:
        seen = [y.year for y in self.years]
        if len(seen) != len(set(seen)):
            raise ValueError("a year is listed twice in the holiday calendar")
        return self

    @cached_property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.timezone_offset_hours))

    def _sets(self) -> tuple[frozenset[date], frozenset[date]]:
        return self.holiday_dates, self.workday_dates

    def covers(self, day: date) -> bool:
        """Whether the holiday notices cover this date (outside: plain Monday–Friday)."""
        return any(y.year == day.year for y in self.years)

    def is_working_day(self, day: date) -> bool:
        holidays, workdays = self._sets()
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """24:00 of ``day`` in local time (= 00:00 of the next day)."""
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.tz)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
        holidays, workdays = self._sets()
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if day in workdays or (day not in holidays and day.weekday() < 5):
                remaining -= 1
        return day

    def next_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end <= start."""
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n))
        )


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's last day (1-31 + 1 month = 2-28/29)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_deadline(
    start: datetime,
    amount: int,
    unit: DeadlineUnit | str,
    calendar: WorkingCalendar,
    *,
    roll_forward: bool = False,
) -> datetime:
    """When a period of ``amount`` ``unit`` starting at ``start`` runs out.

    hours: exact. days / months: 24:00 local on the last day (start day excluded; a month period
    ends on the same day-of-month, clamped). working_days: 24:00 on the ``amount``-th working
    day after the start day. ``roll_forward`` moves a days/months end falling on a rest day to
    the next working day.
    """
    if start.tzinfo is None:
        raise ValueError("deadline start must carry a UTC offset")
    if amount < 0:
        raise ValueError("deadline amount must not be negative")
    unit = DeadlineUnit(unit)
    if unit is DeadlineUnit.HOURS:
        return (start + timedelta(hours=amount)).astimezone(calendar.tz)
    day = calendar.local_date(start)
    if unit is DeadlineUnit.WORKING_DAYS:
        return calendar.end_of_day(calendar.add_working_days(day, amount))
    last = day + timedelta(days=amount) if unit is DeadlineUnit.DAYS else add_months(day, amount)
    if roll_forward:
        last = calendar.next_working_day_on_or_after(last)
    return calendar.end_of_day(last)


def plain_calendar(years: Iterable[HolidayYear] = ()) -> WorkingCalendar:
    """A calendar from explicit years (tests, or Monday–Friday only when empty)."""
    return WorkingCalendar(years=tuple(years))
