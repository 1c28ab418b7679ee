"""`sisamu audit` and `sisamu accounts`: verify the audit chain against its signed checkpoints, sign one, manage
accounts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import typer
from rich.table import Table

from sisamu.admin import trail_check
from sisamu.console_output import console, fail
from sisamu.platform.cli import platform_of
from sisamu.security import accounts_admin, service, store, tokens, totp_vault
from sisamu.security import audit_checkpoints as checkpoints
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import ROLE_LABELS_FR, Role

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from sisamu.platform import Platform

audit_app = typer.Typer(
    help="Journal d'audit chaîné (traçabilité des accès aux données de santé).", no_args_is_help=True
)
accounts_app = typer.Typer(help="Comptes des personnels et des machines.", no_args_is_help=True)
tokens_app = typer.Typer(help="Jetons d'accès (Bearer) des machines.", no_args_is_help=True)
accounts_app.add_typer(tokens_app, name="tokens")


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    samu: str | None = typer.Option(None, help="Vérifier un seul SAMU (identifiant CRRA)."),
    checkpoint_file: Path | None = typer.Option(
        None,
        "--checkpoints",
        help="Fichier des points de contrôle signés (défaut : celui de la configuration).",
    ),
    public_keys: list[Path] | None = typer.Option(
        None,
        "--public-key",
        help="Clé publique Ed25519 (PEM) des points de contrôle, à répéter après une rotation "
        "(défaut : celle de la clé de signature configurée).",
    ),
) -> None:
    """Vérifie la chaîne de hachage et les points de contrôle signés : détecte une entrée modifiée, insérée ou
    supprimée, une fin de chaîne coupée ou une chaîne réécrite avant le dernier point de contrôle (code 1)."""
    with platform_of(ctx) as platform:
        path = trail_check.checkpoint_path(platform, checkpoint_file)
        found, _ = checkpoints.CheckpointFile(path).read()
        keys = _public_keys(platform, public_keys) if found else []
        with console.status("Vérification de la chaîne d'audit…"):
            result = trail_check.check(platform, samu, path=path, keys=keys)
    checked, problems = result.checked, result.problems
    if not found:
        console.print(
            f"[yellow]Aucun point de contrôle signé[/] ({path}) : une fin de chaîne coupée ou une chaîne "
            "réécrite de bout en bout ne serait pas détectée."
        )
    if not problems:
        console.print(
            f"[green]Journal d'audit intègre[/] : {checked} entrées vérifiées, "
            f"{result.anchors} points de contrôle signés concordent."
        )
        return
    table = Table("SAMU", "n°", "problème")
    for p in problems:
        table.add_row(p.samu_id, str(p.seq), p.reason)
    console.print(table)
    fail(f"journal d'audit altéré : {len(problems)} anomalie(s) sur {checked} entrées.")


def _public_keys(platform: Platform, given: list[Path] | None) -> list[Ed25519PublicKey]:
    paths = list(given or [])
    if not paths:
        own = trail_check.own_public_key_path(platform)
        if own is None:
            fail("points de contrôle présents mais aucune clé pour les vérifier : indiquez --public-key.", 2)
            return []
        paths = [own]
    try:
        return [checkpoints.load_public_key(p) for p in paths]
    except (OSError, ValueError) as exc:
        fail(f"clé publique illisible : {exc}", 2)
        return []


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Signe la tête de chaque chaîne d'audit qui a avancé et l'ajoute au fichier des points de contrôle
    (à lancer par cron si SISAMU_AUDIT_CHECKPOINT_INTERVAL_S vaut 0)."""
    with platform_of(ctx) as platform:
        settings = platform.settings
        embedded = platform.database.embedded is not None
        key_path = checkpoints.signing_key_path(settings, embedded=embedded)
        if key_path is None:
            fail("aucune clé de signature : définissez SISAMU_AUDIT_SIGNING_KEY (docs/deploy.md).", 2)
            return
        try:
            key = checkpoints.load_signing_key(
                key_path, create=embedded and settings.audit_signing_key is None
            )
        except (OSError, ValueError) as exc:
            fail(f"clé de signature illisible : {exc}", 2)
            return
        file = checkpoints.CheckpointFile(
            checkpoints.checkpoint_file_path(settings), fsync=settings.audit_checkpoint_fsync
        )
        with platform.engine.connect() as conn:
            written = checkpoints.write_checkpoints(conn, key, file, platform.clock.now(), file.latest())
    if written:
        console.print(f"[green]{len(written)} point(s) de contrôle signé(s)[/] ajouté(s) à {file.path}.")
    else:
        console.print(f"Aucune chaîne n'a avancé depuis le dernier point de contrôle ({file.path}).")


