"""`mtf`: run the system, its distributed processes, replays and exports."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import secrets
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Optional

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from domain.billing import Totals
from domain.billing_run import BillingRun
from domain.errors import DomainError
from domain.period import Period
from infra.kernel import logs, telemetry
from infra.kernel.command_context import CommandContext
from infra.kernel.settings import ROLES, Settings
from infra.runtime.assembly import running
from infra.runtime.features import PROJECTIONS
from projections import dead_letters, redelivery
from projections.replay import replay as rebuild

# Each process imports what its role needs, in the command that takes the role: the gateway's app and server,
# billing, collections and the document tools. Imported here, every relay and projector process held them all
# (docs/performance.md). This is for memory: the layers would allow these imports at the top.


app = typer.Typer(help="MT-Facturation: event-sourced billing backend.", no_args_is_help=True)
console = Console()


def _settings(process: str = "mtf-cli") -> Settings:
    """The settings, with logging and tracing set up for this process (its service name in traces)."""
    settings = Settings()
    logs.configure(process, settings.log_level, settings.log_format)

    telemetry.configure(process, **settings.telemetry())
    return settings


def _dev_keys(settings: Settings) -> Settings:
    """No keys configured: make one random key per role in a local file (never in code) and print them."""
    if settings.api_key_ring.grants():
        return settings
    path = settings.data_dir / "dev-api-keys.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            orjson.dumps(
                {f"dev-{role}-{secrets.token_urlsafe(18)}": _dev_grant(role) for role in ROLES},
                option=orjson.OPT_INDENT_2,
            )
        )
        path.chmod(0o600)
    else:  # made before integrator keys named their partner: give them one
        grants = orjson.loads(path.read_bytes())
        if "integrator" in grants.values():
            upgraded = {
                key: _dev_grant(grant) if grant == "integrator" else grant for key, grant in grants.items()
            }
            path.write_bytes(orjson.dumps(upgraded, option=orjson.OPT_INDENT_2))
    settings = settings.model_copy(update={"api_keys_file": path})
    settings.__dict__.pop("api_key_ring", None)
    console.print(f"[bold]Development API keys[/] (from {path}; set MTF_API_KEYS to use your own):")
    for key, grant in orjson.loads(path.read_bytes()).items():
        role = grant if isinstance(grant, str) else grant["role"]
        console.print(f"  {role:<11} X-API-Key: {key}")
    return settings


def _dev_grant(role: str) -> str | dict:
    """A development key's grant: the role, and for the integrator a partner and its scopes."""
    if role != "integrator":
        return role
    return {"role": role, "holder": "partner:dev", "scopes": ["read", "clients:write", "contracts:write"]}


def _serve(settings: Settings, *, relay: bool, projector: bool) -> None:
    import uvicorn

    from infra.runtime.app import create_app

    mode = "Kafka " + settings.kafka_bootstrap if settings.kafka_bootstrap else "in-process projections"
    console.print(
        f"[bold green]MT-Facturation[/] API docs: http://{settings.http_host}:{settings.http_port}/docs  ({mode})"
    )
    _print_front_ends(settings)
    uvicorn.run(
        create_app(settings, relay=relay, projector=projector),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        log_config=None,  # the process's logging (infra/kernel/logs.py) is kept
        access_log=False,
    )


def _print_front_ends(settings: Settings) -> None:
    from gateways.web import WORKSPACE, site_built, workspace_built

    address = f"http://{settings.http_host}:{settings.http_port}"
    if site_built(settings.web_dist):
        console.print(f"[bold green]MT-Facturation[/] self-service site: {address}/")
    if workspace_built(settings.web_dist):
        console.print(f"[bold green]MT-Facturation[/] operator workspace: {address}{WORKSPACE}/")
    else:
        console.print(f"operator workspace not built ({settings.web_dist}): `make run` builds it")


@app.command()
def run() -> None:
    """Everything in one process: gateway, relay and projections (embedded PostgreSQL unless MTF_DATABASE_URL)."""
    settings = _dev_keys(_settings("mtf"))
    _serve(settings, relay=True, projector=True)


@app.command()
def gateway(
    workers: int = typer.Option(1, min=1, help="Worker processes; the gateway is stateless."),
) -> None:
    """The HTTP gateway only (distributed mode)."""
    settings = _settings("mtf-gateway")
    if workers == 1:
        return _serve(settings, relay=False, projector=False)

    console.print(
        f"[bold green]MT-Facturation[/] gateway x{workers}: http://{settings.http_host}:{settings.http_port}/docs"
    )
    _print_front_ends(settings)
    from infra.runtime.workers import serve

    raise typer.Exit(serve(workers, settings.http_host, settings.http_port, settings.log_level))


