"""Failed jobs: what the job queue gave up on after its retries (a mail, a payout, a refund),
with the error, the number of attempts and when; "Retry" sends the job again."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from marketplace.admin import bp
from marketplace.extensions import db
from marketplace.forms import EmptyForm, require_button_post
from marketplace.models.job import FailedJob
from marketplace.request_args import page_number
from marketplace.services.errors import DomainError
from marketplace.services.jobs import dead_letters

TASK_LABELS = {
    "duet.send_email": "E-mail",
    "duet.release_payout": "Payout to the creator",
    "duet.refund_deal": "Refund to the brand",
    "duet.settle_dispute": "Dispute settlement",
    "duet.print_document": "PDF",  # only when it could not be queued (broker down)
}


@bp.get("/jobs")
def failed_jobs():
    page = db.paginate(dead_letters.open_query(), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/failed_jobs.html", page=page, form=EmptyForm(),
                           labels=TASK_LABELS, summary=summary)


def summary(job: FailedJob) -> str:
    """What the job was about, in a few words (never the mail's body)."""
    args = list(job.args or [])
    if job.task_name == "duet.send_email" and len(args) >= 2:
        return f"To {args[0]}: {args[1]}"
    if job.task_name in ("duet.release_payout", "duet.refund_deal", "duet.settle_dispute") and args:
        return f"Deal #{args[0]}"
    if job.task_name == "duet.print_document" and args:
        return f"Document #{args[0]}"
    return ", ".join(str(a) for a in args)[:200]


@bp.post("/jobs/<int:job_id>/retry")
def retry_job(job_id: int):
    db.get_or_404(FailedJob, job_id)
    require_button_post()
    try:
        job = dead_letters.retry(job_id)
    except DomainError as exc:
        flash(exc.message, "warning")
    else:
        flash(f"{TASK_LABELS.get(job.task_name, job.task_name)} sent again to the queue.",
              "success")
    return redirect(url_for("admin.failed_jobs"))
