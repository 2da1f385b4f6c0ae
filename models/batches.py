"""Splitting a stream of rows into bounded lists, for bulk statements inside one transaction.

Large steps (a 100,000-staff open, advance, close or roster import) write hundreds of thousands
of rows; building them all before the first executemany costs hundreds of MB, and an IN list
may hold at most 65,535 parameters on PostgreSQL (psycopg). Every bulk writer takes its rows
from here, a batch at a time, so memory follows the batch size, not the period's.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, in order; `items` may be a generator."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
