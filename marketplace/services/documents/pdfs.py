"""PDFs (campaign report, invoice, payout statement, yearly summary) printed off the request.

Printing takes seconds (about 2 s for a campaign report), so no request prints. The page that
offers a PDF renders the document's HTML (as quick as showing the page itself) and hands it
to `request_pdf`, which keeps it on a `GeneratedDocument` row and queues the
`duet.print_document` job (`marketplace/jobs/documents.py`) after the commit; the job prints
that HTML, writes the file under DOCUMENTS_DIR (default `documents` in the instance folder)
and marks the row ready, or failed with the reason.

The HTML is the content key: its SHA-256 is the row's fingerprint, unique per owner, kind and
subject. So asking twice gives one row and one job, asking again for an unchanged document
goes straight to its file, and a changed document (new numbers, a new billing name) is a new
row; once that one is printed, the owner's older versions of it are deleted with their files.
A failed print, a file that went missing, or a job still queued after DOCUMENT_STALE_SECONDS
(lost with its broker) can be asked again (`retry`): one conditional UPDATE, so a double
click queues one job.

The rows are private: `readable` gives a document only to its owner, and only while the owner
may still see its subject, by the same rules as the pages that offer it."""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs.queue import enqueue
from marketplace.models import Campaign, Deal, User
from marketplace.models.document import DocumentKind, DocumentStatus, GeneratedDocument

log = logging.getLogger(__name__)

PRINT_JOB = "duet.print_document"
MAX_ERROR = 500


class DocumentState(enum.StrEnum):
    """What the status page says (the row's status, plus what time and the disk tell)."""

    PREPARING = "preparing"  # queued, the job has not finished yet
    SLOW = "slow"  # queued for longer than DOCUMENT_STALE_SECONDS: may be asked again
    READY = "ready"
    MISSING = "missing"  # printed, but the file is gone (instance folder wiped): ask again
    FAILED = "failed"


RETRYABLE = (DocumentState.SLOW, DocumentState.MISSING, DocumentState.FAILED)


@dataclass(frozen=True)
class Requested:
    document: GeneratedDocument
    ready: bool  # the same document was printed already: go straight to its file


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def documents_dir() -> Path:
    config = current_app.config
    return Path(config.get("DOCUMENTS_DIR") or Path(config["INSTANCE_DIR"]) / "documents")


def file_path(document: GeneratedDocument) -> Path | None:
    """Where the printed file is (None before it is printed)."""
    return documents_dir() / document.file_name if document.file_name else None


def state_of(document: GeneratedDocument, now: datetime | None = None) -> DocumentState:
    if document.status == DocumentStatus.FAILED:
        return DocumentState.FAILED
    if document.status == DocumentStatus.READY:
        path = file_path(document)
        return DocumentState.READY if path and path.is_file() else DocumentState.MISSING
    stale = timedelta(seconds=current_app.config.get("DOCUMENT_STALE_SECONDS", 300))
    return DocumentState.SLOW if (now or utcnow()) - document.queued_at > stale \
        else DocumentState.PREPARING


def _find(owner_id: int, kind: DocumentKind, subject_id: int,
          key: str) -> GeneratedDocument | None:
    return db.session.scalar(select(GeneratedDocument).where(
        GeneratedDocument.owner_id == owner_id, GeneratedDocument.kind == kind,
        GeneratedDocument.subject_id == subject_id, GeneratedDocument.fingerprint == key))


def request_pdf(owner: User, kind: DocumentKind, subject_id: int, *, html: str, filename: str,
                title: str) -> Requested:
    """Ask for the PDF of `html` (the caller checked that `owner` may see the subject). The
    same owner asking for the same content gets the same row: printed already (`ready`), or
    still queued (nothing more is queued), or failed (queued again)."""
    key = fingerprint(html)
    document = _find(owner.id, kind, subject_id, key)
    if document is not None:
        if state_of(document) == DocumentState.READY:
            return Requested(document, ready=True)
        retry(document)  # queues it again only when it failed, went missing or got stuck
        return Requested(document, ready=False)
    document = GeneratedDocument(owner_id=owner.id, kind=kind, subject_id=subject_id,
                                 fingerprint=key, html=html, filename=filename,
                                 title=title[:200], status=DocumentStatus.QUEUED)
    db.session.add(document)
    try:
        db.session.flush()
    except IntegrityError:  # a double click: the other request made the row first
        db.session.rollback()
        document = _find(owner.id, kind, subject_id, key)
        if document is None:
            raise
        return Requested(document, ready=False)
    enqueue(PRINT_JOB, document.id)  # sent once the row is committed
    db.session.commit()
    return Requested(document, ready=False)


