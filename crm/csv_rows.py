"""Relations from CSV, the way offices move data between systems, into the same document.

Columns are the document's keys; nested values use dotted names with list positions:
``visiting_address.postcode``, ``fiscal_numbers.0.type``, ``fiscal_numbers.0.sbr_enabled``,
``contacts.0.email``, ``team.0.role``. ``products`` holds codes separated by ``|`` (neither
delimiter). An empty cell means "not set". The rows then go through exactly the JSON import's
validation, so a CSV file can never put in what a JSON file could not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

__all__ = ["LIST_SEPARATOR", "CsvError", "document_from_csv"]

LIST_SEPARATOR = "|"
_SPLIT_LISTS = ("products",)
_SURPLUS = "cells beyond the header"


class CsvError(ValueError):
    """The CSV file cannot be turned into rows (its header, or a line, is unusable)."""


def document_from_csv(text: str, office: str) -> dict[str, Any]:
    """A relations document for ``office`` from CSV text (``,`` or ``;`` separated).

    Raises :class:`CsvError` naming the line or columns for a file that has no rows to check:
    a cell over the csv module's limit (128 KiB, far beyond any field), or a header in which
    one column is inside another (``name`` and ``name.x``).
    """
    # Dutch spreadsheet programs write ';' (the ',' is the decimal sign); the header tells which.
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        _check_columns(reader.fieldnames or [])
        return {"office": office, "relations": [_unflatten(row) for row in reader]}
    except csv.Error as exc:
        # line_num counts the lines read before the one that failed.
        raise CsvError(f"line {reader.line_num + 1}: {exc}") from None


def _check_columns(columns: Sequence[str]) -> None:
    names = {column.strip() for column in columns if column}
    for inner in sorted(names):
        parts = inner.split(".")
        for end in range(1, len(parts)):
            outer = ".".join(parts[:end])
            if outer in names:
                msg = f"columns {outer!r} and {inner!r} cannot both be given (one holds the other)"
                raise CsvError(msg)


def _unflatten(row: dict[str | None, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None:
            # Cells beyond the header: kept under a key the validation rejects, never dropped.
            tree[_SURPLUS] = cell
            continue
        if cell is None or not cell.strip():
            continue
        value: Any = cell.strip()
        key = column.strip()
        if key in _SPLIT_LISTS:
            value = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        node = tree
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    relation: dict[str, Any] = _lists(tree)
    return relation


def _lists(node: Any) -> Any:
    # {"0": {...}, "1": {...}} becomes a list in index order.
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
