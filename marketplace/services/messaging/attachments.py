"""Message attachments: only images (PNG, JPEG, WebP) and PDF, recognised by their bytes, never
by the name or the browser's content type; stored under random names."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from marketplace.services.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_NAME = 200
# mime -> (extension, Pillow format or None for PDF)
KINDS = {
    "image/png": (".png", "PNG"),
    "image/jpeg": (".jpg", "JPEG"),
    "image/webp": (".webp", "WEBP"),
    "application/pdf": (".pdf", None),
}


@dataclass(frozen=True)
class Upload:
    """A file as the service sees it: the name the user gave it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to UPLOAD_DIR
    name: str
    mime: str
    size: int


def sniff(data: bytes) -> str | None:
    """The mime type from magic bytes, or None when it is not one we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def validate(upload: Upload) -> str:
    """Return the mime type, or raise DomainError(field='attachment') with a clear reason."""
    if not upload.data:
        raise DomainError("The attached file is empty.", field="attachment")
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise DomainError("Attachments can be at most 10 MB.", field="attachment")
    mime = sniff(upload.data)
    if mime is None:
        raise DomainError("Attach a PNG, JPEG or WebP image, or a PDF.", field="attachment")
    pil_format = KINDS[mime][1]
    if pil_format:
        try:
            with Image.open(io.BytesIO(upload.data)) as image:
                if image.format != pil_format:
                    raise DomainError("That image is damaged or not what its name says.",
                                      field="attachment")
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError) as exc:
            raise DomainError("That image is damaged or not what its name says.",
                              field="attachment") from exc
    elif b"%%EOF" not in upload.data[-2048:]:
        raise DomainError("That PDF looks incomplete or damaged.", field="attachment")
    return mime


def clean_name(filename: str, mime: str) -> str:
    """A display name without directories, with the extension the content really has."""
    name = Path(filename.replace("\\", "/")).name.strip() or "attachment"
    stem = Path(name).stem[: MAX_NAME - 10] or "attachment"
    return stem + KINDS[mime][0]


def store(upload: Upload, mime: str, upload_dir: str, folder: str) -> StoredFile:
    directory = Path(upload_dir) / folder
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{folder}/{secrets.token_hex(16)}{KINDS[mime][0]}"
    (Path(upload_dir) / relative).write_bytes(upload.data)
    return StoredFile(relative, clean_name(upload.filename, mime), mime, len(upload.data))


def remove(upload_dir: str, relative: str) -> None:
    (Path(upload_dir) / relative).unlink(missing_ok=True)
