"""`sisamu audit` and `sisamu accounts`: verify the audit chain, manage accounts."""

from __future__ import annotations

import typer
from rich.table import Table

from sisamu.console_output import console, fail
from sisamu.platform.cli import platform_of
from sisamu.security import audit, passwords, service, totp
from sisamu.security.roles import Role

audit_app = typer.Typer(
    help="Journal d'audit chaîné (traçabilité des accès aux données de santé).", no_args_is_help=True
)
accounts_app = typer.Typer(help="Comptes des personnels et des machines.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    samu: str | None = typer.Option(None, help="Vérifier un seul SAMU (identifiant CRRA)."),
) -> None:
    """Vérifie la chaîne de hachage : détecte une entrée modifiée, insérée ou supprimée (code 1 si altérée)."""
    with (
        platform_of(ctx) as platform,
        platform.engine.connect() as conn,
        console.status("Vérification de la chaîne d'audit…"),
    ):
        checked, problems = audit.verify(conn, samu)
    if not problems:
        console.print(f"[green]Journal d'audit intègre[/] : {checked} entrées vérifiées.")
        return
    table = Table("SAMU", "n°", "problème")
    for p in problems:
        table.add_row(p.samu_id, str(p.seq), p.reason)
    console.print(table)
    fail(f"journal d'audit altéré : {len(problems)} anomalie(s) sur {checked} entrées.")


@accounts_app.command("create")
def create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Identifiant de connexion."),
    role: Role = typer.Option(..., help="Rôle."),
    samu: str | None = typer.Option(None, help="SAMU de rattachement (CRRA), sauf rôles nationaux."),
    name: str = typer.Option(..., help="Nom affiché."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Crée un compte avec second facteur TOTP et affiche l'URI d'enrôlement."""
    if problem := passwords.password_problem(password):
        fail(problem, 2)
    with platform_of(ctx) as platform, platform.uow() as uow:
        created = service.create_account(
            uow,
            username=username,
            display_name=name,
            role=role,
            samu_id=samu,
            password=password,
            now=platform.clock.now(),
        )
    console.print(f"[green]Compte {created.username} créé.[/]")
    if created.totp_secret:
        console.print("Enrôlez l'application d'authentification avec :")
        console.print(totp.provisioning_uri(created.totp_secret, created.username), markup=False)
