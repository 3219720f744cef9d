"""The projection consumer: a FastStream Kafka subscriber feeding the projector in batches.

Offsets are committed only after the batch's transaction commits (AckPolicy.NACK_ON_ERROR:
a failed batch is rewound and redelivered), so a crash never skips an event.
"""

from __future__ import annotations

import logging

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from infra.kernel.settings import Settings
from infra.kernel.telemetry import links_from, tracer
from infra.messaging.kafka import REQUEST_TIMEOUT_MS, BatchProjector, all_topics
from infra.messaging.kafka_security import broker_security
from schemas.envelopes import decode

log = logging.getLogger(__name__)


def build_consumer(settings: Settings, projector: BatchProjector) -> KafkaBroker:
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        client_id="mtf-projector",
        logger=log,
        request_timeout_ms=REQUEST_TIMEOUT_MS,
        security=broker_security(settings),
    )

    @broker.subscriber(
        *all_topics(settings),
        group_id=settings.consumer_group,
        batch=True,
        max_records=settings.projection_batch_size,
        batch_timeout_ms=50,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_record_values,
    )
    async def project(body: list[bytes]) -> None:
        events = [decode(value) for value in body]
        # Links only matter on a recorded span, and extracting them costs projector CPU (docs/performance.md).
        links = links_from([e.traceparent for e in events]) if settings.traces_recorded else ()
        with tracer.start_as_current_span("project batch", links=links):
            await projector.apply_batch(events)

    return broker


async def _record_values(message: KafkaMessage) -> list[bytes]:
    """The batch's record values, as they came. FastStream's own decoder builds a message object
    for every record and decodes its JSON body, which `decode` then parses again (docs/performance.md)."""
    raw = message.raw_message
    return [record.value for record in (raw if isinstance(raw, tuple) else (raw,))]
