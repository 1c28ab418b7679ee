# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Find communes by name, INSEE code or postcode, the way an ARM types them: without accents, hyphens or care.

Ranking for a code: communes with that postcode (by population), the commune with that INSEE code, then codes
starting with the text. For a name: exact name, then names starting with the text, then a word starting with it (each by population,
current communes before former ones), then close spellings by trigram similarity (Dice coefficient).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sisamu.geo.gazetteer import Commune

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_CODE = re.compile(r"[0-9][0-9ab][0-9]{0,3}")
_MIN_SIMILARITY = 0.45
_CURRENT_KINDS = frozenset({"COM", "ARM"})


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces, `st`/`ste` spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = _NOT_ALNUM.sub(" ", plain).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class NameIndex:
    """An in-memory index over communes (current and former), built once."""

    def __init__(self, communes: Sequence[Commune], names: Sequence[Iterable[str]]) -> None:
        self._communes = communes
        self._keys: list[tuple[str, int]] = []  # (normalized name, commune position)
        for position, commune_names in enumerate(names):
            for key in dict.fromkeys(normalize(name) for name in commune_names):
                self._keys.append((key, position))
        self._by_code: dict[str, list[int]] = defaultdict(list)
        for position, commune in enumerate(communes):
            for code in dict.fromkeys((commune.insee.lower(), *commune.postcodes)):
                self._by_code[code].append(position)
        self._trigrams: dict[str, list[int]] | None = None

    def search(self, text: str, limit: int = 10, departement: str | None = None) -> list[Commune]:
        query = normalize(text)
        if not query or limit <= 0:
            return []
        compact = query.replace(" ", "")
        found = self._by_codes(compact) if _CODE.fullmatch(compact) else self._by_name(query, limit)
        results: list[Commune] = []
        for position in dict.fromkeys(found):
            commune = self._communes[position]
            if departement is None or commune.departement == departement:
                results.append(commune)
                if len(results) == limit:
                    break
        return results

    def _rank(self, position: int) -> tuple[bool, int]:
        commune = self._communes[position]
        return (commune.kind not in _CURRENT_KINDS, -(commune.population or 0))

    def _by_codes(self, code: str) -> list[int]:
        exact = self._by_code.get(code, [])
        postcode = sorted((p for p in exact if code in self._communes[p].postcodes), key=self._rank)
        prefixed = sorted(
            (p for key, positions in self._by_code.items() if key.startswith(code) for p in positions),
            key=lambda p: (*self._rank(p), self._communes[p].insee),
        )
        return [*postcode, *exact, *prefixed]

    def _by_name(self, query: str, limit: int) -> list[int]:
        exact: list[int] = []
        prefix: list[int] = []
        word: list[int] = []
        spaced = f" {query}"
        for key, position in self._keys:
            if key == query:
                exact.append(position)
            elif key.startswith(query):
                prefix.append(position)
            elif spaced in f" {key}":
                word.append(position)
        ranked = [p for tier in (exact, prefix, word) for p in sorted(tier, key=self._rank)]
        if len(set(ranked)) < limit:
            ranked.extend(self._similar(query))
        return ranked

    def _similar(self, query: str) -> list[int]:
        index = self._trigram_index()
        wanted = trigrams(query)
        hits: Counter[int] = Counter()
        for gram in wanted:
            hits.update(index.get(gram, ()))
        scored: list[tuple[float, tuple[bool, int], int]] = []
        for key_number, common in hits.items():
            key, position = self._keys[key_number]
            similarity = 2 * common / (len(wanted) + len(trigrams(key)))
            if similarity >= _MIN_SIMILARITY:
                scored.append((-similarity, self._rank(position), position))
        return [position for *_, position in sorted(scored)]

    def _trigram_index(self) -> dict[str, list[int]]:
        if self._trigrams is None:
            index: dict[str, list[int]] = defaultdict(list)
            for key_number, (key, _) in enumerate(self._keys):
                for gram in trigrams(key):
                    index[gram].append(key_number)
            self._trigrams = dict(index)
        return self._trigrams
