"""Crash points for the fault tests. MTF_CRASH_AT=<name> makes the process die there, hard.

Inert unless that variable names the point; `os._exit` skips every cleanup, like a kill -9.
"""

from __future__ import annotations

import os

CRASH_EXIT_CODE = 86


def crash_point(name: str) -> None:
    if os.environ.get("MTF_CRASH_AT") == name:
        os._exit(CRASH_EXIT_CODE)
