"""Rules of the victims registry: the SINUS bracelet number, triage categories, the status path from the site to
admission, identity traits, and what makes two victims the same person. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sisamu.crisis.model import CrisisRefused

# The SINUS identifier (DOMAIN.md, "Crisis"): 21 characters, country (2 letters) + département (3) + NOVI entity (4)
# + year (4) + `TR` (terrain: bracelet put on the site) or `HP` (hôpital) + sequence (6 digits). The département is
# written on 3 characters: 025, 974, or 02A / 02B for Corsica; the NOVI entity is 4 letters or digits.
SINUS = re.compile(
    r"(?P<country>[A-Z]{2})(?P<dep>\d{3}|02[AB])(?P<entity>[A-Z0-9]{4})(?P<year>20\d\d)(?P<origin>TR|HP)(?P<seq>\d{6})"
)
# A number sisamu gives a victim whose bracelet was not read: never a SINUS number (it has dashes).
ALLOCATED = re.compile(r"SISAMU-(?P<crisis>\d+)-(?P<seq>\d{6})")
MAX_NAME = 200
MAX_PLACE = 200


class Triage(StrEnum):
    """Triage categories of SINUS: extrême urgence, urgence absolue, urgence relative, impliqué, décédé."""

    EU = "EU"
    UA = "UA"
    UR = "UR"
    IMPLIQUE = "IMPLIQUE"
    DCD = "DCD"


TRIAGE_LABELS_FR = {
    Triage.EU: "EU — extrême urgence",
    Triage.UA: "UA — urgence absolue",
    Triage.UR: "UR — urgence relative",
    Triage.IMPLIQUE: "impliqué",
    Triage.DCD: "DCD — décédé",
}


class Status(StrEnum):
    SITE = "site"  # on the site, not yet at the advanced medical post
    PMA = "pma"  # at the poste médical avancé
    EVACUATED = "evacuated"  # on its way to its destination hospital
    ADMITTED = "admitted"  # admitted at the destination hospital


STATUS_LABELS_FR = {
    Status.SITE: "sur site",
    Status.PMA: "au PMA",
    Status.EVACUATED: "évacuée",
    Status.ADMITTED: "admise",
}

# Forward only: a victim may be evacuated straight from the site (no PMA yet), never brought back.
NEXT: dict[Status, frozenset[Status]] = {
    Status.SITE: frozenset({Status.PMA, Status.EVACUATED}),
    Status.PMA: frozenset({Status.EVACUATED}),
    Status.EVACUATED: frozenset({Status.ADMITTED}),
    Status.ADMITTED: frozenset(),
}


class Vector(StrEnum):
    """What carries the victim to hospital."""

    SMUR = "SMUR"
    VSAV = "VSAV"  # fire service ambulance
    AMBULANCE = "AMBULANCE"  # private ambulance (transporteur sanitaire)
    HELICOPTER = "HELICO"
    OWN_MEANS = "MOYENS_PROPRES"
    OTHER = "AUTRE"


VECTOR_LABELS_FR = {
    Vector.SMUR: "SMUR",
    Vector.VSAV: "VSAV",
    Vector.AMBULANCE: "ambulance privée",
    Vector.HELICOPTER: "hélicoptère",
    Vector.OWN_MEANS: "moyens propres",
    Vector.OTHER: "autre",
}


class AgeBand(StrEnum):
    """An approximate age when the birth date is not known."""

    INFANT = "0-4"
    CHILD = "5-14"
    YOUNG = "15-24"
    ADULT = "25-44"
    MIDDLE = "45-64"
    SENIOR = "65-79"
    ELDER = "80+"


SEXES = frozenset({"M", "F", "O", "UN"})  # HubSante.sexe: masculin, féminin, autre, inconnu


def age_band_at(birth: date, on: date) -> AgeBand:
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for band, upper in (
        (AgeBand.INFANT, 4),
        (AgeBand.CHILD, 14),
        (AgeBand.YOUNG, 24),
        (AgeBand.ADULT, 44),
        (AgeBand.MIDDLE, 64),
        (AgeBand.SENIOR, 79),
    ):
        if years <= upper:
            return band
    return AgeBand.ELDER


def refused(code: str, message_fr: str, status: int = 422) -> CrisisRefused:
    return CrisisRefused(code, message_fr, status=status)


def bracelet_number(payload: str) -> str:
    """The SINUS number typed, or read from the bracelet's QR code: the payload may carry more than the number
    (a prefix, a URL, spaces); the one 21-character SINUS identifier in it is taken, upper-cased."""
    text = re.sub(r"\s+", "", (payload or "").upper())
    if not text:
        raise refused("NUMERO_VIDE", "Numéro de bracelet vide.")
    found = {m.group(0) for m in SINUS.finditer(text)}
    if len(found) != 1:
        raise refused(
            "NUMERO_SINUS_INVALIDE",
            "Numéro SINUS invalide : 21 caractères, pays (2), département (3), entité NOVI (4), année (4), "
            "TR ou HP, séquence (6) — par ex. FR025NOVI2026TR000001.",
        )
    number = found.pop()
    if number.endswith("000000"):
        raise refused("NUMERO_SINUS_INVALIDE", "Numéro SINUS invalide : la séquence commence à 000001.")
    return number


def allocated_number(crisis_id: int, seq: int) -> str:
    return f"SISAMU-{crisis_id}-{seq:06d}"


def clean_text(value: str | None, what: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise refused("TEXTE_TROP_LONG", f"{what} : {limit} caractères au plus.")
    return text or None


@dataclass(frozen=True, slots=True)
class Identity:
    """What is known of who the victim is; everything may be unknown."""

    last_name: str | None = None
    first_name: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    age_band: AgeBand | None = None
    nationality: str | None = None

    def checked(self, today: date) -> Identity:
        if self.sex is not None and self.sex not in SEXES:
            raise refused("SEXE_INCONNU", "Sexe : M, F, O ou UN.")
        if self.birth_date is not None and self.birth_date > today:
            raise refused("NAISSANCE_FUTURE", "La date de naissance est dans le futur.")
        band = self.age_band
        if self.birth_date is not None:
            band = age_band_at(self.birth_date, today)  # the birth date decides
        return Identity(
            last_name=clean_text(self.last_name, "Nom", MAX_NAME),
            first_name=clean_text(self.first_name, "Prénom", MAX_NAME),
            sex=self.sex,
            birth_date=self.birth_date,
            age_band=band,
            nationality=clean_text(self.nationality, "Nationalité", 60),
        )

    @property
    def known(self) -> bool:
        return bool(self.last_name)


@dataclass(frozen=True, slots=True)
class TriageChange:
    triage: Triage
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class PatientLink:
    file_number: str
    patient_no: int


@dataclass(frozen=True, slots=True)
class Victim:
    crisis_id: int
    number: str
    allocated: bool  # no bracelet read: the number is sisamu's
    triage: Triage
    status: Status
    identity: Identity
    site: str | None
    pma: str | None
    vector: Vector | None
    destination: str | None  # a hospital of the directory (`hospitals.directory`)
    patient: PatientLink | None
    version: int
    created_at: datetime
    created_by: str
    created_by_id: UUID | None
    updated_at: datetime
    history: tuple[TriageChange, ...] = field(default=())


def check_status(victim: Victim, to: Status) -> None:
    """The guarded path site → PMA → evacuated → admitted."""
    if to == victim.status:
        return
    if to not in NEXT[victim.status]:
        raise refused(
            "TRANSITION_REFUSEE",
            f"Une victime {STATUS_LABELS_FR[victim.status]} ne peut pas passer à « {STATUS_LABELS_FR[to]} ».",
            status=409,
        )
    if victim.triage is Triage.DCD and to in (Status.EVACUATED, Status.ADMITTED):
        raise refused("VICTIME_DECEDEE", "Une victime décédée n'est ni évacuée ni admise.", status=409)
    if to is Status.EVACUATED and (victim.destination is None or victim.vector is None):
        raise refused(
            "EVACUATION_INCOMPLETE",
            "Évacuation : indiquer le vecteur et l'établissement de destination.",
            409,
        )


# --- duplicate persons -------------------------------------------------------------------------------------------


def normalised(name: str | None) -> str:
    """Upper case, no accents, letters only: « Lefèvre-Dupont » and « LEFEVRE DUPONT » are the same name."""
    if not name:
        return ""
    bare = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z]", "", bare.upper())


def same_person(a: Identity, b: Identity) -> bool:
    """Plausibly the same person: same normalised names (first and last, either order), compatible sex, and the
    same birth date when both are known, else the same age band when both are known."""
    la, fa, lb, fb = (normalised(x) for x in (a.last_name, a.first_name, b.last_name, b.first_name))
    if not la or not lb:
        return False
    # first names known on both sides: the same two names, either order (a name typed in the wrong field)
    if not ({la, fa} == {lb, fb} if fa and fb else la == lb):
        return False
    if a.sex in ("M", "F") and b.sex in ("M", "F") and a.sex != b.sex:
        return False
    if a.birth_date and b.birth_date:
        return a.birth_date == b.birth_date
    if a.age_band and b.age_band:
        return a.age_band == b.age_band
    return True


def duplicate_pairs(victims: list[Victim]) -> list[tuple[Victim, Victim]]:
    """Candidate pairs for a person's review (never merged automatically), grouped on the last name first."""
    by_name: dict[str, list[Victim]] = {}
    for v in victims:
        for key in {normalised(v.identity.last_name), normalised(v.identity.first_name)} - {""}:
            by_name.setdefault(key, []).append(v)
    pairs: dict[tuple[str, str], tuple[Victim, Victim]] = {}
    for group in by_name.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.number != b.number and same_person(a.identity, b.identity):
                    first, second = sorted((a, b), key=lambda v: v.number)
                    pairs[(first.number, second.number)] = (first, second)
    return [pairs[k] for k in sorted(pairs)]
