"""The whole pipeline on a broker that takes only TLS with SCRAM-SHA-512: the relay publishes, the
projector consumes, the notifications and the topic administration connect with the same settings; a
client without the credentials is turned away. Topics are created with the configured replication,
min.insync.replicas and retention. A broker of its own (the suite's has no secure listener)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError

from infra.devstack.local_kafka import SECURE_USER, LocalKafka
from infra.messaging.kafka_security import client_options
from tests import flows
from tests.support import AUDITOR, eventually, fresh_settings, serving


@pytest.fixture(scope="module")
def secure_kafka():
    kafka = LocalKafka(heap="512m", secure=True)
    kafka.start()
    yield kafka
    kafka.stop()


async def test_the_pipeline_runs_on_a_broker_that_requires_tls_and_scram(secure_kafka):
    settings = fresh_settings(
        kafka=True,
        kafka_bootstrap=secure_kafka.secure_bootstrap,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=SECURE_USER[0],
        kafka_sasl_password=SECURE_USER[1],
        kafka_ssl_cafile=secure_kafka.certificate,
        kafka_min_insync_replicas=1,
        kafka_retention_ms={"mtf.access.v1": 86_400_000},
    )
    async with serving(settings) as (_, client):
        created = await flows.new_contract(client)

        async def projected() -> bool:
            answer = await client.get(f"/api/v1/contracts/{created['id']}", headers=AUDITOR)
            return answer.status_code == 200 and answer.json()["status"] == "active"

        await eventually(projected, timeout=30)
        ready = await client.get("/ready")
        assert ready.status_code == 200 and ready.json()["checks"]["broker"]["ok"], ready.text

    admin = AIOKafkaAdminClient(bootstrap_servers=secure_kafka.secure_bootstrap, **client_options(settings))
    await admin.start()
    try:
        access = settings.topic("access")
        (described,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, access)])
        configs = {name: value for name, value, *_ in described.resources[0][4]}
        assert configs["retention.ms"] == "86400000" and configs["min.insync.replicas"] == "1"
    finally:
        await admin.close()


async def test_a_client_without_the_credentials_is_turned_away(secure_kafka, caplog):
    wrong = fresh_settings(
        kafka=True,
        kafka_bootstrap=secure_kafka.secure_bootstrap,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username=SECURE_USER[0],
        kafka_sasl_password="not-the-password",
        kafka_ssl_cafile=secure_kafka.certificate,
    )
    admin = AIOKafkaAdminClient(
        bootstrap_servers=secure_kafka.secure_bootstrap, request_timeout_ms=3000, **client_options(wrong)
    )
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(admin.start(), 15)
    await admin.close()
    assert "SaslAuthenticationFailed" in caplog.text  # refused for the password, not for want of a broker
