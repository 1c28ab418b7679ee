# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Hub Santé code lists: typed enums for the closed lists the code branches on, `CodeList` for all of them.

The CSV files in `sisamu/domain/nomenclatures/` are byte-for-byte copies of the official lists (see its
`PROVENANCE.md`); the enums below are written out by hand from them and a unit test keeps them equal.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_PACKAGE = "sisamu.domain.nomenclatures"
_PREFIX = "HubSante."
_KNOWN_COLUMNS = {"", "code", "description", "commentaire"}
_TAG = "#"  # typeDecision's second label column holds tags such as "#PMT", not labels


@dataclass(frozen=True, slots=True)
class Code:
    """One row of a code list: `labels` are the per-level label columns, blank ones kept as ``""``."""

    code: str
    labels: tuple[str, ...]
    description: str
    comment: str

    @property
    def level(self) -> int:
        """1 for a top-level entry, 2 for its children…: the first non-blank label column (tags excluded)."""
        for index, text in enumerate(self.labels, start=1):
            if text and not text.startswith(_TAG):
                return index
        return 1

    @property
    def label(self) -> str:
        """The label at the entry's level, else the description, else the code itself."""
        text = self.labels[self.level - 1] if self.labels else ""
        if text and not text.startswith(_TAG):
            return text
        return self.description or self.code


