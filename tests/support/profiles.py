"""Builders shared by the profile and upload tests: in-memory images and form payloads."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt: str = "PNG", size=(800, 600), mode: str = "RGB", exif: bool = False) -> bytes:
    """A real image made with Pillow; `exif=True` embeds camera metadata (JPEG/WebP)."""
    image = Image.new(mode, size, (200, 80, 120) if mode == "RGB" else 128)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0131] = "secret-software"  # Software
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def basics(**changes) -> dict:
    data = {"display_name": "Mia Glow", "handle": "mia.glow", "bio": "I film skincare routines.",
            "country": "US", "languages": ["en", "es"], "niches": ["beauty", "skincare"]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def package(**changes) -> dict:
    data = {"title": "1 TikTok video, 30-60 s", "platform": "tiktok",
            "deliverable_type": "short_video", "price": "250.00", "currency": "USD",
            "turnaround_days": "7", "revisions": "1", "usage_rights": "organic",
            "description": "Hook in the first two seconds."}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
