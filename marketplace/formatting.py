"""Plain formatting of numbers for people: used by services and by templates alike."""

from __future__ import annotations


def compact_number(n: int | None) -> str:
    """12_300 -> '12.3K', 1_250_000 -> '1.3M'."""
    if n is None:
        return "—"
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(n) >= size:
            value = n / size
            return f"{value:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)
