"""Runtime configuration, read from MTF_* environment variables (and an optional .env file)."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.operator import Operator
from infra.kernel.api_keys import HASHED, KeyRing
from infra.kernel.telemetry import effective_ratio

_CLEAR_KEY = "the production profile takes API keys by their hash (sha256:...); `mtf hash-key` prints it"

ROLES = ("operator", "auditor", "admin", "integrator")
SCOPE = (
    r"^(read|[a-z][a-z-]*:write)$"  # read: every GET; <resource>:write: the writes under /api/v1/<resource>
)

HOLDER = r"^(staff|partner):[a-z0-9][a-z0-9._-]{0,63}$"


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""


class KeyGrant(BaseModel):
    """What one API key may do: its role's endpoints, narrowed to `scopes` when given (partner keys)."""

    model_config = ConfigDict(frozen=True)

    role: str
    scopes: frozenset[Annotated[str, StringConstraints(pattern=SCOPE)]] | None = None
    # Who holds the key, recorded as the actor of what it does: a person on the operator's staff
    # ("staff:<login>") or a partner system ("partner:<name>"). Unnamed: a fingerprint of the key.
    holder: Annotated[str, StringConstraints(pattern=HOLDER)] | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MTF_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset: an embedded PostgreSQL is started under data_dir.",
    )
    data_dir: Path = Path(".mtf")
    web_dist: Path = Field(
        default=Path(__file__).resolve().parents[2] / "web" / "dist",
        description="The built front ends (`vite build` in web/); "
        "the gateway serves the workspace from here when it exists.",
    )
    kafka_bootstrap: str | None = Field(
        default=None, description="Kafka bootstrap servers. Unset: projections run in-process."
    )
    kafka_topic_prefix: str = Field(default="", description="Prepended to every topic name.")
    kafka_partitions: int = 6
    consumer_group: str = "mtf-projections"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How every Kafka client of this process talks to the brokers."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-512", description="With SASL_PLAINTEXT or SASL_SSL."
    )
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(
        default=None,
        description="PEM file of the CA that signed the brokers' certificates; the system's by default.",
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="Client certificate (PEM), for mutual TLS."
    )
    kafka_ssl_keyfile: Path | None = Field(default=None, description="Its private key (PEM).")
    kafka_replication_factor: int = Field(
        default=1, ge=1, description="Replicas of each topic this system creates (3 on a production cluster)."
    )
    kafka_min_insync_replicas: int | None = Field(
        default=None,
        ge=1,
        description="min.insync.replicas of the topics created; the broker's default if unset.",
    )
    kafka_retention_ms: dict[str, int] = Field(
        default_factory=dict,
        description='retention.ms per topic created, by its name without prefix ({"mtf.access.v1": 7776000000}); '
        "-1 keeps for ever. Unlisted topics get the broker's default.",
    )

    api_keys: dict[str, str | KeyGrant] = Field(
        default_factory=dict,
        description="JSON object mapping each API key's hash (sha256:..., from `mtf hash-key`; a key in clear "
        'outside production) to its role, or to {"role", "scopes", "holder"}.',
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="A JSON file with the same mapping, merged into api_keys; edits apply within a second.",
    )

    master_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 random bytes: wraps each client's data key (the personal data's encryption). "
        "Unset: a development key, refused by the production profile. Keep it outside the database.",
    )
    retention_days: int = Field(
        default=3653,
        ge=0,
        description="How long after the end of the relationship (closing, last termination, last payment) a "
        "client with history must be kept before it may be erased: ten years by default.",
    )

    refusal_window_s: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="Refused calls (403) of one key and address are counted per window this long: one audit "
        "entry per call and window, however often it is repeated.",
    )
    refusal_limit: int = Field(
        default=20,
        ge=1,
        description="Refused calls of one key and address per window before 429 Too Many Requests.",
    )
    max_body_bytes: int = 256 * 1024
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins whose browsers may call the API (the workspace, the self-service site); JSON list.",
    )
    command_threads: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Commands one gateway process runs at once; the others wait their turn. "
        "More threads only contend for the GIL.",
    )
    consistency_wait_ms: int = 2000
    server_timing: bool = Field(
        default=False,
        description="Answer each request with a Server-Timing header: "
        "where its time went (queue, command, append, resume, app).",
    )
    landing_token_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a self-service visitor's token lasts."
    )
    landing_failures_per_cin: int = Field(
        default=5,
        ge=1,
        description="Verification requests for one CIN allowed per window before each must wait longer than the last.",
    )
    landing_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Verification requests from one client address allowed per window before the growing wait.",
    )
    landing_codes_per_number: int = Field(
        default=5, ge=1, description="One-time codes sent to one number per window before the growing wait."
    )
    landing_code_minutes: int = Field(default=5, ge=1, le=30, description="How long a one-time code lasts.")
    landing_code_tries: int = Field(
        default=5, ge=1, le=10, description="Wrong answers one code allows before it is dead."
    )
    notifications_sender: Literal["auto", "kafka", "console", "none"] = Field(
        default="auto",
        description="Who gets the notifications outbox: auto is kafka with a broker, else the console; "
        "none leaves the rows for another process (or a test) to read.",
    )
    landing_draft_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="How long a saved self-service draft is kept after its last save.",
    )
    landing_submissions_per_address: int = Field(
        default=5, ge=1, description="Subscription submissions from one client address allowed per window."
    )
    landing_number_hold_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="How long a number shown to a self-service visitor is held for their draft.",
    )
    landing_number_holds_per_address: int = Field(
        default=20, ge=1, description="Number-hold requests from one client address allowed per window."
    )
    landing_attempt_window_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="The window failed verifications and submissions are counted over.",
    )
    ready_max_relay_lag: int = 10_000

    scheduler: bool = Field(
        default=False,
        description="Gateways start the monthly billing run and the daily collections sweep by themselves "
        "(one of them at a time). Off by default, so that no development or test process bills on its own.",
    )
    billing_day: int = Field(
        default=1, ge=1, le=28, description="The day of the month the run for the month before starts."
    )
    billing_hour: int = Field(
        default=2, ge=0, le=23, description="The hour (UTC) the monthly billing run starts."
    )
    sweep_hour: int = Field(
        default=6, ge=0, le=23, description="The hour (UTC) the daily collections sweep starts."
    )
    scheduler_poll_s: float = Field(
        default=60, gt=0, le=3600, description="How often the scheduler checks what is due."
    )

    relay_batch_size: int = 500
    relay_lease_timeout_s: float = Field(
        default=10,
        ge=1,
        le=300,
        description="A relay leader whose lease is not renewed for this long loses the lead to a standby "
        "(a leader cut off by the network); the lead moves within about this plus a second.",
    )
    relay_idle_poll_ms: int = Field(
        default=1000,
        ge=10,
        description="The relay is woken by each append's NOTIFY; it also polls this often, should one be lost.",
    )
    relay_min_interval_ms: int = Field(
        default=100,
        ge=0,
        le=1000,
        description="Shortest time between two relay batches while events keep coming (fewer, fuller batches).",
    )
    projection_batch_size: int = 500

    fixed_today: date | None = Field(
        default=None, description="Pins the clock's date (tests, replays of a past day)."
    )
    vat_rate: Decimal = Field(
        default=Decimal("0.20"), ge=0, le=1, description="TVA on each invoice line's net amount."
    )
    payment_terms_days: int = Field(
        default=30, ge=0, le=365, description="Due date = issue date + this many days."
    )
    billing_block_size: int = Field(
        default=500, ge=1, le=10_000, description="Clients billed per append; each block is one atomic save."
    )
    collections_reminder_dpd: int = Field(
        default=1, ge=1, description="Days past due that send the first payment reminder."
    )
    collections_case_dpd: int = Field(
        default=15, ge=1, description="Days past due that open a collection case."
    )
    collections_warning_dpd: int = Field(
        default=30, ge=1, description="Days past due that send the formal warning."
    )
    collections_delinquent_dpd: int = Field(
        default=60, ge=1, description="Days past due that mark the client delinquent."
    )
    profile: Literal["development", "production"] = Field(
        default="development",
        description="production refuses to start with the operator's placeholder legal identifiers.",
    )
    operator_name: str = "MT-Facturation Telecom SA"
    operator_address: str = "Avenue Mohammed VI, Rabat, Maroc"
    operator_ice: str = Field(
        default="000000000000000", description="ICE, the 15-digit common company identifier."
    )
    operator_if: str = Field(default="00000000", description="IF, the tax identifier.")
    operator_rc: str = Field(default="Rabat 00000", description="RC, the trade register entry and its city.")
    operator_patente: str = Field(default="00000000", description="The patente (professional tax) number.")
    operator_capital: str = Field(default="10 000 000 MAD", description="The share capital, as printed.")
    document_verify_url: str = Field(
        default="http://127.0.0.1:8000/api/v1/documents/verify",
        description="The public verification endpoint a document's QR code points to.",
    )
    pdf_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Processes rendering a billing run's invoice PDFs; 0: one per core.",
    )
    pdf_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description="How much nicer (in the OS scheduler's terms) the PDF renderers run than the rest: "
        "on a busy machine a run's PDFs wait for its invoices to be published and projected.",
    )
    document_font_dir: Path = Field(
        default=Path("/usr/share/fonts/truetype/dejavu"),
        description="Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are (Debian's fonts-dejavu-core): Latin and Arabic.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    health_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="`mtf relay` and `mtf project` serve /health and /ready on this port (on MTF_HTTP_HOST); "
        "they serve nothing by default.",
    )
    log_level: str = "info"
    log_format: Literal["json", "text"] = Field(
        default="json", description="One JSON object per line (json), or plain lines for a terminal (text)."
    )
    access_log_sample: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="The share of answered requests logged (method, route, status, duration); every 5xx is.",
    )
    otel_console: bool = False
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MTF_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="An OTLP/HTTP collector, e.g. http://127.0.0.1:4318: spans go to <it>/v1/traces, metrics to "
        "<it>/v1/metrics. The standard OTEL_EXPORTER_OTLP_ENDPOINT works too.",
    )
    otel_service_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MTF_OTEL_SERVICE_NAME", "OTEL_SERVICE_NAME"),
        description="The service name in traces and metrics; by default the process's (mtf-gateway, mtf-relay...). "
        "The standard OTEL_SERVICE_NAME works too.",
    )
    otel_sample_ratio: float | None = Field(
        default=None, ge=0, le=1, description="Share of traces recorded; default 1 with an exporter, else 0."
    )

    @field_validator("api_keys")
    @classmethod
    def _roles_are_known(cls, keys: dict[str, Any]) -> dict[str, KeyGrant]:
        """Each key's grant: a role name, or {"role", "scopes"}, as configured."""
        grants = {
            key: KeyGrant(role=grant) if isinstance(grant, str) else KeyGrant.model_validate(grant)
            for key, grant in keys.items()
        }
        unknown = sorted({grant.role for grant in grants.values() if grant.role not in ROLES})
        if unknown:
            raise ValueError(f"unknown roles in api_keys: {unknown}")
        for grant in grants.values():
            if grant.role == "integrator" and (
                grant.scopes is None or not (grant.holder or "").startswith("partner:")
            ):
                raise ValueError(
                    'an integrator key belongs to a partner: give it "holder": "partner:<name>" and scopes'
                )
        return grants

    @model_validator(mode="after")
    def _production_keys_are_hashed(self) -> Settings:
        if self.profile == "production" and any(not HASHED.match(key) for key in self.api_keys):
            raise ValueError(_CLEAR_KEY)
        return self

    def _file_grants(self, keys: dict[str, Any]) -> dict[str, KeyGrant]:
        if self.profile == "production" and any(not HASHED.match(key) for key in keys):
            raise ValueError(_CLEAR_KEY)
        return self._roles_are_known(keys)

    @cached_property
    def api_key_ring(self) -> KeyRing:
        """The keys this process accepts, by hash, reloaded from the keys file when it changes."""
        if self.api_keys_file and not self.api_keys_file.is_file():
            raise ValueError(f"MTF_API_KEYS_FILE {self.api_keys_file} does not exist or is not a file")
        return KeyRing(self.api_keys, self.api_keys_file, self._file_grants)

    @field_validator("master_key", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        return None if value == "" else value  # `MTF_MASTER_KEY=` (compose's unset variable) means unset

    @model_validator(mode="after")
    def _production_has_a_master_key(self) -> Settings:
        if self.profile == "production" and self.master_key is None:
            raise ValueError("the production profile needs MTF_MASTER_KEY (base64 of 32 random bytes)")
        if self.master_key is not None and len(_base64(self.master_key.get_secret_value())) != 32:
            raise ValueError("MTF_MASTER_KEY must be the base64 of exactly 32 bytes")
        return self

    @property
    def master_key_text(self) -> str | None:
        return self.master_key.get_secret_value() if self.master_key else None

    @model_validator(mode="after")
    def _production_has_real_identifiers(self) -> Settings:
        if self.profile == "production" and (missing := self.operator.placeholders()):
            raise ValueError(
                f"the production profile needs the operator's real legal identifiers; placeholders: {missing} "
                "(set MTF_OPERATOR_ICE, _IF, _RC, _PATENTE)"
            )
        return self

    @property
    def operator(self) -> Operator:
        return Operator(
            name=self.operator_name,
            address=self.operator_address,
            ice=self.operator_ice,
            tax_id=self.operator_if,
            trade_register=self.operator_rc,
            patente=self.operator_patente,
            capital=self.operator_capital,
            verify_url=self.document_verify_url,
        )

    @property
    def traces_recorded(self) -> bool:
        """Whether any span is recorded (see infra.kernel.telemetry.configure); trace ids propagate regardless."""
        return effective_ratio(**self.telemetry()) > 0

    def telemetry(self) -> dict[str, Any]:
        """The options of `infra.kernel.telemetry.configure`."""
        return {
            "console": self.otel_console,
            "sample_ratio": self.otel_sample_ratio,
            "otlp_endpoint": self.otel_exporter_otlp_endpoint,
            "service_name": self.otel_service_name,
        }

    def topic(self, aggregate_type: str) -> str:
        return f"{self.kafka_topic_prefix}mtf.{aggregate_type}.v1"
