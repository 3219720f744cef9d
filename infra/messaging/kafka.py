"""Kafka topics and the relay's producer sink."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from infra.kernel.settings import Settings
from schemas.catalog import AGGREGATES
from schemas.envelope import CloudEvent
from schemas.envelopes import encode, kafka_headers

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 5.0


def all_topics(settings: Settings) -> list[str]:
    return [settings.topic(aggregate) for aggregate in AGGREGATES]


async def ensure_topics(settings: Settings) -> None:
    await create_missing_topics(settings, all_topics(settings))


async def create_missing_topics(
    settings: Settings, topics: list[str], config: dict[str, str] | None = None
) -> None:
    """Creates those of `topics` the broker lacks, with `config` (retention, say); an existing topic is left
    as it is."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            t,
                            num_partitions=settings.kafka_partitions,
                            replication_factor=1,
                            topic_configs=config or {},
                        )
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def stop_producer(producer: AIOKafkaProducer, what: str) -> None:
    """The producer flushes before it closes, and waits for ever for a broker that is away: 5 s, then give up."""
    try:
        await asyncio.wait_for(producer.stop(), STOP_TIMEOUT_S)
    except asyncio.TimeoutError:
        log.warning(
            "the %s producer did not flush within %.0f s; what the broker did not acknowledge is sent again",
            what,
            STOP_TIMEOUT_S,
        )


class KafkaSink:
    """Publishes CloudEvents keyed by aggregate id; idempotent producer, acks from all replicas."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            max_batch_size=256 * 1024,
            compression_type=None,
        )

    async def start(self) -> None:
        await ensure_topics(self.settings)
        await self.producer.start()

    async def stop(self) -> None:
        await stop_producer(self.producer, "relay's")

    async def deliver(self, events: Sequence[CloudEvent]) -> None:
        sends = [
            await self.producer.send(
                self.settings.topic(e.aggregatetype),
                value=encode(e),
                key=e.subject.encode(),
                headers=kafka_headers(e),
            )
            for e in events
        ]
        await asyncio.gather(*sends)


class BatchProjector(Protocol):
    """What delivered batches feed: the read models' projector (projections/projector.py)."""

    async def apply_batch(self, events: Sequence[CloudEvent]) -> object: ...


class InProcessSink:
    """Without Kafka: hands the batch straight to the projections, same handlers, same tracking."""

    def __init__(self, projector: BatchProjector) -> None:
        self.projector = projector

    async def deliver(self, events: Sequence[CloudEvent]) -> None:
        await self.projector.apply_batch(events)
