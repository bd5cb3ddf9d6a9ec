"""Trigram indexes for the case search on PostgreSQL.

The case list searches with ``icontains``, which PostgreSQL runs as
``UPPER(col::text) LIKE UPPER('%…%')``: a B-tree cannot help, a GIN trigram index on
exactly that expression can. SQLite has neither pg_trgm nor the need (small data sets),
so everything here acts only on PostgreSQL.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("case_reference_trgm", "cases_case", "reference"),
    ("familymember_last_name_trgm", "cases_familymember", "last_name"),
    ("familymember_first_name_trgm", "cases_familymember", "first_name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_involvement_responsible_case_documents")]

    operations = [
        # Skips itself on any other database.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
