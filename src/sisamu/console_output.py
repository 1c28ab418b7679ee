"""Rich console shared by the CLI commands: French messages for people, English in the logs; the checks of
command-line values that answer in French and list the valid choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
errors = Console(stderr=True)

USAGE_ERROR = 2  # as Click's own usage errors
Number = TypeVar("Number", int, float)


def fail(message_fr: str, code: int = 1) -> NoReturn:
    """Print a French error and leave with `code`."""
    raise refusal(message_fr, code)


def refusal(message_fr: str, code: int = USAGE_ERROR) -> typer.Exit:
    """Print a French error; the exit to raise (`raise refusal(…)`, where a function must end on a raise)."""
    errors.print(f"[bold red]Erreur :[/] {escape(message_fr)}")
    return typer.Exit(code)


def at_least(minimum: float, *, strictly: bool = False) -> Callable[[typer.CallbackParam, Number], Number]:
    """A typer callback refusing a value below `minimum` (or equal to it, `strictly`) with a French message."""

    def check(param: typer.CallbackParam, value: Number) -> Number:
        if value is not None and (value <= minimum if strictly else value < minimum):
            bound = f"strictement supérieur à {minimum:g}" if strictly else f"au moins {minimum:g}"
            fail(f"{_option(param)} doit être {bound} (reçu : {value:g}).", USAGE_ERROR)
        return value

    return check


def one_of(value: str, choices: Iterable[str], unknown: str) -> str:
    """`value` if it is among `choices`, else a French error that lists them (`unknown`: "Salle inconnue")."""
    valid = list(choices)
    if value not in valid:
        fail(f"{unknown} : {value!r}. Choix possibles : {', '.join(valid)}.", USAGE_ERROR)
    return value


def _option(param: typer.CallbackParam) -> str:
    return max(param.opts, key=len) if param.opts else str(param.name)
