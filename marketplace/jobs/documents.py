"""The printing job: one `GeneratedDocument` (campaign report, invoice, payout statement,
yearly summary) printed from the HTML its owner asked for, written to disk, marked ready.

Not retried on its own: a print that fails (WeasyPrint refusing the page, a full or
unwritable disk) is marked failed with the reason, and the owner sees "Try again" on the
status page (`marketplace/services/documents/pdfs.py`). A worker that dies mid-print loses
nothing: the job is acknowledged only once it ran (acks_late), and a second delivery of a
printed document is skipped."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.printing import render_pdf
from marketplace.services.documents import pdfs

log = logging.getLogger(__name__)


@shared_task(name=pdfs.PRINT_JOB)
def print_document(document_id: int) -> str:
    document = pdfs.claim(document_id)
    if document is None:
        return "skipped"
    try:
        pdfs.store(document, render_pdf(document.html))
    except Exception as exc:  # noqa: BLE001  (whatever broke, the owner is told and may retry)
        log.exception("could not print document %s", document_id)
        pdfs.mark_failed(document_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    return "ready"
