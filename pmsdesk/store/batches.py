"""IN lists of a bounded length, whatever the clinic's size.

SQLite refuses a statement with more bound parameters than its variable limit (32,766 in the default
build many platforms ship), and a long IN list is slow to plan on either backend; so a query over many
ids runs once per batch of :data:`IN_LIST_SIZE` ids and its rows are concatenated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

IN_LIST_SIZE = 500


def batches(values: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size`` (none for no values)."""
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def scalars_in(session, statement, column, values: Sequence, size: int = IN_LIST_SIZE) -> Iterator:
    """The rows of ``statement`` where ``column`` is one of ``values``, one query per batch of ``size``.
    An ORDER BY holds within each batch: group the rows by ``column`` (or a key it determines)."""
    for batch in batches(values, size):
        yield from session.scalars(statement.where(column.in_(batch)))
