"""How this process's Kafka clients reach the brokers: TLS, SASL (SCRAM or PLAIN), or neither, from the
settings; one place, so that the relay's producer, the projector's consumer, the notifications sender,
the topic administration and the readiness probe all connect the same way."""

from __future__ import annotations

import ssl
from typing import Any

from infra.kernel.settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if not settings.kafka_security_protocol.endswith("SSL"):
        return None
    context = ssl.create_default_context(
        cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    )
    if settings.kafka_ssl_certfile:
        context.load_cert_chain(
            str(settings.kafka_ssl_certfile),
            str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        )
    return context


def client_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of every aiokafka client (producer, consumer, admin)."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.kafka_security_protocol.startswith("SASL"):
        password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=password,
        )
    return options


def broker_security(settings: Settings):
    """The same, as FastStream's `security=` of a KafkaBroker (the projector's consumer)."""
    from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

    context = ssl_context(settings)
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    kind = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    return kind[settings.kafka_sasl_mechanism](
        settings.kafka_sasl_username or "", password, ssl_context=context, use_ssl=protocol == "SASL_SSL"
    )


def topic_config(settings: Settings, topic: str) -> dict[str, str]:
    """The configuration a topic this system creates gets from the settings (name without prefix)."""
    config: dict[str, str] = {}
    if settings.kafka_min_insync_replicas:
        config["min.insync.replicas"] = str(settings.kafka_min_insync_replicas)
    bare = topic.removeprefix(settings.kafka_topic_prefix)
    if bare in settings.kafka_retention_ms:
        config["retention.ms"] = str(settings.kafka_retention_ms[bare])
    return config