@app.command()
def relay() -> None:
    """The outbox relay only: notification log -> Kafka."""
    settings = _settings("mtf-relay")
    if not settings.kafka_bootstrap:
        raise typer.BadParameter("mtf relay publishes to Kafka: set MTF_KAFKA_BOOTSTRAP")
    asyncio.run(_work_until_signalled(settings, relay=True, projector=False))


@app.command()
def project() -> None:
    """The projection consumers only: Kafka -> read models."""
    settings = _settings("mtf-projector")
    if not settings.kafka_bootstrap:
        raise typer.BadParameter("mtf project consumes from Kafka: set MTF_KAFKA_BOOTSTRAP")
    asyncio.run(_work_until_signalled(settings, relay=False, projector=True))


async def _work_until_signalled(settings: Settings, *, relay: bool, projector: bool) -> None:
    stop = asyncio.Event()
    _on_stop_signals(lambda _signum: stop.set())
    roles = " and ".join(role for role, wanted in (("relay", relay), ("projector", projector)) if wanted)
    async with running(settings, relay=relay, projector=projector) as runtime, _health(runtime, settings):
        console.print(f"running ({roles}); Ctrl-C to stop")
        await stop.wait()


def _health(runtime, settings: Settings):
    if settings.health_port is None:
        return contextlib.nullcontext()
    from infra.runtime.health_server import serving_health  # a relay or projector without it need not load it

    console.print(f"/health and /ready on http://{settings.http_host}:{settings.health_port}")
    return serving_health(runtime, settings.http_host, settings.health_port)


@app.command()
def replay(
    names: Optional[list[str]] = typer.Argument(None, help="Read models to rebuild; all when omitted."),
) -> None:
    """Drop read models and rebuild them from the event store."""

    settings = _settings()
    chosen = names or list(PROJECTIONS)
    unknown = [n for n in chosen if n not in PROJECTIONS]
    if unknown:
        raise typer.BadParameter(f"unknown read models {unknown}; known: {sorted(PROJECTIONS)}")
    count = asyncio.run(_replay(settings, [PROJECTIONS[n] for n in chosen]))
    console.print(f"replayed {count} events into {', '.join(chosen)}")


async def _replay(settings: Settings, projections) -> int:
    columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    async with running(settings, relay=False, projector=False) as runtime:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("replay", total=None)
            return await rebuild(
                runtime.store,
                runtime.pool,
                projections,
                lambda done, total: progress.update(task, completed=done, total=total),
            )


dead_letters_app = typer.Typer(help="Events parked because they could not be applied or published.")
app.add_typer(dead_letters_app, name="dead-letters")


@dead_letters_app.command("list")
def list_dead_letters(
    status: str = typer.Option("parked", help="parked, retried, discarded, or all."),
) -> None:
    """The dead letters, oldest first: who parked them, the event, and why."""

    async def listed():
        async with running(_settings(), relay=False, projector=False) as runtime:
            async with runtime.pool.acquire() as conn:
                return await dead_letters.listing(conn, None if status == "all" else status, 1000, 0)

    for row in asyncio.run(listed()):
        console.print(
            f"{row['id']:>6}  {row['status']:<9} {row['consumer']:<30} {row['event_type']} "
            f"{row['aggregate_id']} v{row['aggregate_version']}  {'held' if row['held'] else row['error']}"
        )


@dead_letters_app.command("retry")
def retry_dead_letter(dead_letter_id: int = typer.Argument(..., help="A dead letter's id.")) -> None:
    """Applies a read model's parked events of that aggregate again, in order (after a fix)."""

    async def retried():
        async with running(_settings(), relay=False, projector=False) as runtime:
            async with runtime.pool.acquire() as conn, conn.transaction():
                return await redelivery.retry(
                    conn, runtime.store, PROJECTIONS.values(), dead_letter_id, f"cli:{getpass.getuser()}"
                )

    console.print(f"applied dead letters {asyncio.run(_refusals_said(retried()))}")


