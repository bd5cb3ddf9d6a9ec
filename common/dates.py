"""Calendar arithmetic the cooperation's rules are written in (months, not days)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, kept within the target month.

    31.08. + 6 months is 28.02. (or 29.02.): a conference "due six months after" the
    last one is due at the end of February, never in March.
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))
