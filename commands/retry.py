"""Re-runs a command that lost an optimistic-concurrency race, for commands that are safe to redo.

Only for commands whose outcome does not depend on having read a particular version
(a new contract can be added to a client whatever else was added meanwhile). A command
that acts on a state the caller saw (a plan change) must surface the conflict instead.
"""

from __future__ import annotations

import functools
import random
import time

from infra.eventstore.port import ConcurrencyConflict

ATTEMPTS = 4


def retry_on_conflict(handler):
    @functools.wraps(handler)
    def run(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return handler(*args, **kwargs)
            except ConcurrencyConflict:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.005 * attempt))
        raise AssertionError("unreachable")

    return run
