"""Parser processes that end with the process that started them.

A ``ProcessPoolExecutor`` worker waits on a task queue that stays open when its parent is
killed (``kill -9``, or SIGTERM's default action), so it would wait forever, and keep the
multiprocessing resource tracker alive with it. This module is what a spawned worker runs
first; it imports no models, since the app registry is not ready until it has run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

import django

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def start(parent: int) -> None:
    """``initializer`` of a parser pool: ``parent`` is the pid of the process that owns it."""
    # Ctrl-C reaches the whole process group: the parent decides what it means, and the
    # workers then end with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watch below still ends the process, a second later
    # Also where prctl is missing, and in case the parent died before prctl took effect.
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    django.setup()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
