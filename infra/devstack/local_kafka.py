"""Runs a single-node Apache Kafka (KRaft) on 127.0.0.1 from the jars under .cache/kafka/libs.

The jars are fetched by `make kafka-jars` (Maven, version pinned in infra/devstack/kafka/pom.xml).
Data lives in a temporary folder that is removed on stop.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBS = REPO_ROOT / ".cache" / "kafka" / "libs"

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners={listeners}
advertised.listeners={advertised}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT,SECURE:SASL_SSL
log.dirs={data_dir}
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
{secure}"""

# A SASL_SSL listener (TLS, SCRAM-SHA-512) for the tests of the clients' security settings.
SECURE_PROPERTIES = """\
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secure.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secure.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.secure.ssl.keystore.type=PKCS12
listener.name.secure.ssl.keystore.location={keystore}
listener.name.secure.ssl.keystore.password={password}
"""
SECURE_USER = ("mtf-relay", "local-scram-secret")

LOG4J2 = """\
Configuration:
  Appenders:
    File:
      name: file
      fileName: "{log_file}"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: file
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalKafka:
    """`advertised_port`: a second listener (`client_port`) is told to clients as that port, where a fault
    test's proxy forwards to it; the broker's own listener stays direct."""

    def __init__(
        self,
        port: int | None = None,
        heap: str = "768m",
        advertised_port: int | None = None,
        secure: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.controller_port = free_port()
        self.advertised_port = advertised_port
        self.client_port = free_port() if advertised_port else None
        self.secure_port = free_port() if secure else None  # a SASL_SSL listener beside the plain one
        self.heap = heap
        self.workdir = Path(tempfile.mkdtemp(prefix="mtf-kafka-"))
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.workdir / "broker.log"

    def start(self, timeout: float = 60.0) -> str:
        if not any(LIBS.glob("kafka_2.13-*.jar")):
            raise RuntimeError(f"Kafka jars missing under {LIBS}: run `make kafka-jars` first")
        props = self.workdir / "server.properties"
        listeners = [f"PLAINTEXT://127.0.0.1:{self.port}", f"CONTROLLER://127.0.0.1:{self.controller_port}"]
        advertised = [f"PLAINTEXT://127.0.0.1:{self.port}"]
        if self.client_port:
            listeners.append(f"CLIENT://127.0.0.1:{self.client_port}")
            advertised.append(f"CLIENT://127.0.0.1:{self.advertised_port}")
        if self.secure_port:
            listeners.append(f"SECURE://127.0.0.1:{self.secure_port}")
            advertised.append(f"SECURE://127.0.0.1:{self.secure_port}")
        props.write_text(
            SERVER_PROPERTIES.format(
                listeners=",".join(listeners),
                advertised=",".join(advertised),
                controller_port=self.controller_port,
                data_dir=self.workdir / "data",
                secure=self._secure_properties() if self.secure_port else "",
            )
        )
        (self.workdir / "log4j2.yaml").write_text(LOG4J2.format(log_file=self.log_file))
        scram = ["--add-scram", f"SCRAM-SHA-512=[name={SECURE_USER[0]},password={SECURE_USER[1]}]"]
        self._java(
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={_cluster_id()}",
            "-c",
            str(props),
            *(scram if self.secure_port else []),
        )
        self.process = self._spawn_broker(props)
        self._wait_until_ready(timeout)
        log.info("Kafka ready at %s (logs: %s)", self.bootstrap, self.log_file)
        return self.bootstrap

    @property
    def secure_bootstrap(self) -> str:
        return f"127.0.0.1:{self.secure_port}"

    @property
    def certificate(self) -> Path:
        """The secure listener's self-signed certificate (PEM), the CA file its clients trust."""
        return self.workdir / "broker.pem"

    def _secure_properties(self) -> str:
        """A self-signed certificate for 127.0.0.1 in a PKCS12 keystore (keytool, from the JDK), and the
        listener's settings."""
        keystore, password = self.workdir / "broker.p12", "local-keystore"
        keytool = ["keytool", "-storetype", "PKCS12", "-keystore", str(keystore), "-storepass", password]
        _run(
            [
                *keytool,
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1,DNS:localhost",
            ]
        )
        _run([*keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", str(self.certificate)])
        return SECURE_PROPERTIES.format(keystore=keystore, password=password)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def crash(self) -> None:
        """Kills the broker as a crash would (SIGKILL), keeping its data for `restart`."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self, timeout: float = 60.0) -> None:
        """Starts the broker again on the data it left, on the same ports."""
        self.log_file.unlink(missing_ok=True)  # readiness is read from this log
        self.process = self._spawn_broker(self.workdir / "server.properties")
        self._wait_until_ready(timeout)

    def _classpath(self) -> str:
        return str(LIBS / "*")

    def _java_options(self) -> list[str]:
        return [
            f"-Xmx{self.heap}",
            f"-Xms{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.workdir / 'log4j2.yaml'}",
            f"-Dkafka.logs.dir={self.workdir}",
        ]

    def _java(self, main: str, *args: str) -> None:
        done = subprocess.run(
            ["java", *self._java_options(), "-cp", self._classpath(), main, *args],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{main} failed: {done.stdout}{done.stderr}")

    def _spawn_broker(self, props: Path) -> subprocess.Popen:
        out = open(self.workdir / "stdout.log", "wb")
        return subprocess.Popen(
            ["java", *self._java_options(), "-cp", self._classpath(), "kafka.Kafka", str(props)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Kafka exited early; see {self.workdir}/stdout.log")
            if self.log_file.exists() and "Kafka Server started" in self.log_file.read_text(errors="ignore"):
                return
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"Kafka not ready within {timeout}s")


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def java_available() -> bool:
    return shutil.which("java") is not None and os.access(shutil.which("java"), os.X_OK)
