"""Public holidays the warehouse does not ship on (fixed-date and Easter-based, 2024-2027)."""

from datetime import date

_FIXED = [(1, 1), (5, 1), (10, 3), (12, 25), (12, 26)]
_EASTER_BASED = {
    2024: [date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 9), date(2024, 5, 20)],
    2025: [date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9)],
    2026: [date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)],
    2027: [date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17)],
}

HOLIDAYS = frozenset(
    [date(year, month, day) for year in _EASTER_BASED for (month, day) in _FIXED]
    + [d for days in _EASTER_BASED.values() for d in days]
)
