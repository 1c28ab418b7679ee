# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The SAMU call rooms (CRRA) as plain data: the eleven SI-SAMU pilots and one room per département.

A CRRA id is the département code followed by `0` or a room letter (`250`, `76A`, `64B`); an overseas
département's three-digit code fills the same three characters on its own (`974`), as in the case number
`DRFR15DDX…`. The Hub Santé organisation id is `fr.health.samu<crra_id>`. A room's city is the préfecture unless
the SAMU sits elsewhere (`_SEATS`); every city is a commune of `sisamu.geo.gazetteer` (checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

METROPOLITAN_TIMEZONE = "Europe/Paris"
OVERSEAS_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}


@dataclass(frozen=True, slots=True)
class RoomDef:
    crra_id: str  # "250", "64A", "974"
    hub_id: str  # "fr.health.samu250"
    departement: str
    name: str
    city_insee: str
    timezone: str  # IANA name


# (département, name, préfecture INSEE code, préfecture), in the order of INSEE's Code officiel géographique.
_DEPARTEMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("01", "Ain", "01053", "Bourg-en-Bresse"),
    ("02", "Aisne", "02408", "Laon"),
    ("03", "Allier", "03190", "Moulins"),
    ("04", "Alpes-de-Haute-Provence", "04070", "Digne-les-Bains"),
    ("05", "Hautes-Alpes", "05061", "Gap"),
    ("06", "Alpes-Maritimes", "06088", "Nice"),
    ("07", "Ardèche", "07186", "Privas"),
    ("08", "Ardennes", "08105", "Charleville-Mézières"),
    ("09", "Ariège", "09122", "Foix"),
    ("10", "Aube", "10387", "Troyes"),
    ("11", "Aude", "11069", "Carcassonne"),
    ("12", "Aveyron", "12202", "Rodez"),
    ("13", "Bouches-du-Rhône", "13055", "Marseille"),
    ("14", "Calvados", "14118", "Caen"),
    ("15", "Cantal", "15014", "Aurillac"),
    ("16", "Charente", "16015", "Angoulême"),
    ("17", "Charente-Maritime", "17300", "La Rochelle"),
    ("18", "Cher", "18033", "Bourges"),
    ("19", "Corrèze", "19272", "Tulle"),
    ("21", "Côte-d'Or", "21231", "Dijon"),
    ("22", "Côtes-d'Armor", "22278", "Saint-Brieuc"),
    ("23", "Creuse", "23096", "Guéret"),
    ("24", "Dordogne", "24322", "Périgueux"),
    ("25", "Doubs", "25056", "Besançon"),
    ("26", "Drôme", "26362", "Valence"),
    ("27", "Eure", "27229", "Évreux"),
    ("28", "Eure-et-Loir", "28085", "Chartres"),
    ("29", "Finistère", "29232", "Quimper"),
    ("2A", "Corse-du-Sud", "2A004", "Ajaccio"),
    ("2B", "Haute-Corse", "2B033", "Bastia"),
    ("30", "Gard", "30189", "Nîmes"),
    ("31", "Haute-Garonne", "31555", "Toulouse"),
    ("32", "Gers", "32013", "Auch"),
    ("33", "Gironde", "33063", "Bordeaux"),
    ("34", "Hérault", "34172", "Montpellier"),
    ("35", "Ille-et-Vilaine", "35238", "Rennes"),
    ("36", "Indre", "36044", "Châteauroux"),
    ("37", "Indre-et-Loire", "37261", "Tours"),
    ("38", "Isère", "38185", "Grenoble"),
    ("39", "Jura", "39300", "Lons-le-Saunier"),
    ("40", "Landes", "40192", "Mont-de-Marsan"),
    ("41", "Loir-et-Cher", "41018", "Blois"),
    ("42", "Loire", "42218", "Saint-Étienne"),
    ("43", "Haute-Loire", "43157", "Le Puy-en-Velay"),
    ("44", "Loire-Atlantique", "44109", "Nantes"),
    ("45", "Loiret", "45234", "Orléans"),
    ("46", "Lot", "46042", "Cahors"),
    ("47", "Lot-et-Garonne", "47001", "Agen"),
    ("48", "Lozère", "48095", "Mende"),
    ("49", "Maine-et-Loire", "49007", "Angers"),
    ("50", "Manche", "50502", "Saint-Lô"),
    ("51", "Marne", "51108", "Châlons-en-Champagne"),
    ("52", "Haute-Marne", "52121", "Chaumont"),
    ("53", "Mayenne", "53130", "Laval"),
    ("54", "Meurthe-et-Moselle", "54395", "Nancy"),
    ("55", "Meuse", "55029", "Bar-le-Duc"),
    ("56", "Morbihan", "56260", "Vannes"),
    ("57", "Moselle", "57463", "Metz"),
    ("58", "Nièvre", "58194", "Nevers"),
    ("59", "Nord", "59350", "Lille"),
    ("60", "Oise", "60057", "Beauvais"),
    ("61", "Orne", "61001", "Alençon"),
    ("62", "Pas-de-Calais", "62041", "Arras"),
    ("63", "Puy-de-Dôme", "63113", "Clermont-Ferrand"),
    ("64", "Pyrénées-Atlantiques", "64445", "Pau"),
    ("65", "Hautes-Pyrénées", "65440", "Tarbes"),
    ("66", "Pyrénées-Orientales", "66136", "Perpignan"),
    ("67", "Bas-Rhin", "67482", "Strasbourg"),
    ("68", "Haut-Rhin", "68066", "Colmar"),
    ("69", "Rhône", "69123", "Lyon"),
    ("70", "Haute-Saône", "70550", "Vesoul"),
    ("71", "Saône-et-Loire", "71270", "Mâcon"),
    ("72", "Sarthe", "72181", "Le Mans"),
    ("73", "Savoie", "73065", "Chambéry"),
    ("74", "Haute-Savoie", "74010", "Annecy"),
    ("75", "Paris", "75056", "Paris"),
    ("76", "Seine-Maritime", "76540", "Rouen"),
    ("77", "Seine-et-Marne", "77288", "Melun"),
    ("78", "Yvelines", "78646", "Versailles"),
    ("79", "Deux-Sèvres", "79191", "Niort"),
    ("80", "Somme", "80021", "Amiens"),
    ("81", "Tarn", "81004", "Albi"),
    ("82", "Tarn-et-Garonne", "82121", "Montauban"),
    ("83", "Var", "83137", "Toulon"),
    ("84", "Vaucluse", "84007", "Avignon"),
    ("85", "Vendée", "85191", "La Roche-sur-Yon"),
    ("86", "Vienne", "86194", "Poitiers"),
    ("87", "Haute-Vienne", "87085", "Limoges"),
    ("88", "Vosges", "88160", "Épinal"),
    ("89", "Yonne", "89024", "Auxerre"),
    ("90", "Territoire de Belfort", "90010", "Belfort"),
    ("91", "Essonne", "91228", "Évry-Courcouronnes"),
    ("92", "Hauts-de-Seine", "92050", "Nanterre"),
    ("93", "Seine-Saint-Denis", "93008", "Bobigny"),
    ("94", "Val-de-Marne", "94028", "Créteil"),
    ("95", "Val-d'Oise", "95500", "Pontoise"),
    ("971", "Guadeloupe", "97105", "Basse-Terre"),
    ("972", "Martinique", "97209", "Fort-de-France"),
    ("973", "Guyane", "97302", "Cayenne"),
    ("974", "La Réunion", "97411", "Saint-Denis"),
    ("976", "Mayotte", "97611", "Mamoudzou"),
)

