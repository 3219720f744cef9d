"""Claims on a billing run's blocks, so that any number of workers share a run.

A claim is a PostgreSQL session lock named after (run, phase, block), taken on a connection of its
own: it dies with the worker holding it, so a block whose worker was killed is claimed again by
the next worker that asks. The claim only keeps two workers from computing the same block at once;
a block is issued exactly once because its record (`BillingRunBlockIssued`) and its invoices are
one append on the run's next version.

A worker first takes every block no one holds; then it waits, block by block, for the claims it
found held, and takes over any block its holder left unfinished.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Callable, Iterator, TypeVar
from uuid import UUID, uuid5

from infra.eventstore.port import EventStore


def block_key(run_id: UUID, phase: str, first_client: int) -> UUID:
    return uuid5(run_id, f"{phase}/{first_client}")


class Claim:
    """A block this worker holds until `release`."""

    def __init__(self, first_client: int, holding: ExitStack) -> None:
        self.first_client = first_client
        self._holding = holding

    def release(self) -> None:
        self._holding.close()


T = TypeVar("T")


def work_through(
    store: EventStore,
    run_id: UUID,
    phase: str,
    blocks: list[int],
    done: Callable[[int], bool],
    begin: Callable[[int], T],
    finish: Callable[[int, T], None],
) -> None:
    """Begins each block it claims while finishing the one before (so computing or rendering a block
    overlaps saving the last), and finishes the block in hand before it waits for another worker's
    claim: two workers each waiting for a block the other holds unfinished would wait forever."""
    in_hand: list[tuple[Claim, T]] = []

    def finish_in_hand() -> None:
        while in_hand:
            claim, begun = in_hand[0]
            finish(claim.first_client, begun)
            in_hand.pop(0)
            claim.release()

    try:
        for claim in claims(store, run_id, phase, blocks, done, before_waiting=finish_in_hand):
            try:
                begun = begin(claim.first_client)
            except BaseException:
                claim.release()
                raise
            in_hand.append((claim, begun))
            if len(in_hand) > 1:
                claim, begun = in_hand.pop(0)
                try:
                    finish(claim.first_client, begun)
                finally:
                    claim.release()
        finish_in_hand()
    finally:
        for claim, _ in in_hand:
            claim.release()


def claims(
    store: EventStore,
    run_id: UUID,
    phase: str,
    blocks: list[int],
    done: Callable[[int], bool],
    before_waiting: Callable[[], None] = lambda: None,
) -> Iterator[Claim]:
    """Each block of `blocks` not `done` that this worker gets to hold, held; the caller releases it."""
    held_by_others = []
    for first in blocks:
        if done(first):
            continue
        claim = _take(store, run_id, phase, first, wait=False)
        if claim is None:
            held_by_others.append(first)
        elif done(first):  # finished by its last holder between the check and the claim
            claim.release()
        else:
            yield claim
    if held_by_others:
        before_waiting()
    for first in held_by_others:
        claim = _take(store, run_id, phase, first, wait=True)
        if done(first):
            claim.release()
        else:
            yield claim  # its holder stopped before finishing it


def _take(store: EventStore, run_id: UUID, phase: str, first: int, wait: bool) -> Claim | None:
    holding = ExitStack()
    if holding.enter_context(store.exclusive(block_key(run_id, phase, first), wait=wait)):
        return Claim(first, holding)
    holding.close()
    return None
