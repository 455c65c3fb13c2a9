"""Fixed vocabularies shared by forms, filters, seeding and matching."""

from __future__ import annotations

NICHES: dict[str, str] = {
    "beauty": "Beauty", "skincare": "Skincare", "fashion": "Fashion", "fitness": "Fitness",
    "wellness": "Wellness", "food": "Food", "cooking": "Cooking", "travel": "Travel",
    "finance": "Personal finance", "tech": "Tech", "gaming": "Gaming", "parenting": "Parenting",
    "comedy": "Comedy", "education": "Education", "pets": "Pets", "music": "Music",
    "dance": "Dance", "art": "Art & design", "diy": "DIY & crafts", "home": "Home & decor",
    "automotive": "Automotive", "sports": "Sports", "outdoors": "Outdoors", "books": "Books",
    "lifestyle": "Lifestyle", "photography": "Photography", "sustainability": "Sustainability",
    "business": "Business", "science": "Science", "film": "Film & TV",
}

PLATFORMS: dict[str, str] = {"tiktok": "TikTok", "instagram": "Instagram", "youtube": "YouTube"}

DELIVERABLE_TYPES: dict[str, str] = {
    "short_video": "Short video (15-60 s)",
    "long_video": "Video (60 s+)",
    "story": "Story",
    "post": "Photo post",
    "live": "Live stream",
    "ugc": "UGC video (no posting)",
}

USAGE_RIGHTS: dict[str, str] = {
    "organic": "Organic only",
    "paid_30": "Paid use, 30 days",
    "paid_60": "Paid use, 60 days",
    "paid_90": "Paid use, 90 days",
    "paid_365": "Paid use, 365 days",
    "perpetual": "Perpetual (paid use, no end)",
}

# Days of paid use each usage right grants, counted from the approval of the content. A right
# that is in neither table (organic) grants no paid use; a perpetual one never ends.
PAID_USAGE_DAYS: dict[str, int] = {"paid_30": 30, "paid_60": 60, "paid_90": 90, "paid_365": 365}
PERPETUAL_USAGE: frozenset[str] = frozenset({"perpetual"})

CURRENCIES: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}

COUNTRIES: dict[str, str] = {
    "US": "United States", "GB": "United Kingdom", "CA": "Canada", "AU": "Australia",
    "IE": "Ireland", "NZ": "New Zealand", "DE": "Germany", "FR": "France", "ES": "Spain",
    "IT": "Italy", "NL": "Netherlands", "BE": "Belgium", "SE": "Sweden", "NO": "Norway",
    "DK": "Denmark", "FI": "Finland", "PL": "Poland", "PT": "Portugal", "AT": "Austria",
    "CH": "Switzerland", "BR": "Brazil", "MX": "Mexico", "AR": "Argentina", "CO": "Colombia",
    "CL": "Chile", "IN": "India", "ID": "Indonesia", "PH": "Philippines", "JP": "Japan",
    "KR": "South Korea", "SG": "Singapore", "MY": "Malaysia", "TH": "Thailand",
    "VN": "Vietnam", "AE": "United Arab Emirates", "SA": "Saudi Arabia", "TR": "Turkey",
    "ZA": "South Africa", "NG": "Nigeria", "EG": "Egypt",
}

LANGUAGES: dict[str, str] = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "de": "German",
    "it": "Italian", "nl": "Dutch", "sv": "Swedish", "pl": "Polish", "tr": "Turkish",
    "ar": "Arabic", "hi": "Hindi", "id": "Indonesian", "ja": "Japanese", "ko": "Korean",
    "tl": "Tagalog", "th": "Thai", "vi": "Vietnamese",
}

AGE_BANDS: tuple[str, ...] = ("13-17", "18-24", "25-34", "35-44", "45+")

INDUSTRIES: dict[str, str] = {
    "beauty": "Beauty & cosmetics", "apparel": "Apparel & accessories",
    "food_bev": "Food & beverage", "tech": "Consumer tech", "gaming": "Games",
    "finance": "Fintech & finance", "travel": "Travel & hospitality",
    "health": "Health & fitness", "home": "Home & living", "education": "Education",
    "pets": "Pet care", "auto": "Automotive", "entertainment": "Media & entertainment",
    "retail": "Retail & e-commerce", "other": "Other",
}


def choices(vocab: dict[str, str]) -> list[tuple[str, str]]:
    return list(vocab.items())