@dead_letters_app.command("discard")
def discard_dead_letter(
    dead_letter_id: int = typer.Argument(..., help="A dead letter's id."),
    reason: str = typer.Option(..., min=3, help="Why the read model may go without this event."),
) -> None:
    """Accepts that the read model goes without this event; who and why are kept."""

    async def discarded():
        async with running(_settings(), relay=False, projector=False) as runtime:
            async with runtime.pool.acquire() as conn, conn.transaction():
                await redelivery.discard(
                    conn, PROJECTIONS.values(), dead_letter_id, f"cli:{getpass.getuser()}", reason
                )

    asyncio.run(_refusals_said(discarded()))
    console.print(f"discarded dead letter {dead_letter_id}")


async def _refusals_said(work):
    """A refusal (not found, still failing...) printed as its code and message, exit 1, not a traceback."""
    try:
        return await work
    except DomainError as refusal:
        console.print(f"[red]{refusal.code}[/]: {refusal.message}")
        raise typer.Exit(1) from None


@app.command()
def bill(
    period: str = typer.Argument(..., help="The calendar month to bill, YYYY-MM; it must have ended."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Compute and show the invoices; issue, number and publish nothing."
    ),
) -> None:
    """RunBilling: issue the period's invoices and their PDFs, or resume its unfinished run, or work on it
    beside the other `mtf bill` workers already on it (on this machine or others): they share it block by block."""
    settings = _settings()
    asyncio.run(_bill(settings, period, dry_run))


def _cli_context():
    return CommandContext(actor=f"cli:{getpass.getuser()}", role="operator")


async def _bill(settings: Settings, period: str, dry_run: bool) -> None:
    from commands.billing import (
        BillingPaused,
        BillingTerms,
        execute_billing_run,
        pausing,
        preview_billing,
        start_billing_run,
    )

    terms = BillingTerms.from_settings(settings)
    if dry_run:
        _stop_on_signals()  # a dry run writes nothing, so nothing is lost by stopping it mid-way
        console.print(f"dry run of {period}: computing, nothing will be issued")
    async with running(settings, relay=False, projector=False) as runtime:
        try:
            if dry_run:
                position, previews = await asyncio.to_thread(
                    preview_billing, runtime.store, runtime.clock, terms, period
                )
                _print_preview(period, position, previews)
                return
            ctx = _cli_context()
            interrupted = _pause_on_signals()
            started = await asyncio.to_thread(
                start_billing_run, runtime.store, runtime.clock, terms, period, ctx
            )
        except DomainError as error:
            console.print(f"[red]{error.code}[/]: {error.message}")
            raise typer.Exit(2) from None
        run = started.run
        console.print(
            f"billing run {run.id} for {run.period}: {'started' if started.created else run.status}, "
            f"billed against log position {run.billed_position}"
        )
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        blocks = {"invoices": 0, "documents": 0}  # the blocks this worker did, beside any others
        with Progress(*columns, console=console) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                blocks[phase] += 1
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            try:
                run = await asyncio.to_thread(
                    execute_billing_run,
                    runtime.store,
                    runtime.clock,
                    runtime.operator,
                    terms,
                    run.id,
                    ctx,
                    started.roster,
                    pausing(interrupted, progress),
                )
            except BillingPaused as where:
                console.print(f"billing run {run.id} paused after {where}; `mtf bill {period}` resumes it")
                raise typer.Exit(128 + interrupted.signum) from None
            finally:
                _default_signals()
        console.print(
            f"this worker issued {blocks['invoices']} blocks of invoices and documented {blocks['documents']}"
        )
        console.print(
            f"{run.status}: {run.invoices_issued} invoices, net {run.net}, tax {run.tax}, gross {run.gross} MAD"
        )


class _Interrupted(threading.Event):
    signum = 0  # the signal that asked for the pause


def _pause_on_signals() -> _Interrupted:
    """The first SIGINT or SIGTERM asks the run to pause after the block in hand; a second one stops
    the process at once (the block in hand is then rolled back, as after a crash)."""
    interrupted = _Interrupted()

    def pause(signum: int) -> None:
        interrupted.signum = signum
        interrupted.set()
        _stop_on_signals()
        console.print("pausing after the block in hand (Ctrl-C again stops at once)")

    _on_stop_signals(pause)
    return interrupted


def _stop_on_signals() -> None:
    """SIGINT or SIGTERM ends the process at once, as a crash would: PostgreSQL rolls back what its
    open transaction wrote. A KeyboardInterrupt would not do: `asyncio.run` waits for the worker
    thread to finish what it is computing (a whole billing block, or a whole dry run) before exiting."""

    def stop(signum: int) -> None:
        console.print("stopped")
        sys.stdout.flush()
        os._exit(128 + signum)

    _on_stop_signals(stop)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_stop_signals(handler) -> None:
    """`handler(signum)` on the event loop at SIGINT or SIGTERM, in place of any handler before it."""
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, handler, signum)


