"""Official Hub Santé JSON Schemas, package data (see PROVENANCE.md)."""
