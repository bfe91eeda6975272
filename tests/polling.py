"""Waiting for something another process or thread will do, without asserting how long it
takes: the deadline only ends a wait that would otherwise hang."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], deadline: float = 30.0) -> bool:
    """Poll ``condition`` for up to ``deadline`` seconds; whether it came true."""
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())
