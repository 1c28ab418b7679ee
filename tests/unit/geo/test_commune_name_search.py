# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
from sisamu.geo.name_search import normalize, trigrams


def test_normalize_ignores_case_accents_and_punctuation():
    assert normalize("Saint-Étienne") == "saint etienne"
    assert normalize("  L’ABERGEMENT—Clémenciat ") == "l abergement clemenciat"
    assert normalize("Œuilly") == "oeuilly"


def test_normalize_spells_out_saint():
    assert normalize("St-Étienne") == "saint etienne"
    assert normalize("Ste Maxime") == "sainte maxime"
    assert normalize("Stella") == "stella"


def test_trigrams_are_padded():
    assert trigrams("ab") == {"  a", " ab", "ab "}
