"""The live view of a load run (Rich) and its plain-text fallback when the output is not a terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table

from sisamu.sim.load.stats import LoadStats, percentile

__all__ = ["render", "status_line"]

OUTCOMES = (
    ("offered", "appels offerts"),
    ("presented", "sonneries aux postes"),
    ("answered", "décrochés"),
    ("abandoned", "raccrochés avant réponse"),
    ("abandoned_at_end", "  dont à l'arrêt du test"),
    ("ended", "terminés par l'ARM"),
    ("files_opened", "dossiers ouverts"),
    ("qualified", "qualifications (PATCH)"),
    ("handed_over", "transmis à la régulation"),
)


def render(stats: LoadStats, elapsed_s: float, duration_s: float) -> RenderableType:
    outcomes = Table(title=f"sisamu load — {elapsed_s:.0f} s / {duration_s:.0f} s", title_justify="left")
    outcomes.add_column("mesure")
    outcomes.add_column("nombre", justify="right")
    for name, label in OUTCOMES:
        outcomes.add_row(label, str(getattr(stats, name)))
    rate = stats.requests / elapsed_s if elapsed_s > 0 else 0.0
    outcomes.add_row("requêtes", f"{stats.requests} ({rate:.1f}/s)")
    style = "red" if stats.error_count else "green"
    outcomes.add_row("erreurs", f"[{style}]{stats.error_count} ({stats.error_rate:.2%})[/]")
    errors = Table(title="erreurs par opération et statut", title_justify="left")
    errors.add_column("opération statut")
    errors.add_column("nombre", justify="right")
    for key, count in sorted(stats.errors.items()):
        errors.add_row(key, str(count))
    latency = Table(title="latence par opération (ms)", title_justify="left")
    for column in ("opération", "n", "p50", "p99"):
        latency.add_column(column, justify="left" if column == "opération" else "right")
    for operation, values in sorted(stats.latencies_s.items()):
        ordered = sorted(values)
        latency.add_row(
            operation,
            str(len(ordered)),
            f"{percentile(ordered, 0.5) * 1000:.1f}",
            f"{percentile(ordered, 0.99) * 1000:.1f}",
        )
    parts: list[RenderableType] = [outcomes, latency]
    if stats.errors:
        parts.append(errors)
    return Group(*parts)


def status_line(stats: LoadStats, elapsed_s: float) -> str:
    return (
        f"{elapsed_s:5.0f} s  offerts {stats.offered}  décrochés {stats.answered}  raccrochés {stats.abandoned}"
        f"  dossiers {stats.files_opened}  requêtes {stats.requests}  erreurs {stats.error_count}"
    )
