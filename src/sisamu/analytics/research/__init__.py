"""The research warehouse: a pseudonymised, k-anonymous export of calls, files, patients, decisions and missions as
Parquet with its data dictionary and manifest (`export`), keyed pseudonyms (`pseudonyms`), the generalisation
ladder and the k-anonymity check (`generalise`), and DuckDB over the export (`query`)."""
