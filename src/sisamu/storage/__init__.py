"""Persistence: PostgreSQL through SQLAlchemy 2 and psycopg 3; tables, unit of work, migrations."""
