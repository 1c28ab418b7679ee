"""The test data under tests/data is official third-party data whose origin is written down, file by file."""

from __future__ import annotations

from support import DATA

HUBSANTE = DATA / "hubsante"
PROVENANCE = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")


def _manifest() -> list[list[str]]:
    header, *rows = (HUBSANTE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    assert header.split("\t") == ["dest_path", "repo", "commit", "source_path"]
    return [row.split("\t") for row in rows]


def test_every_hubsante_file_is_in_the_manifest() -> None:
    own = {"MANIFEST.tsv", "schemas/json-schema.sha256"}
    present = {p.relative_to(HUBSANTE).as_posix() for p in HUBSANTE.rglob("*") if p.is_file()} - own
    # the JSON Schemas' rows stay: the package ships those files (src/sisamu/hubsante/schemas)
    listed = {dest for dest, *_ in _manifest() if not dest.startswith("schemas/json-schema/")}
    assert present
    assert present == listed


def test_provenance_names_every_source_commit_and_folder() -> None:
    for _dest, repo, commit, _source in _manifest():
        assert repo in PROVENANCE
        assert commit in PROVENANCE
    for folder in DATA.iterdir():
        if folder.is_dir():
            assert f"`{folder.name}/" in PROVENANCE, folder.name