class CodeList:
    """An official list (`HubSante.<name>`), in file order."""

    def __init__(self, name: str, entries: tuple[Code, ...]) -> None:
        self.name = name
        self._entries = {entry.code: entry for entry in entries}
        if len(self._entries) != len(entries):
            raise ValueError(f"duplicate codes in HubSante.{name}")

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def __getitem__(self, code: str) -> Code:
        return self._entries[code]

    def __iter__(self) -> Iterator[Code]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"CodeList({self.name!r}, {len(self)} codes)"

    def codes(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def label(self, code: str) -> str:
        return self._entries[code].label


def code_list_names() -> tuple[str, ...]:
    """Names of the packaged lists, without the `HubSante.` prefix: `("attribution", "cadre", …)`."""
    names = (
        entry.name.removeprefix(_PREFIX).removesuffix(".csv")
        for entry in files(_PACKAGE).iterdir()
        if entry.name.startswith(_PREFIX) and entry.name.endswith(".csv")
    )
    return tuple(sorted(names))


@cache
def code_list(name: str) -> CodeList:
    """Load `HubSante.<name>.csv` (e.g. ``code_list("motif")``); raises `KeyError` for an unknown list."""
    resource = files(_PACKAGE) / f"{_PREFIX}{name}.csv"
    if not resource.is_file():
        raise KeyError(f"no code list HubSante.{name}")
    return CodeList(name, parse_code_list(resource.read_text(encoding="utf-8")))


def parse_code_list(text: str) -> tuple[Code, ...]:
    """Parse one official CSV: an unnamed index column, `code`, one to three label columns whose headers vary
    (`label_n2`, `Libellé niveau 2`…), `description`, and sometimes `commentaire`."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    if "code" not in fields:
        raise ValueError("a code list needs a 'code' column")
    label_columns = [field for field in fields if field not in _KNOWN_COLUMNS]
    return tuple(
        Code(
            code=row["code"].strip(),
            labels=tuple((row[column] or "").strip() for column in label_columns),
            description=(row.get("description") or "").strip(),
            comment=(row.get("commentaire") or "").strip(),
        )
        for row in reader
    )


class Priorite(StrEnum):
    """`HubSante.priorite`."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    NR = "NR"


class NiveauSoin(StrEnum):
    """`HubSante.niveauSoin`."""

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"


class TypeDecision(StrEnum):
    """`HubSante.typeDecision`."""

    CONSEIL = "CONSEIL"
    PMT = "PMT"
    INTER = "INTER"
    ORIENT = "ORIENT"
    PASPLUS = "PASPLUS"


class StatutVecteur(StrEnum):
    """`HubSante.statutVecteur`."""

    DECISION = "DECISION"
    DECLENCHE = "DECLENCHE"
    DEPART = "DEPART"
    ANNULE = "ANNULE"
    ARRIVEE = "ARRIVEE"
    PEC = "PEC"
    BILAN = "BILAN"
    ORIENTAT = "ORIENTAT"
    TRANSP = "TRANSP"
    ETAPE1 = "ETAPE1"
    TRANSP2 = "TRANSP2"
    ETAPE2 = "ETAPE2"
    TRANSP3 = "TRANSP3"
    DESTIN = "DESTIN"
    FINPEC = "FINPEC"
    RETOUR = "RETOUR"
    RET_BASE = "RET-BASE"
    REN_BASE = "REN-BASE"


class Etat(StrEnum):
    """`HubSante.etat`."""

    PROGRAM = "PROGRAM"
    ACTIF = "ACTIF"
    ACHEVE = "ACHEVE"
    VALIDE = "VALIDE"
    CLOTURE = "CLOTURE"
    CLASSE = "CLASSE"
    ARCHIVE = "ARCHIVE"


class Attribution(StrEnum):
    """`HubSante.attribution`."""

    DRM = "DRM"
    DRM_MRU = "DRM.MRU"
    DRM_MRU_MU = "DRM.MRU.MU"
    DRM_MRU_INDISPMU = "DRM.MRU.INDISPMU"
    DRM_MRU_SSE = "DRM.MRU.SSE"
    DRM_MRU_PLANBLAN = "DRM.MRU.PLANBLAN"
    DRM_MRU_PCSAMU = "DRM.MRU.PCSAMU"
    DRM_SPE = "DRM.SPE"
    DRM_SPE_DENT = "DRM.SPE.DENT"
    DRM_SPE_GERIA = "DRM.SPE.GERIA"
    DRM_SPE_PEDIA = "DRM.SPE.PEDIA"
    DRM_SPE_OBST = "DRM.SPE.OBST"
    DRM_SPE_PSY = "DRM.SPE.PSY"
    DRM_SPE_TOXICOL = "DRM.SPE.TOXICOL"
    DRM_SPE_AUTRESPE = "DRM.SPE.AUTRESPE"
    DRM_MRL = "DRM.MRL"
    DRM_MRL_MG = "DRM.MRL.MG"
    DRM_MRL_INDISPMG = "DRM.MRL.INDISPMG"
    DRM_MRL_ABSML = "DRM.MRL.ABSML"
    DR = "DR"
    DR_DREG = "DR.DREG"
    DR_DREG_DRARM = "DR.DREG.DRARM"
    DR_DREG_DRDAC = "DR.DREG.DRDAC"
    DR_DREG_DRMED = "DR.DREG.DRMED"
    DR_DREG_DRPHARMA = "DR.DREG.DRPHARMA"
    DR_DREG_DRDENT = "DR.DREG.DRDENT"
    DR_DREG_DRINFO = "DR.DREG.DRINFO"
    DR_DREG_DOS_SIS = "DR.DREG.DOS-SIS"
    DR_DREG_DOS_FDO = "DR.DREG.DOS-FDO"
    D = "D"
    D_D_MALV = "D.D-MALV"
    D_D_MALV_ERR = "D.D-MALV.ERR"
    D_D_MALV_NRP = "D.D-MALV.NRP"
    D_D_MALV_MALV = "D.D-MALV.MALV"
    D_D_MALV_FAX = "D.D-MALV.FAX"
    D_D_MALV_ITERATIF = "D.D-MALV.ITERATIF"
    D_D_IDENT = "D.D-IDENT"
    D_D_IDENT_ADMIN = "D.D-IDENT.ADMIN"
    D_D_IDENT_PERSO = "D.D-IDENT.PERSO"
    D_D_IDENT_AUTRE = "D.D-IDENT.AUTRE"


class TypeRessource(StrEnum):
    """`HubSante.typeRessource`."""

    SMUR = "SMUR"
    SMUR_ADULT = "SMUR.ADULT"
    SMUR_PED = "SMUR.PED"
    SMUR_UMH_S = "SMUR.UMH-S"
    SMUR_CUMP = "SMUR.CUMP"
    HOSPIT = "HOSPIT"
    LIBERAL = "LIBERAL"
    LIBERAL_MG = "LIBERAL.MG"
    LIBERAL_PHARM = "LIBERAL.PHARM"
    LIBERAL_INF = "LIBERAL.INF"
    LIBERAL_KINE = "LIBERAL.KINE"
    LIBERAL_SOS = "LIBERAL.SOS"
    LIBERAL_MMG = "LIBERAL.MMG"
    LIBERAL_MSPD = "LIBERAL.MSPD"
    LIBERAL_MCS = "LIBERAL.MCS"
    LIBERAL_SPEMED = "LIBERAL.SPEMED"
    LIBERAL_DENT = "LIBERAL.DENT"
    LIBERAL_LABO = "LIBERAL.LABO"
    LIBERAL_AUTREPRO = "LIBERAL.AUTREPRO"
    TSU = "TSU"
    SIS = "SIS"
    SIS_MEDSP = "SIS.MEDSP"
    SIS_ISP = "SIS.ISP"
    SIS_SP = "SIS.SP"
    AASC = "AASC"
    FDO = "FDO"
    FDO_PN = "FDO.PN"
    FDO_GEND = "FDO.GEND"
    FDO_PM = "FDO.PM"
    FDO_DOUANES = "FDO.DOUANES"
    AUTRE = "AUTRE"
    AUTRE_ADM = "AUTRE.ADM"
    AUTRE_DAE = "AUTRE.DAE"
    AUTRE_AUTRE = "AUTRE.AUTRE"


class TypeVecteur(StrEnum):
    """`HubSante.typeVecteur`."""

    AASC = "AASC"
    AASC_VLSC = "AASC.VLSC"
    AASC_VPSP = "AASC.VPSP"
    AASC_AUTRESC = "AASC.AUTRESC"
    AUTREVEC = "AUTREVEC"
    AUTREVEC_APIED = "AUTREVEC.APIED"
    AUTREVEC_AVION = "AUTREVEC.AVION"
    AUTREVEC_PERSO = "AUTREVEC.PERSO"
    AUTREVEC_TAXI = "AUTREVEC.TAXI"
    AUTREVEC_TRAIN = "AUTREVEC.TRAIN"
    AUTREVEC_TRANSP = "AUTREVEC.TRANSP"
    AUTREVEC_AUTRE = "AUTREVEC.AUTRE"
    AUTREVEC_AUTRETRA = "AUTREVEC.AUTRETRA"
    FSI = "FSI"
    FSI_HELIFSI = "FSI.HELIFSI"
    FSI_VLFSI = "FSI.VLFSI"
    FSI_FFSI = "FSI.FFSI"
    FSI_VHFSI = "FSI.VHFSI"
    LIB = "LIB"
    LIB_MEDV = "LIB.MEDV"
    LIB_INF = "LIB.INF"
    LIB_AUTREPRO = "LIB.AUTREPRO"
    SIS = "SIS"
    SIS_DRAGON = "SIS.DRAGON"
    SIS_AVSC = "SIS.AVSC"
    SIS_FEUSIS = "SIS.FEUSIS"
    SIS_GRIMP = "SIS.GRIMP"
    SIS_NAVISIS = "SIS.NAVISIS"
    SIS_PCSIS = "SIS.PCSIS"
    SIS_SRSIS = "SIS.SRSIS"
    SIS_VCH = "SIS.VCH"
    SIS_VLCG = "SIS.VLCG"
    SIS_VLISP = "SIS.VLISP"
    SIS_VLMSP = "SIS.VLMSP"
    SIS_VLSIS = "SIS.VLSIS"
    SIS_VPL = "SIS.VPL"
    SIS_VPMA = "SIS.VPMA"
    SIS_VR = "SIS.VR"
    SIS_VSAV = "SIS.VSAV"
    SIS_MOYSSE = "SIS.MOYSSE"
    SIS_AUTRESIS = "SIS.AUTRESIS"
    SMUR = "SMUR"
    SMUR_VLM = "SMUR.VLM"
    SMUR_VL = "SMUR.VL"
    SMUR_PSM1 = "SMUR.PSM1"
    SMUR_PSM2 = "SMUR.PSM2"
    SMUR_PSM3 = "SMUR.PSM3"
    SMUR_PSMP = "SMUR.PSMP"
    SMUR_VPC = "SMUR.VPC"
    SMUR_AR = "SMUR.AR"
    SMUR_AR_BAR = "SMUR.AR-BAR"
    SMUR_AR_PED = "SMUR.AR-PED"
    SMUR_HELISMUR = "SMUR.HELISMUR"
    SMUR_HELISAN = "SMUR.HELISAN"
    SMUR_AVSMUR = "SMUR.AVSMUR"
    SMUR_AVSAN = "SMUR.AVSAN"
    SMUR_NAVISMUR = "SMUR.NAVISMUR"
    TSU = "TSU"
    TSU_VSL = "TSU.VSL"
    TSU_AMB_GV = "TSU.AMB-GV"
    TSU_AMB_PV = "TSU.AMB-PV"
    TSU_AMB_BAR = "TSU.AMB-BAR"
    TSU_AMB = "TSU.AMB"
