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
from marketplace.models.matching import (
    HiddenCreator,
    IndexChange,
    MatcherVersion,
    MatchEvent,
    MatchEventKind,
)
from marketplace.models.user import Role, User

__all__ = [
    "AudienceCountry", "BrandProfile", "Campaign", "CampaignCountry", "CampaignDeliverable",
    "CampaignNiche", "CampaignPlatform", "CampaignStatus", "CreatorNiche", "CreatorProfile",
    "HiddenCreator", "IndexChange", "MatcherVersion", "MatchEvent", "MatchEventKind",
    "Package", "PlatformAccount", "Role", "SamplePost", "User",
]
# Later areas append their imports below (one line each).

from marketplace.models.application import Application, ApplicationStatus, DeclineReason  # noqa: E402,F401,I001
from marketplace.models.offer import OfferThread, OfferVersion, Side, ThreadStatus  # noqa: E402,F401,I001
from marketplace.models.deal import Deal, DealEvent, DealState, Dispute, Submission  # noqa: E402,F401,I001
from marketplace.models.payment import LedgerEntry, LedgerKind, Payment, PaymentStatus, PayoutAccount, StripeCustomer, StripeEvent, Transfer  # noqa: E402,F401,I001,E501
from marketplace.models.message import Conversation, ConversationMember, Message, MessageKind  # noqa: E402,F401,I001
from marketplace.models.notification import Notification, NotificationPreference  # noqa: E402,F401,I001
from marketplace.models.review import Review, ReviewSide  # noqa: E402,F401,I001
from marketplace.models.reminder import DealReminder  # noqa: E402,F401,I001
from marketplace.models.invoice import Invoice, InvoiceCounter  # noqa: E402,F401,I001
from marketplace.models.job import FailedJob, JobLease  # noqa: E402,F401,I001
from marketplace.models.deliverable import DealDeliverable, MetricSnapshot, SnapshotSource, VerifiedVia  # noqa: E402,F401,I001,E501
from marketplace.models.social import SocialAccount  # noqa: E402,F401,I001
from marketplace.models.usage_code import USAGE_CODE_KINDS, UsageCode  # noqa: E402,F401,I001
from marketplace.models.bonus import Bonus, BonusStatus  # noqa: E402,F401,I001
from marketplace.models import search  # noqa: E402,F401,I001
from marketplace.models.report_share import ReportShare  # noqa: E402,F401,I001
from marketplace.models.document import DocumentKind, DocumentStatus, GeneratedDocument  # noqa: E402,F401,I001
