"""Parser processes that share one vocabulary and end with the process that started them.

The parser processes are forked from a multiprocessing forkserver, a fresh interpreter that
the writer starts (so no database connection is inherited, as it would be by a fork of the
writer), which imports ``articles.ingest.preload`` first: that runs ``preload()``, loading
Django, the parser and the recogniser's vocabulary once. Every parser process forked from it
shares those pages copy-on-write instead of loading a copy of its own.

A ``ProcessPoolExecutor`` worker waits on a task queue that stays open when its parent is
killed (``kill -9``, or SIGTERM's default action), so it would wait forever, and keep the
multiprocessing resource tracker alive with it. ``start`` is what each parser process runs
first; ``preload`` makes the forkserver end with the writer too. This module imports no
models, since the app registry is not ready until ``preload`` or ``start`` has run.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading

import django

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def preload() -> None:
    """Run once in the forkserver, before it forks any parser process."""
    # Ctrl-C reaches the whole process group: the writer decides what it means. The forkserver
    # ignores SIGINT itself only once its preload is done, and its children keep this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The forkserver is the writer's child: killed with it, also mid-load (a vocabulary built
    # on a new machine takes seconds). Once loaded, the forkserver ends when the writer's end
    # of its "alive" pipe closes.
    _die_with_parent()
    django.setup()
    from articles.ingest import files as ingest

    ingest.text_vocabulary()
    # Moved out of the collector's reach: a collection in a parser process would otherwise
    # write to the header of every object loaded here, and copy each page it touches.
    gc.collect()
    gc.freeze()


def start() -> None:
    """``initializer`` of a parser pool, in each parser process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # Also where prctl is missing, and in case the writer died before prctl took effect:
    # ``parent_process()`` is the writer however the process was started, and its sentinel
    # is a pipe that only the writer holds open.
    threading.Thread(target=_watch, daemon=True).start()
    django.setup()  # done already when forked from a forkserver that preloaded


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watch in ``start`` still ends a parser process


def _watch() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
    os._exit(1)
