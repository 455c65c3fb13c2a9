"""What the pages hand out as files: PDFs printed with WeasyPrint (invoices, statements, the
campaign report) and the response that makes the browser save a file."""

from __future__ import annotations

from flask import Response


def render_pdf(html: str) -> bytes:
    """Print `html` with local fonts, fetching only data: URIs (charts), so nothing on the
    page can reach the network."""
    # Imported here: WeasyPrint takes over a second to import, and most requests never print.
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process,
    # which would let truncated uploads through `clean_image`. Our documents embed no
    # uploaded images, so Pillow's default is restored.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()


def attachment(data: bytes | str, filename: str, mimetype: str) -> Response:
    """A private download saved under `filename`."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})
