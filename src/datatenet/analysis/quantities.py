"""Quantities an answer states with a unit ("7 days", "30 天", "$15", "2 GB"), for telling two
answers to one question apart when they give the same measure different values ("Deleted notes
stay in the Trash for 7 days" against "… for 30 days. 1. Open the Trash …").

Only units of measure count (time, data size, money, percentages, distance, weight,
temperature): "3 steps" or "1. Open" is structure, not a commitment. A range ("9-12 minutes",
"2 to 3 days") agrees with any value inside it, and a unit stated more than `MAX_VALUES` times
is a worked computation rather than one commitment: it decides nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_VALUES = 2  # a unit stated more often than this decides nothing

_UNITS = {
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours",
    "day": "days", "days": "days", "business days": "days", "working days": "days",
    "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
    "year": "years", "years": "years",
    "kb": "KB", "mb": "MB", "gb": "GB", "tb": "TB",
    "%": "%", "percent": "%", "per cent": "%",
    "dollar": "$", "dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€",
    "km": "km", "kilometers": "km", "kilometres": "km", "mile": "miles", "miles": "miles",
    "kg": "kg", "kilograms": "kg", "pound": "lb", "pounds": "lb", "lb": "lb", "lbs": "lb",
    "°c": "°C", "°f": "°F", "degrees": "degrees",
    "秒": "seconds", "秒钟": "seconds", "分钟": "minutes", "小时": "hours", "天": "days",
    "周": "weeks", "个月": "months", "年": "years", "元": "元", "块": "元",
}  # fmt: skip
_NUMBER = r"\d+(?:[.,]\d+)*"
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_TO = r"\s*(?:-|–|~|to|or|至|到)\s*"
RANGE = re.compile(rf"{_NUMBER}{_TO}{_NUMBER}", re.I)
_UNIT_RANGE = re.compile(
    rf"(?<![0-9A-Za-z.,])({_NUMBER}){_TO}({_NUMBER})\s*({_UNIT})(?![a-z])", re.I
)
_AFTER = re.compile(rf"(?<![0-9A-Za-z.,])({_NUMBER})\s*({_UNIT})(?![a-z])", re.I)
_BEFORE = re.compile(rf"([$€¥￥])\s*({_NUMBER})(?![\d])")
_SYMBOLS = {"$": "$", "€": "€", "¥": "元", "￥": "元"}


@dataclass(frozen=True)
class Stated:
    """What an answer states of one unit: single values and ranges."""

    values: frozenset[float]
    ranges: tuple[tuple[float, float], ...]

    def meets(self, other: Stated) -> bool:
        """A value or range in common: the two may say the same thing."""
        if self.values & other.values:
            return True
        spans = [*self.ranges, *((v, v) for v in self.values)]
        others = [*other.ranges, *((v, v) for v in other.values)]
        return any(
            low <= o_high and o_low <= high for low, high in spans for o_low, o_high in others
        )


def quantities(text: str) -> dict[str, Stated]:
    """What the text states per unit: {"days": Stated({7.0}, ())}."""
    text = unicodedata.normalize("NFKC", text)
    ranges: dict[str, list[tuple[float, float]]] = {}
    for low, high, unit in _UNIT_RANGE.findall(text):
        pair = sorted((_value(low), _value(high)))
        ranges.setdefault(_UNITS[unit.casefold()], []).append((pair[0], pair[1]))
    values: dict[str, set[float]] = {}
    for number, unit in _AFTER.findall(RANGE.sub(" ", text)):
        values.setdefault(_UNITS[unit.casefold()], set()).add(_value(number))
    for symbol, number in _BEFORE.findall(text):
        values.setdefault(_SYMBOLS[symbol], set()).add(_value(number))
    return {
        unit: Stated(frozenset(values.get(unit, ())), tuple(ranges.get(unit, ())))
        for unit in values.keys() | ranges.keys()
    }


def compare_quantities(first: str, second: str) -> tuple[bool, str] | None:
    """Over the units both answers state: (False, "7 days vs 30 days") when one is stated with
    no value or range in common (each with at most `MAX_VALUES` values); (True, "10 minutes
    agrees with 9–12 minutes") when every shared unit meets; None when they share no unit."""
    one, two = quantities(first), quantities(second)
    shared = sorted(one.keys() & two.keys())
    if not shared:
        return None
    for unit in shared:
        left, right = one[unit], two[unit]
        if len(left.values) > MAX_VALUES or len(right.values) > MAX_VALUES:
            return None  # a worked computation: no single commitment
        if not left.meets(right):
            return False, f"{_shown(left, unit)} vs {_shown(right, unit)}"
    unit = shared[0]
    return True, f"{_shown(one[unit], unit)} agrees with {_shown(two[unit], unit)}"


def _value(number: str) -> float:
    return float(number.replace(",", ""))


def _shown(stated: Stated, unit: str) -> str:
    parts = [f"{v:g}" for v in sorted(stated.values)]
    parts += [f"{low:g}–{high:g}" for low, high in stated.ranges]
    numbers = "/".join(parts)
    return f"{unit}{numbers}" if unit in ("$", "€") else f"{numbers} {unit}"
