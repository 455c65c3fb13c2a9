"""Draft uploads for deal submissions: type from magic bytes (never the name), size limit,
random names under UPLOAD_DIR/deals/. Files are served only by the deals blueprint."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from marketplace.services.errors import DomainError

CHUNK = 1024 * 1024
HEAD = 64
# ISO base media "major brands" of MP4 video (HEIF/AVIF images share the container: refused).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                        b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"MSNV", b"3gp4",
                        b"3gp5", b"3gp6"})
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(mp4|mov|webm|png|jpg|webp)$")
ALLOWED_TEXT = "an MP4, MOV or WebM video, or a PNG, JPEG or WebP image"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, mimetype) recognised from the first bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:HEAD]:
        return "webm", "video/webm"  # EBML with DocType "webm" (not any Matroska file)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov", "video/quicktime"
        if brand in MP4_BRANDS:
            return "mp4", "video/mp4"
    return None


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "deals"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_draft(stream: BinaryIO, max_bytes: int) -> tuple[str, str]:
    """Validate and save an upload; return (stored name, mimetype). DomainError on bad files."""
    head = stream.read(HEAD)
    if not head:
        raise DomainError("The file is empty.", field="draft")
    kind = sniff(head)
    if kind is None:
        raise DomainError(f"Upload {ALLOWED_TEXT}.", field="draft")
    ext, mimetype = kind
    name = f"{secrets.token_hex(16)}.{ext}"
    path = upload_dir() / name
    size = len(head)
    try:
        with path.open("wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise DomainError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
                                      field="draft")
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name, mimetype


def draft_path(name: str) -> Path | None:
    """The stored file for a submission's draft name (None for anything that is not ours)."""
    if not NAME_RE.match(name or ""):
        return None
    path = upload_dir() / name
    return path if path.is_file() else None


def remove_draft(name: str | None) -> None:
    if name and NAME_RE.match(name):
        (upload_dir() / name).unlink(missing_ok=True)
