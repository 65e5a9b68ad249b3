"""Indexes for the card list of a school and of a district (PostgreSQL only; see
benchmarks/README.md).

- Sorted within one school: ``(school, name|original_value|acquired_on|id, id)``, so a page
  reads its 50 rows in order instead of sorting the school (or walking a district-wide
  index for the school's rows). The number sort has the unique ``(school, number)``.
- Sorted by name, original value or acquisition date over every school of a district:
  ``(name, id)``, ``(original_value, id)``, ``(acquired_on, id)`` — without them a page
  sorts the whole district (about a second at a million cards). The number sort uses the
  ``(number)`` index of 0001 with an incremental sort on the id.
- Prefix search on the pinyin initials and on asset numbers: ``LIKE 'abc%'`` can use a
  btree only with the ``*_pattern_ops`` operator class unless the database collation is C.
- Names searched with one or two characters (空调, 钢琴): pg_trgm finds no trigram in them,
  so the trigram index of 0002 cannot help and a rare word meant reading every card. The
  name spelled one character per word (``assets_spaced('空调')`` = ' 空 调 ') has a trigram
  index in which each character is a word of its own, so ``'% 空 调 %'`` is found there.

Built ``CONCURRENTLY`` (so not in a transaction) to leave a large table writable; SQLite
lists stay within one school and need none of them.
"""

from django.db import migrations

SPACED_FUNCTION = r"""
CREATE OR REPLACE FUNCTION assets_spaced(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ' ' || regexp_replace($1, '(.)', '\1 ', 'g') $$
"""

INDEXES = {
    "assets_school_id": "(school_id, id)",
    "assets_school_name": "(school_id, name, id)",
    "assets_school_value": "(school_id, original_value, id)",
    "assets_school_acquired": "(school_id, acquired_on, id)",
    "assets_by_name": "(name, id)",
    "assets_by_value": "(original_value, id)",
    "assets_by_acquired": "(acquired_on, id)",
    "assets_initials_prefix": "(name_initials varchar_pattern_ops)",
    "assets_number_prefix": "(number varchar_pattern_ops)",
    "assets_name_chars": "USING gin (assets_spaced(name) gin_trgm_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SPACED_FUNCTION)
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON assets_asset {columns}"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS assets_spaced(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("assets", "0003_seed_categories")]

    operations = [migrations.RunPython(forwards, backwards)]
