"""Who a deal_event is about: the signal's sender may be an Application, an OfferThread or a
Deal, so read the parties by duck typing instead of depending on one class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marketplace.models import BrandProfile, Campaign, CreatorProfile


@dataclass(frozen=True)
class Parties:
    brand: BrandProfile | None
    creator: CreatorProfile | None
    campaign: Campaign | None
    deal_id: int | None

    @property
    def complete(self) -> bool:
        return self.brand is not None and self.creator is not None


def _deal_of(sender: Any) -> Any:
    if type(sender).__name__ == "Deal":
        return sender
    return getattr(sender, "deal", None)


def parties_of(sender: Any) -> Parties:
    """Brand, creator, campaign and deal id of a deal_event sender (None where unknown)."""
    campaign = getattr(sender, "campaign", None)
    brand = getattr(sender, "brand", None) or getattr(campaign, "brand", None)
    creator = getattr(sender, "creator", None)
    deal = _deal_of(sender)
    deal_id = getattr(deal, "id", None) if deal is not None else getattr(sender, "deal_id", None)
    return Parties(brand, creator, campaign, deal_id)
