"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, bulk_create elsewhere.

For loads of millions of rows (demo data for benchmarks, a frame import of a country): COPY streams rows without
a statement per batch and costs a fraction of INSERT. Primary keys are taken from the table's sequence before the
rows go in, so callers can refer to the new rows (an observation to its venue) as bulk_create lets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def insert(instances: Sequence[M], *, batch_size: int = 5_000) -> None:
    """Insert unsaved instances of one model, setting their primary keys; in the caller's transaction."""
    if not instances:
        return
    model = type(instances[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(instances, batch_size=batch_size)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        # Take len(instances) values from the sequence in one step (a plain nextval per row would cost a query).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, len(instances)])
        (last,) = cursor.fetchone()
        for offset, instance in enumerate(instances):
            instance.pk = last - len(instances) + 1 + offset
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in instances:
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
                )
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
