"""What the pages hand out as files: the response that makes the browser save a file (CSV
exports, and the PDFs printed by the job queue), and where a PDF request sends the browser
next. Nothing here prints: see `marketplace/printing.py`."""

from __future__ import annotations

from pathlib import Path

from flask import Response, redirect, send_file, url_for

from marketplace.services.documents import Requested

PDF = "application/pdf"


def _as_attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def attachment(data: bytes | str, filename: str, mimetype: str) -> Response:
    """A private download saved under `filename`."""
    return _as_attachment(Response(data, mimetype=mimetype), filename)


def attachment_file(path: Path, filename: str, mimetype: str) -> Response:
    """A stored file as a private download saved under `filename` (streamed from disk)."""
    return _as_attachment(send_file(path, mimetype=mimetype, conditional=False), filename)


def after_pdf_request(requested: Requested) -> Response:
    """Where the "Download PDF" button leads: straight to the file when the same document
    was already printed, else to its "Preparing your PDF" page."""
    endpoint = "documents.download" if requested.ready else "documents.status"
    return redirect(url_for(endpoint, document_id=requested.document.id))
