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
from typing import Any

__all__ = ["LIST_SEPARATOR", "document_from_csv"]

LIST_SEPARATOR = "|"
_SPLIT_LISTS = ("products",)
_SURPLUS = "cells beyond the header"


def document_from_csv(text: str, office: str) -> dict[str, Any]:
    """A relations document for ``office`` from CSV text (``,`` or ``;`` separated)."""
    # Dutch spreadsheet programs write ';' (the ',' is the decimal sign); the header tells which.
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return {"office": office, "relations": [_unflatten(row) for row in reader]}


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
