"""The job queue: Celery bound to the Flask app (Flask's "Background Tasks with Celery"
pattern). Each task runs inside an app context of its own and calls services, like a view.

    app.py        celery_init_app(): the Celery app built from the Flask config, FlaskTask
    queue.py      enqueue(): a job is sent only after the database commit of its cause
    mail.py       every e-mail, retried with backoff, dead-lettered when it keeps failing
    payments.py   payout, refund and dispute settlement after a deal step, retried the same way
    documents.py  a PDF someone asked for (report, invoice, statement, yearly summary), printed
    periodic.py   the deadline sweeper (under a lease), the matcher rebuild and the fit when
                  no model can be loaded (under a lease too), run by beat
    beat.py       the beat scheduler that only schedules while it holds the `beat` lease
    worker.py     the module `celery -A marketplace.jobs.worker` loads (worker and beat)
"""
