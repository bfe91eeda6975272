"""gunicorn's settings for `make serve` (docs/deploy.md), each overridable from the environment.

Threaded workers (gthread): the worker's main thread keeps telling the master it is alive
while a request runs in another thread, so ``timeout`` restarts a worker that is stuck, not
one that is busy. A sync worker is silent for as long as its one request takes, and the
master kills it after ``timeout`` seconds: an export of 20,000 articles was cut off after
12,846 records that way. A slow request now holds one thread, not a whole process.
"""

import os

bind = "127.0.0.1:8000"  # `make serve ADDRESS=...` sets it
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Requests to stderr too, beside the errors, for one log to read.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
