"""The cyclic garbage collector, set for a long-running service process.

CPython's collector walks every tracked object of the generations it collects. After start-up a
process holds many long-lived objects (modules, FastAPI's routes, pydantic's validators, the event
catalog), and each full collection walked them all again; with the default thresholds a gateway
worker collected its youngest generation every few commands (docs/performance.md, "Measurements behind the code").
"""

from __future__ import annotations

import gc

# A young collection every 20,000 net allocations of container objects instead of 700; the older
# generations every 20 collections of the one below instead of 10.
THRESHOLDS = (20_000, 20, 20)
_settled = False


def settle_after_startup() -> None:
    """Once per process: collects, moves every survivor of start-up to the permanent generation
    (`gc.freeze`, which collections skip) and raises the thresholds."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
