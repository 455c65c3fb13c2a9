"""Helpers for PDFs printed by the job queue: ask as the "Download PDF" button does and follow
to the file, and documents written straight to the database in a given state (no job)."""

from __future__ import annotations

from datetime import timedelta

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.document import DocumentKind, DocumentStatus, GeneratedDocument
from marketplace.services.documents.pdfs import fingerprint


def document_id_of(location: str) -> int:
    """The id in a /documents/<id>[/download] address."""
    return int(location.split("/documents/")[1].split("/")[0])


def download_pdf(client, url: str):
    """POST `url` (a PDF button's form) and follow to the file. By the time the POST
    answers, its job has run (in-process on SQLite; waited for on PostgreSQL), so a new
    document's status page already says it is ready."""
    asked = client.post(url)
    assert asked.status_code == 302, (url, asked.status_code, asked.data[:300])
    location = asked.headers["Location"]
    assert "/documents/" in location, location
    if not location.endswith("/download"):
        page = client.get(location).get_data(as_text=True)
        assert "Your PDF is ready" in page, page
        location += "/download"
    return client.get(location)


def stored_document(owner, kind: DocumentKind, subject_id: int, *,
                    status: DocumentStatus = DocumentStatus.QUEUED, html: str = "<p>Doc</p>",
                    queued_minutes_ago: int = 0, **fields) -> GeneratedDocument:
    """A document row as the service would leave it, without queuing its job."""
    document = GeneratedDocument(
        owner_id=owner.id, kind=kind, subject_id=subject_id, fingerprint=fingerprint(html),
        html=html, title=fields.pop("title", "Campaign report · test"),
        filename=fields.pop("filename", "doc.pdf"), status=status,
        queued_at=utcnow() - timedelta(minutes=queued_minutes_ago), **fields)
    db.session.add(document)
    db.session.commit()
    return document
