"""The relay picks each record's partition itself (it sends a batch per partition): the same partition as
Kafka's default partitioner, so an aggregate's records never move to another partition."""

from __future__ import annotations

import uuid

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from infra.messaging.partitioning import murmur2, partition_for


@given(st.binary(max_size=200))
def test_murmur2_is_kafkas(data: bytes):
    assert murmur2(data) == aiokafka_murmur2(data)


@given(st.uuids(), st.integers(min_value=1, max_value=64))
def test_a_key_goes_to_the_partition_the_default_partitioner_picks(key: uuid.UUID, count: int):
    partitions = list(range(count))
    encoded = str(key).encode()
    assert partition_for(encoded, partitions) == DefaultPartitioner()(encoded, partitions, partitions)
