"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, batched INSERTs elsewhere.

For loads of millions of rows (demo data for benchmarks): rows are plain tuples of the fields the caller sets,
never model instances (building ten million of those costs more than writing them), and every other field takes
its default. Primary keys are taken from the table before the rows go in and handed back, so callers can refer to
the new rows (an observation to its venue).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection, models

BATCH = 5_000


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[object]]) -> range:
    """Insert rows giving `fields` (attnames: "venue_id", not "venue"), in the caller's transaction; their keys.

    On PostgreSQL the values go to COPY as they are, so give what the ORM would store: dates, aware datetimes,
    numbers, strings, UUIDs (JSON fields must be left to their defaults).
    """
    if not rows:
        return range(0)
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    others = [field for field in meta.concrete_fields if field not in given and not field.primary_key]
    template = model()
    per_row: list[Callable[[], object]] = []
    constant: list[object] = []
    for field in others:
        if field.unique and callable(field.default):  # a fresh UUID for every row, as the ORM makes them
            per_row.append(lambda field=field: field.get_db_prep_save(field.get_default(), connection))
        else:
            constant.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    other_fields = [field for field in others if field.unique and callable(field.default)]
    other_fields += [field for field in others if not (field.unique and callable(field.default))]
    columns = [meta.pk.column] + [field.column for field in (*given, *other_fields)]
    keys = _reserve_keys(meta, len(rows))
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if any(isinstance(field, models.JSONField) for field in given):
                raise ValueError("JSON fields cannot be given to insert_rows on PostgreSQL")
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for key, row in zip(keys, rows, strict=True):
                    copy.write_row((key, *row, *(make() for make in per_row), *constant))
            return keys
        placeholders = ", ".join(["%s"] * len(columns))
        statement = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        prepared = (
            (
                key,
                *(field.get_db_prep_save(value, connection) for field, value in zip(given, row, strict=True)),
                *(make() for make in per_row),
                *constant,
            )
            for key, row in zip(keys, rows, strict=True)
        )
        batch: list[tuple[object, ...]] = []
        for values in prepared:
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
    return keys


def _reserve_keys(meta: models.options.Options, count: int) -> range:  # type: ignore[type-arg]
    """`count` primary keys nobody else will take: from the sequence (PostgreSQL), after the largest (SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
            (last,) = cursor.fetchone()
            return range(last - count + 1, last + 1)
        table = connection.ops.quote_name(meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) FROM {table}")  # noqa: S608
        (largest,) = cursor.fetchone()
        return range(largest + 1, largest + 1 + count)
