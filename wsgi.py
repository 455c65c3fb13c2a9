"""The WSGI entry point (gunicorn wsgi:app). Web workers cap the maths libraries' thread
pools (BLAS/OpenMP) before numpy is imported, so workers do not fight over the cores:
`DUET_MATH_THREADS` (default 1) unless a pool size is already set in the environment."""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, os.environ.get("DUET_MATH_THREADS", "1"))

from marketplace import create_app  # noqa: E402  (after the thread caps)

app = create_app()
