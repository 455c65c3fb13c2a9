"""Production web server settings (gunicorn reads this file from the working directory).
Each knob is an environment variable; see README "Production"."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
# Sync workers hold one request each; keep-alive would pin a worker to an idle client.
keepalive = 0
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
accesslog = os.environ.get("ACCESS_LOG") or None  # off by default: a line per hit costs CPU
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
preload_app = False  # each worker maps the shared model files itself (no fork-time copy)

# One BLAS/OpenMP thread per worker unless DUET_MATH_THREADS says otherwise (wsgi.py too).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, os.environ.get("DUET_MATH_THREADS", "1"))
