"""Which partition a keyed record goes to: Kafka's default, murmur2 of the key modulo the partition count.

The same choice as aiokafka's (and Java's) default partitioner, so an aggregate's records stay on the
partition they always had; computed here because the relay sends whole batches per partition.
aiokafka's murmur2 reads one byte at a time in Python; this one reads 32-bit words with `struct`.
"""

from __future__ import annotations

import struct
from functools import lru_cache

SEED = 0x9747B28C
M = 0x5BD1E995
MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    length = len(data)
    h = SEED ^ length
    words = length // 4
    for k in _words(words).unpack_from(data):
        k = (k * M) & MASK
        k ^= k >> 24
        k = (k * M) & MASK
        h = ((h * M) & MASK) ^ k
    tail = data[words * 4 :]
    if len(tail) >= 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h = ((h ^ tail[0]) * M) & MASK
    h ^= h >> 13
    h = (h * M) & MASK
    return h ^ (h >> 15)


@lru_cache(maxsize=64)
def _words(count: int) -> struct.Struct:
    return struct.Struct(f"<{count}I")


def partition_for(key: bytes, partitions: list[int]) -> int:
    """`partitions`: every partition of the topic, sorted by id."""
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]
