"""Rich console shared by the CLI commands: French messages for people, English in the logs."""

from __future__ import annotations

from rich.console import Console

console = Console()
errors = Console(stderr=True)


def fail(message_fr: str, code: int = 1) -> None:
    """Print a French error and leave with `code`."""
    import typer

    errors.print(f"[bold red]Erreur :[/] {message_fr}")
    raise typer.Exit(code)