# Rooms whose seat is not the préfecture, or that share a département: (crra_id, city INSEE, city name).
_SEATS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "64": (("64A", "64102", "Bayonne"), ("64B", "64445", "Pau")),
    "68": (("680", "68224", "Mulhouse"),),  # préfecture: Colmar
    "76": (("76A", "76540", "Rouen"),),  # letter A, as in the Hub Santé samples (fr.health.samu76A)
    "91": (("910", "91174", "Corbeil-Essonnes"),),  # préfecture: Évry-Courcouronnes
    "92": (("920", "92033", "Garches"),),  # préfecture: Nanterre
    "971": (("971", "97120", "Pointe-à-Pitre"),),  # préfecture: Basse-Terre
}

# The eleven pilot SAMUs of the SI-SAMU programme, in the programme's order.
_PILOTS = ("680", "810", "120", "250", "210", "400", "64A", "64B", "230", "190", "870")


def hub_id(crra_id: str) -> str:
    return f"fr.health.samu{crra_id}"


def timezone_of(departement: str) -> str:
    return OVERSEAS_TIMEZONES.get(departement, METROPOLITAN_TIMEZONE)


@cache
def national_rooms() -> tuple[RoomDef, ...]:
    """One room per département (101), plus the second room of the Pyrénées-Atlantiques: 102 rooms."""
    rooms: list[RoomDef] = []
    for code, _, prefecture_insee, prefecture in _DEPARTEMENTS:
        default = (code if code in OVERSEAS_TIMEZONES else f"{code}0", prefecture_insee, prefecture)
        seats = _SEATS.get(code, (default,))
        for crra_id, city_insee, city in seats:
            rooms.append(
                RoomDef(
                    crra_id=crra_id,
                    hub_id=hub_id(crra_id),
                    departement=code,
                    name=f"SAMU {crra_id if len(seats) > 1 else code} – {city}",
                    city_insee=city_insee,
                    timezone=timezone_of(code),
                )
            )
    return tuple(rooms)


@cache
def pilot_rooms() -> tuple[RoomDef, ...]:
    return tuple(room(crra_id) for crra_id in _PILOTS)


def room(crra_id: str) -> RoomDef:
    for candidate in national_rooms():
        if candidate.crra_id == crra_id.upper():
            return candidate
    raise KeyError(f"no SAMU room {crra_id!r}")


def rooms_of(departement: str) -> tuple[RoomDef, ...]:
    return tuple(candidate for candidate in national_rooms() if candidate.departement == departement.upper())
