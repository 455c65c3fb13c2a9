"""Reference apps measured in the same run as the site (bench/load.py serves this module
with the same gunicorn settings): `/hello` is a hello-world Flask view; `/rows` is the
smallest real page: 24 rows from PostgreSQL (DATABASE_URL) rendered with Jinja."""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

ROWS = """<!doctype html><html><head><title>Campaigns</title></head><body><ul>
{% for row in rows %}<li><a href="/campaigns/{{ row.id }}">{{ row.title }}</a>
 {{ row.status }} · {{ '%.2f'|format(row.budget_max_cents / 100) }}</li>{% endfor %}
</ul></body></html>"""

app = Flask(__name__)
_engine = create_engine(os.environ["DATABASE_URL"], pool_size=5)
_query = text("SELECT id, title, status, budget_max_cents FROM campaigns ORDER BY id LIMIT 24")


@app.get("/hello")
def hello() -> str:
    return "Hello, World!"


@app.get("/rows")
def rows() -> str:
    with _engine.connect() as conn:
        found = conn.execute(_query).all()
    return render_template_string(ROWS, rows=found)
