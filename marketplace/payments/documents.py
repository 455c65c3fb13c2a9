"""Invoices, payout statements and yearly summaries as HTML pages and as the HTML of their PDF
files.

The same sheet templates render inside the site (base.html) and alone for the printer. The
pages render a document's HTML here; the job queue prints it (`marketplace/printing.py`:
WeasyPrint, local DejaVu fonts, `data:` URIs only, so no text a person typed can make the
printer reach the network), never the request."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from marketplace.models import Deal
from marketplace.models.invoice import Invoice
from marketplace.services import payments
from marketplace.services.messaging.mailer import PdfToPrint, send_mail


def seller_lines() -> list[str]:
    return [line for line in current_app.config.get("INVOICE_SELLER", "Duet").splitlines()
            if line.strip()]


def invoice_context(invoice: Invoice) -> dict:
    payment = invoice.payment
    return {"invoice": invoice, "deal": invoice.deal, "payment": payment,
            "seller": seller_lines(),
            "seller_tax_id": current_app.config.get("INVOICE_SELLER_TAX_ID", ""),
            "tax_label": current_app.config.get("TAX_LABEL", "Tax"),
            "subtotal": invoice.price_cents + invoice.brand_fee_cents}


def invoice_html(invoice: Invoice) -> str:
    return render_template("payments/invoice_document.html", **invoice_context(invoice))


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def statement_context(deal: Deal, line: payments.PayoutLine) -> dict:
    return {"deal": deal, "line": line, "seller": seller_lines(),
            "account": payments.payout_account(deal.creator)}


def statement_html(deal: Deal, line: payments.PayoutLine) -> str:
    return render_template("payments/statement_document.html",
                           **statement_context(deal, line))


def statement_filename(deal: Deal) -> str:
    return f"duet-payout-statement-deal-{deal.id}.pdf"


def year_html(summary: payments.YearSummary, creator) -> str:
    return render_template("payments/year_document.html", summary=summary, creator=creator,
                           seller=seller_lines())


def year_filename(year: int) -> str:
    return f"duet-earnings-{year}.pdf"


def _external_url(endpoint: str, **values) -> str:
    """A full link for an e-mail; "" from a CLI job that has no host to build it from."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return ""


def mail_invoice(invoice: Invoice) -> bool:
    """E-mail the invoice PDF to the brand (printed by the mail job, not by the payment's
    request). Never raises: the payment stands whatever happens to the mail (the invoice
    stays downloadable from the site)."""
    try:
        attachment = PdfToPrint(invoice_filename(invoice), invoice_html(invoice))
        body = render_template("payments/invoice_mail.txt", invoice=invoice, deal=invoice.deal,
                               url=_external_url("payments.invoice", deal_id=invoice.deal_id))
    except Exception:  # noqa: BLE001  (a rendering problem must not undo a payment)
        current_app.logger.exception("could not render invoice %s", invoice.number)
        return False
    return send_mail(invoice.billing_email, f"Invoice {invoice.number} · Duet deal "
                     f"#{invoice.deal_id}", body, attachments=(attachment,))
