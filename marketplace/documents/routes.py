"""A requested PDF (`marketplace/services/documents/pdfs.py`): its "Preparing your PDF" page,
the state that page polls, the file, and Try again.

The pages that offer PDFs (campaign report, invoice, payout statement, yearly summary) ask
for one with a POST and lead here. Only the document's owner gets an answer, and only while
they may still see what it is about (the rules of the page that offered it); anyone else
gets 404, as for a document that does not exist. The GETs never write: the page refreshes
itself through `static/js/document_status.js` (no inline script under the CSP), and without
JavaScript a "Check again" link does the same."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.documents import bp
from marketplace.downloads import PDF, attachment_file
from marketplace.forms import EmptyForm, require_button_post
from marketplace.models.document import DocumentKind, GeneratedDocument
from marketplace.services import documents
from marketplace.services.documents import DocumentState

# Where each document is offered: the link back to that page.
_BACK = {
    DocumentKind.CAMPAIGN_REPORT: ("Campaign report", "deals.campaign_report", "campaign_id"),
    DocumentKind.INVOICE: ("Invoice", "payments.invoice", "deal_id"),
    DocumentKind.PAYOUT_STATEMENT: ("Payout statement", "payments.statement", "deal_id"),
    DocumentKind.EARNINGS_YEAR: ("Earnings", "payments.history", None),
}
_POLLED = (DocumentState.PREPARING, DocumentState.SLOW)


def _mine(document_id: int) -> GeneratedDocument:
    document = documents.readable(current_user, document_id)
    if document is None:
        abort(404)
    return document


def _back(document: GeneratedDocument) -> tuple[str, str]:
    label, endpoint, argument = _BACK[document.kind]
    if argument is None:
        return label, url_for(endpoint) + "#yearly-summaries"
    return label, url_for(endpoint, **{argument: document.subject_id})


@bp.get("/documents/<int:document_id>")
@login_required
def status(document_id: int):
    document = _mine(document_id)
    state = documents.state_of(document)
    back_label, back_url = _back(document)
    response = render_template("documents/status.html", document=document, state=state,
                               polled=state in _POLLED, back_label=back_label,
                               back_url=back_url, form=EmptyForm())
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.get("/documents/<int:document_id>/state")
@login_required
def state(document_id: int):
    """What the status page polls: {"state": "preparing" | "slow" | "ready" | ...}."""
    document = _mine(document_id)
    response = jsonify(state=str(documents.state_of(document)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id: int):
    """The printed file, saved under the name the old direct download used."""
    document = _mine(document_id)
    if documents.state_of(document) != DocumentState.READY:
        return redirect(url_for("documents.status", document_id=document.id))
    return attachment_file(documents.file_path(document), document.filename, PDF)


@bp.post("/documents/<int:document_id>/retry")
@login_required
def retry(document_id: int):
    document = _mine(document_id)
    require_button_post()
    documents.retry(document)  # a no-op when it is printing or printed meanwhile
    return redirect(url_for("documents.status", document_id=document.id))
