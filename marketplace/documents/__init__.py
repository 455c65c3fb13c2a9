"""The documents area: the PDFs people asked for, while they are printed and once they are."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from marketplace.documents import routes  # noqa: E402,F401  (the views register on bp)
