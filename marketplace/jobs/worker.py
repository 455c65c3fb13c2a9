"""What `celery -A marketplace.jobs.worker worker` (and `... beat`) loads: the app built
from the environment, like `wsgi.py` for the web processes."""

from marketplace import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
