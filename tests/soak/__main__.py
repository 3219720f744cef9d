"""`python -m tests.soak --faults 1000 --seed 7`: run the fault soak and print what it found.

Exits 0 when every invariant held, 1 otherwise. The seed is printed first; the same seed replays the
same faults in the same order (the load and the timing of the processes still vary)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from tests.soak.run import Config, Report, soak

console = Console(width=160)  # logs and CI have no terminal to size it


def main(
    faults: int = typer.Option(1000, min=1, help="Faults to inject."),
    seed: Optional[int] = typer.Option(None, help="Seed of the fault schedule; random when omitted."),
    clients: int = typer.Option(200, min=1, help="Clients provisioned before the soak, billed each period."),
    workdir: Optional[Path] = typer.Option(
        None, help="Where the processes' logs go; a new temporary folder by default."
    ),
) -> None:
    config = Config(
        faults=faults, seed=seed if seed is not None else random.randrange(1 << 31), clients=clients
    )
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
        config.workdir = workdir
    report = asyncio.run(soak(config, say=lambda line: console.print(line, soft_wrap=True, highlight=False)))
    print_report(report)
    raise typer.Exit(0 if report.passed else 1)


def print_report(report: Report) -> None:
    kinds = {}
    for kind, _, _ in report.faults:
        kinds[kind] = kinds.get(kind, 0) + 1
    console.print(
        f"\nsoak seed {report.config.seed}: {len(report.faults)} faults in {report.seconds / 60:.1f} min; "
        f"{report.recovery_summary()}"
    )
    console.print("faults: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    if report.outlived:
        outlived = ", ".join(f"{k} {n}" for k, n in sorted(report.outlived.items()))
        console.print(f"kills drawn again (the run ended first): {outlived}")
    console.print("accepted: " + ", ".join(f"{k} {n}" for k, n in sorted(report.accepted.items())))
    console.print("answers: " + ", ".join(f"{k}: {n}" for k, n in report.answers.items()))
    console.print("restarts: " + ", ".join(f"{k} {n}" for k, n in report.restarts.items()))
    console.print(f"periods billed: {', '.join(report.periods) or 'none'}")
    if report.failure:
        console.print(f"[red]FAILED before the checks: {report.failure}[/]")
    table = Table(title="invariants")
    for column in ("invariant", "result", "detail"):
        table.add_column(column)
    for verdict in report.verdicts:
        table.add_row(verdict.name, "[green]held[/]" if verdict.ok else "[red]BROKEN[/]", verdict.detail)
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