def retry(document: GeneratedDocument) -> bool:
    """Queue a failed, missing or stuck document again; False when it is not in such a state
    or another request did it first (the UPDATE is conditional on what was read)."""
    if state_of(document) not in RETRYABLE:
        return False
    result = db.session.execute(
        update(GeneratedDocument)
        .where(GeneratedDocument.id == document.id,
               GeneratedDocument.status == document.status,
               GeneratedDocument.queued_at == document.queued_at)
        .values(status=DocumentStatus.QUEUED, error="", queued_at=utcnow(), finished_at=None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()  # committed before the job is sent, so the job sees it queued
    db.session.refresh(document)
    enqueue(PRINT_JOB, document.id)
    return True


def readable(user: User, document_id: int) -> GeneratedDocument | None:
    """The document when `user` owns it and may still see its subject; else None (404)."""
    document = db.session.get(GeneratedDocument, document_id)
    if document is None or document.owner_id != user.id or not _may_see(user, document):
        return None
    return document


def _may_see(user: User, document: GeneratedDocument) -> bool:
    """The rules of the pages that offer each document (kept in step with them)."""
    brand, creator = user.brand, user.creator
    if document.kind == DocumentKind.CAMPAIGN_REPORT:  # the campaign's brand (my_campaign)
        campaign = db.session.get(Campaign, document.subject_id)
        return campaign is not None and brand is not None and campaign.brand_id == brand.id
    if document.kind == DocumentKind.EARNINGS_YEAR:  # the creator's own summary
        return creator is not None
    deal = db.session.get(Deal, document.subject_id)
    if deal is None:
        return False
    if user.is_admin:
        return True
    if document.kind == DocumentKind.INVOICE:  # the deal's brand
        return brand is not None and deal.brand_id == brand.id
    return creator is not None and deal.creator_id == creator.id  # the payout statement


# The job's side (marketplace/jobs/documents.py).

def claim(document_id: int) -> GeneratedDocument | None:
    """The document to print, or None when there is nothing to do (deleted, already printed
    by an earlier delivery of the same job, or failed)."""
    document = db.session.get(GeneratedDocument, document_id)
    if document is None or document.status != DocumentStatus.QUEUED:
        return None
    document.attempts += 1
    db.session.commit()
    return document


def store(document: GeneratedDocument, data: bytes) -> None:
    """Write the printed file (atomically: a reader never sees half a PDF), mark the row
    ready and delete the owner's older versions of the same document (asked for earlier and
    not still queued: a slow older print never removes a newer one)."""
    folder = documents_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{document.id}-{document.fingerprint[:12]}.pdf"
    part = folder / f".{name}.{uuid.uuid4().hex}.part"
    part.write_bytes(data)
    os.replace(part, folder / name)
    document.file_name, document.status = name, DocumentStatus.READY
    document.error, document.finished_at = "", utcnow()
    older = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.owner_id == document.owner_id,
        GeneratedDocument.kind == document.kind,
        GeneratedDocument.subject_id == document.subject_id,
        GeneratedDocument.id < document.id,
        GeneratedDocument.status != DocumentStatus.QUEUED)).all()
    paths = [file_path(old) for old in older]
    for old in older:
        db.session.delete(old)
    db.session.commit()
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


def mark_failed(document_id: int, error: str) -> None:
    """Record why printing failed (the owner sees a message and a Try again button)."""
    db.session.rollback()
    db.session.execute(
        update(GeneratedDocument)
        .where(GeneratedDocument.id == document_id,
               GeneratedDocument.status == DocumentStatus.QUEUED)
        .values(status=DocumentStatus.FAILED, error=error[:MAX_ERROR], finished_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
