"""Kafka topics and the relay's producer sink."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Protocol, Sequence

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from opentelemetry.trace import SpanKind

from infra.kernel.settings import Settings
from infra.kernel.telemetry import links_from, tracer
from infra.messaging.kafka_security import client_options, topic_config
from infra.messaging.partitioning import partition_for
from schemas.catalog import AGGREGATES
from schemas.envelope import CloudEvent
from schemas.envelopes import encode, kafka_headers
from schemas.personal_data import PII_TOPIC_NAME, PII_TYPE

log = logging.getLogger(__name__)
# aiokafka's producer logs every record it sends, value included, at debug: personal data on
# mtf.client-pii.v1. Held at info whatever level the process logs at.
logging.getLogger("aiokafka.producer.producer").setLevel(logging.INFO)
STOP_TIMEOUT_S = 5.0
# A request the broker does not answer within this fails (and is retried by the caller's loop), instead of
# aiokafka's default 40 s.
REQUEST_TIMEOUT_MS = 10_000
DEAD_LETTER_TOPIC = "mtf.deadletter.v1"  # what the relay parked: positions and errors, no event data


# Compaction keeps each client's latest record; a tombstone is kept a day (for consumers catching up to see
# it), then removed with the record it erases.
PERSONAL_TOPIC_CONFIG = {"cleanup.policy": "compact", "delete.retention.ms": str(24 * 3600 * 1000)}


def all_topics(settings: Settings) -> list[str]:
    return [settings.topic(aggregate) for aggregate in AGGREGATES]


async def ensure_topics(settings: Settings) -> None:
    await create_missing_topics(settings, all_topics(settings))


async def create_missing_topics(
    settings: Settings, topics: list[str], config: dict[str, str] | None = None
) -> None:
    """Creates those of `topics` the broker lacks, with `config` (retention, say); an existing topic is left
    as it is."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        request_timeout_ms=REQUEST_TIMEOUT_MS,
        **client_options(settings),
    )
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
                            replication_factor=settings.kafka_replication_factor,
                            topic_configs={**topic_config(settings, t), **(config or {})},
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


class LazyProducer:
    """A producer that connects when first used, and again after a failed attempt: a relay starts whether
    or not the broker is up, and its deliveries fail (and are retried) until the broker comes."""

    def __init__(
        self, make: Callable[[], AIOKafkaProducer], prepare: Callable[[], Awaitable[None]], what: str
    ) -> None:
        self._make, self._prepare, self.what = make, prepare, what
        self._producer: AIOKafkaProducer | None = None

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def get(self) -> AIOKafkaProducer:
        if self._producer is None:
            await self._prepare()
            producer = self._make()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            log.info("the %s producer is connected", self.what)
        return self._producer

    async def try_now(self) -> None:
        """Connects at start if the broker is there; if not, says so and leaves it to the first use."""
        try:
            await self.get()
        except Exception as error:  # noqa: BLE001 - the broker may come later
            log.warning("the %s producer could not connect yet (%s); it will try again", self.what, error)

    async def stop(self) -> None:
        if self._producer is not None:
            await stop_producer(self._producer, self.what)


Record = tuple[str, bytes, bytes | None, list[tuple[str, bytes]]]  # topic, key, value, headers


async def send_by_partition(producer: AIOKafkaProducer, records: Sequence[Record]) -> None:
    """Sends keyed records as one batch per partition (more where a batch fills up) and waits for every
    acknowledgement. The partition is the one the default partitioner would pick for the key, so an
    aggregate's records stay on one partition, in order. A batch per partition costs the relay a
    fraction of what a `send` per record costs (docs/performance.md)."""
    partitions: dict[str, list[int]] = {}
    by_partition: dict[tuple[str, int], list[Record]] = {}
    for record in records:
        topic, key = record[0], record[1]
        if topic not in partitions:
            partitions[topic] = sorted(await producer.partitions_for(topic))
        by_partition.setdefault((topic, partition_for(key, partitions[topic])), []).append(record)
    acknowledged = []
    for (topic, partition), batched in by_partition.items():
        batch = producer.create_batch()
        for _, key, value, headers in batched:
            if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:  # full
                acknowledged.append(await producer.send_batch(batch, topic, partition=partition))
                batch = producer.create_batch()
                if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:
                    raise ValueError(f"a record of {len(value or b'')} bytes does not fit in a batch")
        acknowledged.append(await producer.send_batch(batch, topic, partition=partition))
    await asyncio.gather(*acknowledged)


class KafkaSink:
    """Publishes CloudEvents keyed by aggregate id; idempotent producer, acks from all replicas."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dead_letter_topic = settings.kafka_topic_prefix + DEAD_LETTER_TOPIC
        self.producer = LazyProducer(self._producer, self._prepare, "relay's")

    async def _prepare(self) -> None:
        await ensure_topics(self.settings)
        await create_missing_topics(self.settings, [self.dead_letter_topic])
        await create_missing_topics(self.settings, [self.personal_topic], PERSONAL_TOPIC_CONFIG)

    @property
    def personal_topic(self) -> str:
        return self.settings.topic(PII_TOPIC_NAME)

    def _producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            max_batch_size=256 * 1024,
            compression_type=None,
            request_timeout_ms=REQUEST_TIMEOUT_MS,
            **client_options(self.settings),
        )

    @property
    def connected(self) -> bool:
        return self.producer.connected

    async def start(self) -> None:
        await self.producer.try_now()

    async def stop(self) -> None:
        await self.producer.stop()

    async def deliver(self, events: Sequence[CloudEvent]) -> None:
        if not self.settings.traces_recorded:  # links cost a parse per event: only for spans someone keeps
            return await self._send(events)
        # A span per batch, after the messaging conventions, linked to each event's own trace
        with tracer.start_as_current_span(
            "publish",
            kind=SpanKind.PRODUCER,
            links=links_from([e.traceparent for e in events]),
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "publish",
                "messaging.batch.message_count": len(events),
                "messaging.destination.name": ",".join(
                    sorted({self.settings.topic(e.aggregatetype) for e in events})
                ),
            },
        ):
            await self._send(events)

    async def _send(self, events: Sequence[CloudEvent]) -> None:
        producer = await self.producer.get()
        topic = self.settings.topic
        await send_by_partition(
            producer,
            [(topic(e.aggregatetype), e.subject.encode(), encode(e), kafka_headers(e)) for e in events],
        )

    async def deliver_personal(self, records: Sequence[tuple[bytes, bytes | None]]) -> None:
        """Records of the compacted personal-data topic, keyed by client id; a None value is a tombstone."""
        producer = await self.producer.get()
        headers = [("content-type", b"application/json"), ("ce_type", PII_TYPE.encode())]
        topic = self.personal_topic
        await send_by_partition(
            producer, [(topic, key, value, headers if value else []) for key, value in records]
        )

    async def announce_parked(self, consumer: str, parked: Sequence[tuple[Any, str, bool]]) -> None:
        """A record per parked stored event on the dead-letter topic, keyed by aggregate: where it is in the
        log and why, never its data (which may be personal)."""
        producer = await self.producer.get()
        sends = [
            await producer.send(
                self.dead_letter_topic,
                value=orjson.dumps(
                    {
                        "consumer": consumer,
                        "position": n.id,
                        "stored_topic": n.topic,
                        "aggregate_id": str(n.originator_id),
                        "aggregate_version": n.originator_version,
                        "error": error,
                        "held": held,
                    }
                ),
                key=str(n.originator_id).encode(),
            )
            for n, error, held in parked
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
