"""The PDF printer (WeasyPrint). Printing takes seconds (about 2 s for a campaign report), so
only jobs call it (`marketplace/jobs/documents.py` for the downloads, `marketplace/jobs/mail.py`
for the invoice attached to an e-mail); a request never prints (tests/test_layers.py checks)."""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """Print `html` with local fonts, fetching only data: URIs (charts), so nothing on the
    page can reach the network."""
    # Imported here: WeasyPrint takes over a second to import, and most processes never print.
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process,
    # which would let truncated uploads through `clean_image`. Our documents embed no
    # uploaded images, so Pillow's default is restored.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
