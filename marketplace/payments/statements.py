"""The paperwork pages: the brand's invoice, the creator's payout statement per deal, the
creator's yearly earnings summary (HTML, PDF, CSV). Each answers 404 to anyone but its owner
(and admins), whatever the deal id or year.

A PDF is asked for with a POST (the "Download PDF" button), which renders its HTML and hands
it to the job queue (`marketplace/services/documents/pdfs.py`), then leads to the file when it
was printed before, or to its "Preparing your PDF" page (`marketplace/documents/`). A GET of
a PDF address (an old link) opens the page with the button."""

from __future__ import annotations

import csv
import io

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.downloads import after_pdf_request, attachment
from marketplace.extensions import db
from marketplace.forms import require_button_post
from marketplace.models import Deal
from marketplace.models.document import DocumentKind
from marketplace.models.payment import LedgerEntry
from marketplace.money import major_units
from marketplace.payments import bp, documents
from marketplace.payments.routes import creator_or_setup, party_deal
from marketplace.services import payments
from marketplace.services.documents import request_pdf

MIN_YEAR = 2020


def _brand_invoice(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    brand = current_user.brand
    if not current_user.is_admin and (brand is None or deal.brand_id != brand.id):
        abort(404)
    invoice = payments.invoice_for(deal.id)
    if invoice is None:
        abort(404)
    return invoice


@bp.get("/deals/<int:deal_id>/invoice")
@login_required
def invoice(deal_id: int):
    invoice = _brand_invoice(deal_id)
    entries = db.session.execute(
        select(LedgerEntry).where(LedgerEntry.deal_id == invoice.deal_id)
        .order_by(LedgerEntry.id)).scalars().all() if current_user.is_admin else []
    return render_template("payments/invoice.html", entries=entries,
                           **documents.invoice_context(invoice))


@bp.post("/deals/<int:deal_id>/invoice.pdf")
@login_required
def invoice_pdf(deal_id: int):
    invoice = _brand_invoice(deal_id)
    require_button_post()
    return after_pdf_request(request_pdf(
        current_user, DocumentKind.INVOICE, invoice.deal_id,
        html=documents.invoice_html(invoice), filename=documents.invoice_filename(invoice),
        title=f"Invoice {invoice.number}"))


@bp.get("/deals/<int:deal_id>/invoice.pdf")
@login_required
def invoice_pdf_link(deal_id: int):
    invoice = _brand_invoice(deal_id)
    return redirect(url_for("payments.invoice", deal_id=invoice.deal_id))


def _creator_statement(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    creator = current_user.creator
    if not current_user.is_admin and (creator is None or deal.creator_id != creator.id):
        abort(404)
    line = payments.statement(deal)
    if line is None:
        abort(404)
    return deal, line


@bp.get("/deals/<int:deal_id>/statement")
@login_required
def statement(deal_id: int):
    deal, line = _creator_statement(deal_id)
    return render_template("payments/statement.html",
                           **documents.statement_context(deal, line))


@bp.post("/deals/<int:deal_id>/statement.pdf")
@login_required
def statement_pdf(deal_id: int):
    deal, line = _creator_statement(deal_id)
    require_button_post()
    return after_pdf_request(request_pdf(
        current_user, DocumentKind.PAYOUT_STATEMENT, deal.id,
        html=documents.statement_html(deal, line), filename=documents.statement_filename(deal),
        title=f"Payout statement · deal #{deal.id}"))


@bp.get("/deals/<int:deal_id>/statement.pdf")
@login_required
def statement_pdf_link(deal_id: int):
    deal, _ = _creator_statement(deal_id)
    return redirect(url_for("payments.statement", deal_id=deal.id))


@bp.get("/deals/<int:deal_id>/receipt")
@login_required
def receipt(deal_id: int):
    """Old links: the brand's receipt is now the invoice, the creator's the statement."""
    deal = party_deal(deal_id)
    if current_user.is_admin or (current_user.brand is not None
                                 and deal.brand_id == current_user.brand.id):
        return redirect(url_for("payments.invoice", deal_id=deal.id))
    return redirect(url_for("payments.statement", deal_id=deal.id))


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= 9999:
        abort(404)
    return year


@bp.get("/earnings/<int:year>.csv")
@login_required
def year_csv(year: int):
    creator = creator_or_setup()
    summary = payments.yearly_summary(creator, _year(year))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["paid_on", "expected_arrival", "deal_id", "campaign", "brand", "currency",
                     "gross", "creator_fee", "net", "state"])
    for line in summary.lines:
        writer.writerow([line.sent_at.date().isoformat(),
                         line.expected_arrival_at.date().isoformat()
                         if line.expected_arrival_at else "",
                         line.deal.id, getattr(line.deal.campaign, "title", ""),
                         getattr(line.deal.brand, "company_name", ""), line.currency,
                         major_units(line.gross_cents), major_units(line.fee_cents),
                         major_units(line.net_cents), line.state])
    for currency, (gross, fee, net) in sorted(summary.totals.items()):
        writer.writerow(["total", "", "", "", "", currency, major_units(gross),
                         major_units(fee), major_units(net), ""])
    return attachment(out.getvalue().encode(), f"duet-earnings-{summary.year}.csv",
                       "text/csv")


@bp.post("/earnings/<int:year>.pdf")
@login_required
def year_pdf(year: int):
    creator = creator_or_setup()
    summary = payments.yearly_summary(creator, _year(year))
    require_button_post()
    return after_pdf_request(request_pdf(
        current_user, DocumentKind.EARNINGS_YEAR, summary.year,
        html=documents.year_html(summary, creator), filename=documents.year_filename(summary.year),
        title=f"Earnings {summary.year}"))


@bp.get("/earnings/<int:year>.pdf")
@login_required
def year_pdf_link(year: int):
    creator_or_setup()
    _year(year)
    return redirect(url_for("payments.history") + "#yearly-summaries")
