"""Template filters for figures: a share as a percentage, an interval as a range."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.8123 → "81%"; no value → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def percent_precise(value: float | None) -> str:
    """0.075 → "7.5%" (small error rates need the decimal); no value → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def interval(figures: dict[str, Any] | None) -> str:
    """A Wilson interval as "49–94%"."""
    if not figures:
        return "—"
    return f"{figures['low'] * 100:.0f}–{figures['high'] * 100:.0f}%"


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template (venue type names by slug)."""
    return mapping.get(key, key)


@register.filter
def points(value: float | None) -> str:
    """A difference of two shares in percentage points, signed: 0.3012 → "+30", -0.05 → "−5"; none → "—"."""
    if value is None or value == "":
        return "—"
    rounded = round(float(value) * 100)
    if rounded == 0:
        return "0"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"
