"""The e-mail job: deliver one rendered mail over SMTP (printing its PDF attachments first,
e.g. the invoice), retried with backoff; after the last retry it becomes a dead letter. The
action that queued it has long been committed."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.printing import render_pdf
from marketplace.services.messaging import mailer

log = logging.getLogger(__name__)


@shared_task(bind=True, name="duet.send_email", dead_letter=True)
def send_email(self, to: str, subject: str, body: str, html: str | None = None,
               attachments: list[dict] | None = None) -> None:
    try:
        mailer.deliver(to, subject, body, html,
                       mailer.attachments_from_job(attachments or [], render_pdf))
    except Exception as exc:  # noqa: BLE001  (SMTP down, refused recipient, a print failed...)
        log.warning("could not send e-mail %r to %s (attempt %d): %s", subject, to,
                    self.request.retries + 1, exc)
        raise self.retry_later(exc) from exc
