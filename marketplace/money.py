"""Money is integer minor units plus a currency code; these helpers convert at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marketplace.taxonomy import CURRENCIES


def to_cents(amount: str | int | float | Decimal) -> int:
    """Parse a user-entered major-unit amount ("1,250.50") into cents; ValueError if not money."""
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError("Enter an amount such as 250 or 250.00") from exc
    if not value.is_finite():
        raise ValueError("Enter an amount such as 250 or 250.00")
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_money(cents: int | None, currency: str = "USD", *, whole: bool = False) -> str:
    """'$1,250.00' (or '$1,250' with whole=True when there are no cents)."""
    if cents is None:
        return "—"
    symbol = CURRENCIES.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    major, minor = divmod(abs(cents), 100)
    if whole and minor == 0:
        return f"{sign}{symbol}{major:,}"
    return f"{sign}{symbol}{major:,}.{minor:02d}"
