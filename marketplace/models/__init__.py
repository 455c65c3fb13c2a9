"""All models, imported here so Alembic and the app see every table."""

from marketplace.models.brand import BrandProfile
from marketplace.models.campaign import (
    Campaign,
    CampaignCountry,
    CampaignDeliverable,
    CampaignNiche,
    CampaignPlatform,
    CampaignStatus,
)
from marketplace.models.creator import (
    AudienceCountry,
    CreatorNiche,
    CreatorProfile,
    Package,
    PlatformAccount,
    SamplePost,
)
from marketplace.models.matching import MatchEvent, MatchEventKind
from marketplace.models.user import Role, User

__all__ = [
    "AudienceCountry", "BrandProfile", "Campaign", "CampaignCountry", "CampaignDeliverable",
    "CampaignNiche", "CampaignPlatform", "CampaignStatus", "CreatorNiche", "CreatorProfile",
    "MatchEvent", "MatchEventKind", "Package", "PlatformAccount", "Role", "SamplePost", "User",
]
# Later areas append their imports below (one line each).