@audit_app.command("public-key")
def public_key(ctx: typer.Context) -> None:
    """Affiche la clé publique des points de contrôle (PEM) et son identifiant, à remettre aux auditeurs."""
    with platform_of(ctx) as platform:
        embedded = platform.database.embedded is not None
        key_path = checkpoints.signing_key_path(platform.settings, embedded=embedded)
    if key_path is None or not key_path.exists():
        fail("aucune clé de signature : définissez SISAMU_AUDIT_SIGNING_KEY (docs/deploy.md).", 2)
        return
    public = checkpoints.load_public_key(key_path)
    console.print(f"Identifiant de clé : {checkpoints.key_id(public)}")
    console.print(checkpoints.public_pem(public), markup=False, end="")


@accounts_app.command("create")
def create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Identifiant de connexion."),
    role: Role = typer.Option(..., help="Rôle."),
    samu: str | None = typer.Option(None, help="SAMU de rattachement (CRRA), sauf rôles nationaux."),
    name: str = typer.Option(..., help="Nom affiché."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Crée un compte avec second facteur TOTP et affiche l'URI d'enrôlement (les mêmes règles que la console
    d'administration : rôle et SAMU cohérents, identifiant libre, mot de passe assez fort)."""
    with platform_of(ctx) as platform, platform.uow() as uow:
        try:
            created = accounts_admin.create(
                uow,
                by=None,
                username=username,
                display_name=name,
                role=role,
                samu_id=samu,
                password=password,
                now=platform.clock.now(),
                vault=totp_vault.vault_for(platform.settings),
            )
        except Refused as exc:
            fail(exc.message_fr, 2)
            return
    console.print(f"[green]Compte {created.account.username} créé.[/]")
    console.print("Enrôlez l'application d'authentification avec :")
    console.print(created.totp_uri, markup=False)


@accounts_app.command("list")
def list_accounts(
    ctx: typer.Context,
    samu: str | None = typer.Option(None, help="Les comptes d'un seul SAMU (identifiant CRRA)."),
) -> None:
    """Liste les comptes : rôle, SAMU, état, second facteur, dernière connexion."""
    with platform_of(ctx) as platform, platform.engine.connect() as conn:
        found = accounts_admin.list_accounts(conn, by=None, samu_id=samu)
    table = Table("identifiant", "nom", "rôle", "SAMU", "état", "TOTP", "dernière connexion")
    for a in found:
        table.add_row(
            a.username,
            a.display_name,
            ROLE_LABELS_FR[a.role],
            a.samu_id or "national",
            "actif" if a.active else "désactivé",
            "enrôlé" if a.totp_enrolled else "—",
            a.last_login_at.isoformat(timespec="minutes") if a.last_login_at else "jamais",
        )
    console.print(table)


@accounts_app.command("disable")
def disable(ctx: typer.Context, username: str = typer.Argument(..., help="Identifiant du compte.")) -> None:
    """Désactive un compte : ses sessions sont fermées et ses jetons révoqués (effet partout sous
    SISAMU_TOKEN_CACHE_S secondes)."""
    with platform_of(ctx) as platform, platform.uow() as uow:
        try:
            target = accounts_admin.find(uow.conn, by=None, username=username)
        except NotFound:
            fail(f"compte inconnu : {username}", 2)
            return
        done = accounts_admin.disable(uow, by=None, account_id=target.account_id, now=platform.clock.now())
    console.print(
        f"[green]Compte {target.username} désactivé[/] : {done.sessions_ended} session(s) fermée(s), "
        f"{done.tokens_revoked} jeton(s) révoqué(s)."
    )


@accounts_app.command("enable")
def enable(ctx: typer.Context, username: str = typer.Argument(..., help="Identifiant du compte.")) -> None:
    """Réactive un compte désactivé (ses anciens jetons restent révoqués)."""
    with platform_of(ctx) as platform, platform.uow() as uow:
        try:
            target = accounts_admin.find(uow.conn, by=None, username=username)
        except NotFound:
            fail(f"compte inconnu : {username}", 2)
            return
        accounts_admin.enable(uow, by=None, account_id=target.account_id, now=platform.clock.now())
    console.print(f"[green]Compte {target.username} réactivé.[/]")


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, username: str = typer.Argument(..., help="Compte.")) -> None:
    """Liste les jetons d'un compte (nom, dates, état ; jamais le jeton lui-même)."""
    with platform_of(ctx) as platform, platform.engine.connect() as conn:
        row = store.account_by_username(conn, username)
        if row is None:
            fail(f"compte inconnu : {username}", 2)
            return
        found = tokens.list_tokens(conn, principal=store.principal_from_row(row))
        now = platform.clock.now()
    table = Table("identifiant", "nom", "créé", "expire", "état", title=f"Jetons de {row.username}")
    for t in found:
        state = "révoqué" if t.revoked_at else ("actif" if t.expires_at > now else "expiré")
        table.add_row(
            str(t.token_id), t.name, f"{t.created_at:%Y-%m-%d %H:%M}", f"{t.expires_at:%Y-%m-%d %H:%M}", state
        )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    token_id: UUID | None = typer.Argument(None, help="Identifiant du jeton (voir `tokens list`)."),
    all_of: str | None = typer.Option(None, "--all-of", help="Révoquer tous les jetons de ce compte."),
) -> None:
    """Révoque un jeton, ou tous ceux d'un compte (tracé au journal d'audit) ; effectif partout en
    SISAMU_TOKEN_CACHE_S secondes au plus."""
    if (token_id is None) == (all_of is None):
        fail("indiquez un identifiant de jeton ou --all-of COMPTE.", 2)
    with platform_of(ctx) as platform, platform.uow() as uow:
        now = platform.clock.now()
        if all_of is not None:
            row = store.account_by_username(uow.conn, all_of)
            if row is None:
                fail(f"compte inconnu : {all_of}", 2)
                return
            count = len(tokens.revoke_all(uow, account_id=row.account_id, by=None, now=now))
            console.print(f"[green]{count} jeton(s) de {row.username} révoqué(s).[/]")
            return
        assert token_id is not None
        try:
            info = tokens.revoke(uow, principal=None, token_id=token_id, now=now)
        except NotFound:
            fail(f"jeton inconnu : {token_id}", 2)
            return
    console.print(f"[green]Jeton « {info.name} » de {info.account} révoqué.[/]", markup=True)


@accounts_app.command("seal-totp")
def seal_totp(ctx: typer.Context) -> None:
    """Chiffre les secrets TOTP encore stockés en clair (versions antérieures) avec la clé SISAMU_TOTP_KEY."""
    with platform_of(ctx) as platform, platform.uow() as uow:
        try:
            vault = totp_vault.vault_for(platform.settings)
        except totp_vault.TotpKeyMissing as exc:
            fail(f"pas de clé TOTP : {exc}", 2)
            return
        sealed = service.seal_plain_totp_secrets(uow, vault)
    console.print(f"[green]{sealed} secret(s) TOTP chiffré(s).[/]")
