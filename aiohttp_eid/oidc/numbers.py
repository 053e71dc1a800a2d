"""Numbers read from providers' JSON, which may be anything: strings, booleans, 5,000 digits, 10^400."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_number"]

#: larger than any time or lifetime a provider can mean (year 33658 in Unix seconds)
_LIMIT = 1e12


def finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a JSON number of sane size; None otherwise (never raises)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        # an int of 5,000 digits overflows float(); compare as ints first
        return float(value) if -_LIMIT <= value <= _LIMIT else None
    return value if math.isfinite(value) and abs(value) <= _LIMIT else None
