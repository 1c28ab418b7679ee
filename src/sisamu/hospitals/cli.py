# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""`sisamu hospitals …`: attach a hospital's account to its establishment."""

from __future__ import annotations

import typer

from sisamu.console_output import refusal
from sisamu.hospitals.capacity import service
from sisamu.platform.cli import platform_of
from sisamu.security.errors import SecurityError

app = typer.Typer(no_args_is_help=True, help="Établissements de santé : comptes, capacités.")


@app.callback()
def hospitals() -> None:
    """Établissements de santé."""


@app.command("attach")
def attach(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Compte d'établissement (rôle hospital)"),
    hospital_id: str = typer.Argument(..., help="Établissement, ex. chu-besancon-25"),
) -> None:
    """Rattache un compte d'établissement de santé à son établissement : il ne déclarera que ses capacités."""
    with platform_of(ctx) as platform, platform.uow() as uow:
        try:
            samu_id = service.attach_account(uow, username=username, hospital_id=hospital_id)
        except SecurityError as exc:
            raise refusal(f"{exc.message_fr} ({username} → {hospital_id})", 1) from exc
    typer.echo(f"{username} rattaché à {hospital_id} (SAMU {samu_id}).")
