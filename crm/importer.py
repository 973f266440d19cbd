"""Importing relations: validate every row, report every problem, write all or nothing.

Validation runs completely before anything is written, so a rejected file changes nothing and
its report lists every invalid row (index, relation number, field), not just the first. The
write then runs in the caller's transaction through :class:`crm.writer.RelationWriter`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crm.errors import InvalidRowsError, RowError
from crm.offices import ensure_office
from crm.queries import shared_fiscal_numbers
from crm.schema import RelationDoc, type_problems
from crm.warnings import fiscal_number_warnings
from crm.writer import RelationWriter
from models import RelationType

__all__ = ["ImportReport", "Progress", "import_relations", "row_errors", "validate_document"]

# Called as progress(stage, advance, total): stage "validate" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did, and what staff should look at."""

    office: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    change_events: int = 0
    warnings: list[str] = field(default_factory=list)


def row_errors(error: ValidationError, index: int | None, number: str | None) -> list[RowError]:
    """Pydantic's errors as row errors, each naming its field like ``fiscal_numbers[0].value``."""
    return [
        RowError(index, number, _field_path(detail["loc"]), _message(detail["msg"]))
        for detail in error.errors(include_url=False)
    ]


def validate_document(
    data: Any, progress: Progress | None = None
) -> tuple[str, list[tuple[int, RelationDoc]], list[RowError]]:
    """The office code, the valid rows (with their index) and every error of a document."""
    if not isinstance(data, dict):
        return "", [], [RowError(None, None, "", "the file must hold one JSON object")]
    errors = [
        RowError(None, None, key, "unknown key (expected 'office' and 'relations')")
        for key in data
        if key not in ("office", "relations")
    ]
    office = data.get("office")
    if not isinstance(office, str) or not office.strip():
        errors.append(RowError(None, None, "office", "the office code is required"))
        office = ""
    elif "\x00" in office or len(office) > 64:
        errors.append(RowError(None, None, "office", "not an office code (NUL or too long)"))
        office = ""
    rows = data.get("relations", [])
    if not isinstance(rows, list):
        return office, [], [*errors, RowError(None, None, "relations", "must be a list")]
    docs: list[tuple[int, RelationDoc]] = []
    first_index: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = row.get("number") if isinstance(row, dict) else None
        number = number if isinstance(number, str) else None
        unstorable = _unstorable(row, index, number)
        if unstorable:
            # Checked first: the database cannot hold these, and the rules need not see them.
            errors.extend(unstorable)
            continue
        try:
            doc = RelationDoc.model_validate(row)
        except ValidationError as exc:
            found = row_errors(exc, index, number)
            errors.extend(found)
            errors.extend(_type_errors(row, index, number, {e.field for e in found}))
        else:
            earlier = first_index.setdefault(doc.number, index)
            if earlier != index:
                errors.append(RowError(index, doc.number, "number", f"also used by row {earlier}"))
            docs.append((index, doc))
        if progress is not None and (index % 1000 == 999 or index == len(rows) - 1):
            progress("validate", index % 1000 + 1, len(rows))
    return office, docs, errors


def import_relations(
    session: Session,
    data: Any,
    *,
    source: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Import a relations document into its office (created when new); all or nothing.

    Raises :class:`InvalidRowsError` with every problem, having written nothing, when any row is
    invalid. Otherwise writes in the caller's transaction and returns the report.
    """
    office_code, indexed, errors = validate_document(data, progress)
    if not office_code:
        raise InvalidRowsError(errors)
    docs = [doc for _index, doc in indexed]
    # A savepoint: creating the office is undone too when the file turns out invalid.
    with session.begin_nested() as savepoint:
        office = ensure_office(session, office_code)
        writer = RelationWriter(session, office, source)
        # The office-level checks run on the rows that were valid alone, so one report lists
        # every problem of the file.
        errors += writer.problems(list(indexed))
        if errors:
            savepoint.rollback()
            raise InvalidRowsError(sorted(errors, key=_position))
        result = writer.write(
            docs,
            progress=None if progress is None else lambda done: progress("write", done, len(docs)),
        )
    report = ImportReport(
        office=office_code,
        created=len(result.created),
        updated=len(result.updated),
        unchanged=result.unchanged,
        change_events=result.change_events,
    )
    report.warnings = [
        f"{identifier_type} {normalised} is on {len(numbers)} relations: {', '.join(numbers)}"
        for (identifier_type, normalised), numbers in shared_fiscal_numbers(session, office).items()
    ] + btw_id_warnings(docs)
    return report


#: Nesting deeper than any relation document has (relation -> list -> object -> value is 4).
MAX_DEPTH = 8


def _unstorable(row: Any, index: int, number: str | None) -> list[RowError]:
    """Values no relation holds and no database column takes: NUL characters in text, and
    structures nested deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    found: list[RowError] = []
    stack: list[tuple[str, Any, int]] = [("", row, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            found.append(RowError(index, number, path, "nested too deeply"))
            continue
        if isinstance(value, str) and "\x00" in value:
            found.append(RowError(index, number, path, "contains a NUL character"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and "\x00" in key:
                    found.append(RowError(index, number, path, "a key contains a NUL character"))
                    continue
                stack.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
    return sorted(found, key=lambda error: error.field)


def btw_id_warnings(docs: list[RelationDoc]) -> list[str]:
    """The fiscal-number warnings of every imported relation (``crm.warnings``)."""
    return [
        warning
        for doc in docs
        for warning in fiscal_number_warnings(
            doc.number, ((number.type, number.value) for number in doc.fiscal_numbers)
        )
    ]


def _type_errors(row: Any, index: int, number: str | None, reported: set[str]) -> list[RowError]:
    # Field errors stop pydantic before the per-type rules; check those on the raw row too,
    # so one report lists everything wrong with it.
    kind = row.get("type") if isinstance(row, dict) else None
    if kind not in set(RelationType):
        return []
    relation_type = RelationType(kind)
    return [
        RowError(index, number, field, message)
        for field, message in type_problems(relation_type, row)
        if field not in reported
    ]


def _position(error: RowError) -> tuple[int, str]:
    return (-1 if error.index is None else error.index, error.field)


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(message: str) -> str:
    return message.removeprefix("Value error, ")
