"""Fault points for the fault tests. MTF_CRASH_AT=<name> makes the process die there, hard;
MTF_SLOW_AT=<name>:<seconds> makes it pause there each time (to make concurrent workers overlap).

Inert unless a variable names the point; `os._exit` skips every cleanup, like a kill -9.
"""

from __future__ import annotations

import os
import time

CRASH_EXIT_CODE = 86


def crash_point(name: str) -> None:
    if os.environ.get("MTF_CRASH_AT") == name:
        os._exit(CRASH_EXIT_CODE)
    slow = os.environ.get("MTF_SLOW_AT")
    if slow and slow.rpartition(":")[0] == name:
        time.sleep(float(slow.rpartition(":")[2]))
