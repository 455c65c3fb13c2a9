"""Duet matching: creator <-> campaign recommendations without any web/ORM dependency.

    from matching import Creator, Campaign, Outcome, Match, Matcher
    m = Matcher().fit(creators, campaigns, outcomes)
    m.rank_creators(campaign, k=10)
"""

from .matcher import Matcher
from .persist import IncompatibleModelError
from .types import Campaign, Creator, Match, Outcome

__all__ = ["Campaign", "Creator", "IncompatibleModelError", "Match", "Matcher", "Outcome"]
