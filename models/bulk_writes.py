"""Running one INSERT or UPDATE with many rows of values, as cheaply as each database allows.

SQLAlchemy's per-row parameter handling cost more than the database's own work for the largest
steps (profiled on SQLite: 60 % of writing 100,000 audit events, two thirds of storing a
100,000-staff close's million indicator figures; on PostgreSQL the close spent 39 s in Core's
multi-row INSERTs and the server mostly waited for them). So:

- SQLite: the rows go straight to the driver's executemany as tuples;
- PostgreSQL, a plain INSERT of new rows (`BulkStatement.insert`): COPY, the server's bulk load,
  which also fires the tables' triggers;
- PostgreSQL, anything else (an UPDATE, a conflict clause): Core's executemany.

Each value is first converted by its column's own SQLAlchemy type, so what reaches the database
is exactly what Core would have sent (tests/test_bulk_writes.py compares the stored rows).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Float, Table, insert
from sqlalchemy.sql.dml import UpdateBase

Converter = Callable[[Any], Any]


class BulkStatement:
    """`statement` with its parameters in the order `columns`; `run` takes rows as tuples in that order."""

    def __init__(self, connection: Connection, statement: UpdateBase, columns: Sequence[str]) -> None:
        self.connection, self.statement, self.columns = connection, statement, tuple(columns)
        self.copy_sql: str | None = None
        self.order: list[int] | None = None
        self.converters: list[tuple[int, Converter]] = []
        self.direct = connection.dialect.name == "sqlite"
        if self.direct:
            compiled = statement.compile(dialect=connection.dialect, column_keys=list(self.columns))
            order = tuple(compiled.positiontup or ())
            assert sorted(order) == sorted(self.columns), (order, self.columns)
            self.sql = compiled.string
            # The driver takes each row positionally, in the statement's order (an UPDATE's SET
            # follows the table's columns, not the caller's).
            self.order = None if order == self.columns else [self.columns.index(name) for name in order]
            self.converters = _converters(connection, compiled.binds, order)

    @classmethod
    def insert(cls, connection: Connection, table: Table, columns: Sequence[str]) -> "BulkStatement":
        """New rows for `table` (no conflict clause, nothing returned): on PostgreSQL by COPY."""
        bulk = cls(connection, insert(table), columns)
        if connection.dialect.name == "postgresql":
            quote = connection.dialect.identifier_preparer
            listed = ", ".join(quote.quote(name) for name in bulk.columns)
            bulk.copy_sql = f"COPY {quote.format_table(table)} ({listed}) FROM STDIN"
            compiled = bulk.statement.compile(dialect=connection.dialect, column_keys=list(bulk.columns))
            bulk.converters = _converters(connection, compiled.binds, bulk.columns)
        return bulk

    def run(self, rows: Iterable[Sequence[Any]]) -> int:
        """Execute once per row. Returns the rows the database changed where the driver counts
        them (SQLite, where ignored conflicts are not counted; COPY), else -1 (PostgreSQL's
        executemany reports no count)."""
        if self.copy_sql is not None:
            return self._copy(rows)
        if not self.direct:
            keyed = [dict(zip(self.columns, row, strict=True)) for row in rows]
            return self.connection.execute(self.statement, keyed).rowcount if keyed else 0
        converted = [self._prepared(row) for row in rows] if self.converters or self.order else list(rows)
        return self.connection.exec_driver_sql(self.sql, converted).rowcount if converted else 0  # type: ignore[arg-type]

    def _copy(self, rows: Iterable[Sequence[Any]]) -> int:
        """COPY on the connection's own transaction (the driver connection under SQLAlchemy's)."""
        assert self.copy_sql is not None
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor:
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(self._prepared(row) if self.converters else row)
            return int(cursor.rowcount)

    def _prepared(self, row: Sequence[Any]) -> tuple[Any, ...]:
        values = [row[index] for index in self.order] if self.order else list(row)
        for index, convert in self.converters:
            values[index] = convert(values[index])
        return tuple(values)


def _converters(
    connection: Connection, binds: dict[str, Any], columns: tuple[str, ...]
) -> list[tuple[int, Converter]]:
    """(position, converter) for each parameter whose type converts values on the way in (times,
    JSON); the others go to the driver as they are. A Float's `float()` is left out: the driver
    sends an integer as a number, and a column declared FLOAT stores it as one (SQLite's REAL
    affinity, PostgreSQL's double precision), so a close's million indicator figures need no
    Python per row at all."""
    dialect = connection.dialect
    found = []
    for index, name in enumerate(columns):
        kind = binds[name].type
        convert = None if isinstance(kind, Float) else kind.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            found.append((index, convert))
    return found
