"""Generated documents: PDFs asked for by a page, printed by the job queue (`pdfs.py`)."""

from marketplace.services.documents.pdfs import (
    PRINT_JOB,
    DocumentState,
    Requested,
    file_path,
    readable,
    request_pdf,
    retry,
    state_of,
)

__all__ = ["PRINT_JOB", "DocumentState", "Requested", "file_path", "readable", "request_pdf",
           "retry", "state_of"]
