"""Money is integer minor units plus a currency code; these helpers convert at the edges.

`parse_money` is THE parser for every amount a person types (campaign budgets, package
prices, offers, counter-offers, proposed prices, dispute splits, search filters): it refuses
anything that is not a plain, sane amount, so nothing downstream ever sees an exponent, NaN,
infinity, a third decimal or a number too large for an integer column."""

from __future__ import annotations

import re
from decimal import Decimal

from marketplace.taxonomy import CURRENCIES

# 10,000,000.00: far above any deal, far below every integer column's limit. Callers pass a
# tighter `max_cents` where their rule is stricter (prices and budgets stop at 1,000,000.00).
MAX_CENTS = 1_000_000_000
MAX_INPUT_LENGTH = 32

# Digits are ASCII on purpose (`\d` would accept other scripts' digits); thousands are
# separated by commas in groups of three, or not at all; at most two decimals.
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
_DECIMALS = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?\.[0-9]{3,}")
_SYMBOL = re.compile("(?:" + "|".join(re.escape(s) for s in sorted(
    set(CURRENCIES.values()), key=len, reverse=True)) + r")\s*")

FORMAT_MESSAGE = "Enter an amount such as 250 or 250.00."


class MoneyError(ValueError):
    """Not a sane amount; `message` says what to type instead (safe to show)."""

    def __init__(self, message: str = FORMAT_MESSAGE):
        super().__init__(message)
        self.message = message


def parse_money(amount: str | int | Decimal | None, *, max_cents: int = MAX_CENTS) -> int:
    """Cents from a major-unit amount a person typed ("1,250.50", "$250", "0.99").

    Refuses (MoneyError) blanks, signs, exponents ("1e308"), NaN/infinity, more than two
    decimals, other scripts' digits, absurd lengths and anything above `max_cents`."""
    if amount is None or isinstance(amount, bool | float):
        # floats are binary approximations: an amount must arrive as text or an exact number
        raise MoneyError()
    text = str(amount).strip()
    if len(text) > MAX_INPUT_LENGTH:
        raise MoneyError()
    symbol = _SYMBOL.match(text)
    if symbol:
        text = text[symbol.end():]
    if text.startswith("-"):
        raise MoneyError("Enter an amount above zero.")
    if _DECIMALS.fullmatch(text):
        raise MoneyError("Use at most two decimals, such as 250.99.")
    if not _AMOUNT.fullmatch(text):
        raise MoneyError()
    whole, _, fraction = text.replace(",", "").partition(".")
    cents = int(whole or "0") * 100 + int((fraction + "00")[:2])
    if cents > max_cents:
        raise MoneyError(f"That amount is too high: enter at most {max_cents // 100:,}.")
    return cents


def to_cents(amount: str | int | Decimal) -> int:
    """The historical name of `parse_money` (same rules, same limits)."""
    return parse_money(amount)


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


def major_units(cents: int) -> str:
    """'1250.50': cents as a plain decimal string (CSV files, form pre-fills), never a float."""
    sign = "-" if cents < 0 else ""
    major, minor = divmod(abs(cents), 100)
    return f"{sign}{major}.{minor:02d}"
