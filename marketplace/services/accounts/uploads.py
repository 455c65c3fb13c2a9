"""Image uploads (avatars, logos): decoded and re-encoded with Pillow, never stored as sent.

Re-encoding drops EXIF/GPS metadata and anything smuggled after the image data; the stored
name is random, so a user never chooses a path or an extension.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.services.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 512
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.webp$")

_REFUSED = "Upload a PNG, JPEG or WebP image."


@dataclass(frozen=True)
class CleanImage:
    """A decoded, resized, metadata-free WebP ready to be written."""

    data: bytes
    width: int
    height: int


def clean_image(stream: IO[bytes], *, field: str = "image", max_side: int = MAX_SIDE
                ) -> CleanImage:
    """Decode an uploaded image and re-encode it (at most `max_side` pixels wide and high);
    DomainError(field=...) when it is not one."""
    raw = stream.read(MAX_BYTES + 1)
    if not raw:
        raise DomainError("The file is empty. " + _REFUSED, field=field)
    if len(raw) > MAX_BYTES:
        raise DomainError("The image is larger than 5 MB.", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED_FORMATS:
                raise DomainError(_REFUSED, field=field)
            if image.width * image.height > MAX_PIXELS:
                raise DomainError("The image has too many pixels.", field=field)
            image.load()
            image = ImageOps.exif_transpose(image)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError("That file is not a readable image. " + _REFUSED, field=field) from exc
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85, method=4)
    return CleanImage(out.getvalue(), image.width, image.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def write_image(image: CleanImage, upload_dir: str | Path) -> str:
    """Write under a fresh random name and return that name."""
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.webp"
    (folder / name).write_bytes(image.data)
    return name


def is_stored_name(name: str) -> bool:
    """Only names this module generated may be served or deleted."""
    return bool(STORED_NAME.fullmatch(name or ""))


def delete_image(name: str | None, upload_dir: str | Path) -> None:
    if name and is_stored_name(name):
        (Path(upload_dir) / name).unlink(missing_ok=True)
