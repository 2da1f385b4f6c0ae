"""Running one INSERT or UPDATE with many rows of values, as cheaply as each database allows.

On SQLite, SQLAlchemy's per-row parameter handling cost more than the database's own work for
the largest steps (profiled: 60 % of writing 100,000 audit events; two thirds of storing a
100,000-staff close's million indicator figures). There the rows go straight to the driver's
executemany as tuples, each value converted by its column's own SQLAlchemy type, so what reaches
the database is exactly what Core would have sent. PostgreSQL keeps Core's executemany, whose
multi-row INSERTs its driver's executemany does not beat.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Float
from sqlalchemy.sql.dml import UpdateBase

Converter = Callable[[Any], Any]


class BulkStatement:
    """`statement` with its parameters in the order `columns`; `run` takes rows as tuples in that order."""

    def __init__(self, connection: Connection, statement: UpdateBase, columns: Sequence[str]) -> None:
        self.connection, self.statement, self.columns = connection, statement, tuple(columns)
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

    def run(self, rows: Iterable[Sequence[Any]]) -> int:
        """Execute once per row, in one executemany. Returns the rows the database changed where
        the driver counts them (SQLite: ignored conflicts are not counted), else -1 (PostgreSQL's
        executemany reports no count)."""
        if not self.direct:
            keyed = [dict(zip(self.columns, row, strict=True)) for row in rows]
            return self.connection.execute(self.statement, keyed).rowcount if keyed else 0
        converted = [self._prepared(row) for row in rows] if self.converters or self.order else list(rows)
        return self.connection.exec_driver_sql(self.sql, converted).rowcount if converted else 0  # type: ignore[arg-type]

    def _prepared(self, row: Sequence[Any]) -> tuple[Any, ...]:
        values = [row[index] for index in self.order] if self.order else list(row)
        for index, convert in self.converters:
            values[index] = convert(values[index])
        return tuple(values)


def _converters(
    connection: Connection, binds: dict[str, Any], columns: tuple[str, ...]
) -> list[tuple[int, Converter]]:
    """(position, converter) for each parameter whose type converts values on the way in (on
    SQLite: times and JSON); the others go to the driver as they are. A Float's `float()` is left
    out: a column declared FLOAT has REAL affinity, so SQLite stores an integer there as REAL
    itself, and a close's million indicator figures then need no Python per row at all."""
    dialect = connection.dialect
    found = []
    for index, name in enumerate(columns):
        kind = binds[name].type
        convert = None if isinstance(kind, Float) else kind.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            found.append((index, convert))
    return found
