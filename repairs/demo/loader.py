"""Writing a practice's rows: ids chosen up front, then one bulk load per table.

Ids are chosen before anything is written so that a client flag and a therapist entry can
point at each other, and timestamps are kept as generated rather than set to "now" by
`auto_now_add`. Rows go in through COPY on PostgreSQL and one executemany INSERT per table on
SQLite. Every constraint and trigger of the schema stays in force while they load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max
from psycopg import sql


class Table:
    """Rows for one model, each with an id chosen here before anything is written.

    `columns` are the attnames a caller supplies (all of them by default); any other field
    is written with its model default, computed once. Timestamps that Django would set to
    "now" must be given, so generated history keeps its own dates.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str] | None = None) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.columns = list(columns or fields)
        self.defaults: dict[str, Any] = {
            name: f.get_default()
            for name, f in fields.items()
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
            and not f.primary_key
        }
        rest = [name for name in fields if name not in self.columns]
        missing = [name for name in rest if name not in self.defaults]
        if missing:
            raise TypeError(f"{model.__name__} rows need {', '.join(missing)}")
        self.tail = tuple(self.defaults[name] for name in rest)
        self.fields = [fields[name] for name in self.columns + rest]
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0

    def add(self, **values: Any) -> int:
        if "id" not in values:  # else an id taken earlier with take_id()
            values["id"] = self.take_id()
        pk: int = values["id"]
        row = tuple(
            values.pop(name) if name in values else self.defaults[name] for name in self.columns
        )
        if values:
            raise TypeError(f"{self.model.__name__} has no column {', '.join(values)}")
        self.rows.append(row)
        return pk

    def take_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def start_ids(tables: Sequence[Table]) -> None:
    """Point each table's next id past its current rows.

    On PostgreSQL the tables are locked against other writers until the transaction ends
    (readers carry on), so no one else can take these ids before the sequences are moved
    past them in `write`.
    """
    if is_postgres():
        names = sql.SQL(", ").join(sql.Identifier(t.model._meta.db_table) for t in tables)
        with connection.cursor() as cursor:
            cursor.cursor.execute(
                sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(names)
            )
    for table in tables:
        last = table.model._base_manager.aggregate(last=Max("pk"))["last"]
        table.next_id = (last or 0) + 1


def write(tables: Sequence[Table]) -> None:
    """Insert every table's rows, in the order given (referenced tables first)."""
    written = [table for table in tables if table.rows]
    for table in written:
        if is_postgres():
            _copy(table)
        else:
            _insert(table)
        table.rows = []
    if is_postgres():
        with connection.cursor() as cursor:
            for table in written:
                # Identity columns have a sequence too; move it past the ids used here so
                # the app's own inserts never collide with them.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [table.model._meta.db_table, table.model._meta.pk.column, table.next_id - 1],
                )


def _copy(table: Table) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in table.fields),
    )
    tail = table.tail
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write_row = copy.write_row
        if tail:
            for row in table.rows:
                write_row(row + tail)
        else:
            for row in table.rows:
                write_row(row)


def _insert(table: Table) -> None:
    quote = connection.ops.quote_name
    fields = table.fields
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
        quote(table.model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # Prepared as Django would (aware datetimes to UTC text on SQLite, and so on).
    rows = [
        [
            f.get_db_prep_save(value, connection)
            for f, value in zip(fields, row + table.tail, strict=True)
        ]
        for row in table.rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)