def _default_signals() -> None:
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.remove_signal_handler(signum)


def _print_preview(period: str, position: int, previews) -> None:
    table = Table(title=f"Dry run {period} (log position {position}): nothing issued")
    for column in ("client", "lines", "net", "tax", "gross"):
        table.add_column(column, justify="left" if column == "client" else "right")

    for preview in previews:
        totals = preview.totals
        table.add_row(
            str(preview.client_id),
            str(len(preview.lines)),
            str(totals.net),
            str(totals.tax),
            str(totals.gross),
        )
    console.print(table)
    total = Totals.sum(p.totals for p in previews)
    console.print(f"{len(previews)} invoices: net {total.net}, tax {total.tax}, gross {total.gross} MAD")


@app.command("verify-billing")
def verify_billing(period: str = typer.Argument(..., help="The billed period, YYYY-MM.")) -> None:
    """Recompute a run from the log position it recorded and compare with what was issued, line by line."""
    from commands.billing import verify_billing_run

    settings = _settings()

    async def verify() -> list:
        async with running(settings, relay=False, projector=False) as runtime:
            run_id = BillingRun.create_id(str(Period.parse(period)))
            return await asyncio.to_thread(verify_billing_run, runtime.store, run_id)

    differences = asyncio.run(verify())
    if differences:
        console.print_json(data=differences[:20])
        console.print(f"[red]{len(differences)} invoices differ from a recomputation[/]")
        raise typer.Exit(1)
    console.print("[green]every invoice equals its recomputation from the recorded log position[/]")


@app.command("collections-sweep")
def collections_sweep(
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The day to assess, YYYY-MM-DD; today by default."
    ),
) -> None:
    """RunCollectionsSweep: reminders, warnings, delinquency and collection cases, once per day."""
    from commands.collections import RunCollectionsSweep, policy_from, run_collections_sweep

    settings = _settings()

    async def sweep():
        async with running(settings, relay=False, projector=False) as runtime:
            command = RunCollectionsSweep(as_of=date.fromisoformat(as_of) if as_of else None)
            return await asyncio.to_thread(
                run_collections_sweep,
                runtime.store,
                runtime.clock,
                policy_from(settings),
                command,
                _cli_context(),
            )

    try:
        result, created, done = asyncio.run(sweep())
    except DomainError as error:
        console.print(f"[red]{error.code}[/]: {error.message}")
        raise typer.Exit(2) from None
    console.print(
        f"sweep of {done.as_of.isoformat()}: {'done now' if created else 'already done earlier'}; outcomes "
        f"{done.outcomes}"
    )


@app.command("hash-key")
def hash_key(
    new: bool = typer.Option(False, "--new", help="Make a new random key and print it beside its hash."),
) -> None:
    """The hash to configure for an API key, the key read from standard input (never from the command
    line, which shell histories and `ps` keep); with --new, a new random key and its hash."""
    from infra.kernel.api_keys import key_hash

    if new:
        key = secrets.token_urlsafe(32)
        console.print(f"key (give it to its holder, then forget it): {key}")
    else:
        key = sys.stdin.readline().strip()
        if not key:
            raise typer.BadParameter("no key on standard input")
    console.print(key_hash(key), soft_wrap=True)


@app.command("export-schemas")
def export_schemas(out: Path = typer.Option(Path("schemas/generated"), help="Output folder.")) -> None:
    """Write the event JSON Schemas, the AsyncAPI and the OpenAPI documents."""

    from infra.runtime.export import export_all, write_events_page, write_topics_table

    pages = [write_topics_table(Path("docs/event-catalog.md")), write_events_page(Path("docs/events.html"))]
    for path in [*export_all(out), *pages]:
        console.print(f"wrote {path}")


@app.command("export-api-docs")
def export_api_docs(
    root: Path = typer.Option(
        Path("."), help="The repository: its schemas/generated/openapi.json and guides."
    ),
) -> None:
    """Write docs/api-reference.pdf and docs/api-process-map.pdf from the OpenAPI document and the guides' curls."""

    from infra.pdf.api_docs import api_reference, guides, process_map

    openapi = orjson.loads((root / "schemas/generated/openapi.json").read_bytes())
    for name, render in (("api-reference", api_reference), ("api-process-map", process_map)):
        path = root / "docs" / f"{name}.pdf"
        path.write_bytes(render(openapi, guides(root)))
        console.print(f"wrote {path}")


if __name__ == "__main__":
    app()
