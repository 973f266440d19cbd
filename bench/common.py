"""What the benchmarks share: a scratch database per backend, and large offices made fast.

Large offices are filled with Core bulk inserts (not the import, whose own speed is measured in
bench/crm.py): relations with OB numbers (SBR on) and, optionally, the OB product, so matching
and lookups run against realistic table sizes.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import Engine, insert, select

from crm.offices import ensure_office
from models import (
    FiscalNumber,
    Product,
    Relation,
    RelationProduct,
    RelationType,
    session_scope,
)
from models.db import refresh_statistics
from models.migrate import upgrade
from sbr_parser import IdentifierType
from sbr_parser.message_builder import bsn_for
from tests.support.scratch import DEFAULT_ADMIN_URL, scratch_postgres_database

__all__ = ["database", "fill_office", "peak_rss_mb"]


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A migrated empty database: a SQLite file in ``folder``, or a scratch PostgreSQL one."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'bench-{os.getpid()}.db'}"
        upgrade(url)
        yield url
        return
    admin = os.environ.get("SBR_INBOX_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    with scratch_postgres_database(admin, "sbr_inbox_bench") as url:
        upgrade(url)
        yield url


def fill_office(
    engine: Engine,
    code: str,
    relations: int,
    *,
    offset: int,
    numbers_per_relation: int = 1,
    with_product: bool = False,
) -> list[str]:
    """An office with ``relations`` BV relations, each with OB numbers ``<bsn>B01``...

    Returns the normalised OB numbers. ``offset`` keeps offices' numbers apart.
    """
    with session_scope(engine) as session:
        office_id = ensure_office(session, code).id
        product_id = session.scalar(
            select(Product.id).where(Product.office_id == office_id, Product.code == "aangifte_ob")
        )
    values: list[str] = []
    batch = 20_000
    with Progress(transient=True) as progress:
        task = progress.add_task(f"filling office {code}", total=relations)
        for start in range(0, relations, batch):
            stop = min(start + batch, relations)
            with session_scope(engine) as session:
                ids = session.scalars(
                    insert(Relation).returning(Relation.id, sort_by_parameter_order=True),
                    [
                        {
                            "office_id": office_id,
                            "number": f"{code}{i}",
                            "name": f"Klant {i} B.V.",
                            "type": RelationType.ORGANISATION,
                            "legal_form": "bv",
                        }
                        for i in range(start, stop)
                    ],
                ).all()
                # PostgreSQL would keep checking foreign keys by sequential scan otherwise.
                refresh_statistics(session, Relation)
                numbers = []
                for relation_id, i in zip(ids, range(start, stop), strict=True):
                    for sub in range(1, numbers_per_relation + 1):
                        value = f"{bsn_for(offset + i)}B{sub:02d}"
                        values.append(value)
                        numbers.append(
                            {
                                "office_id": office_id,
                                "relation_id": relation_id,
                                "type": IdentifierType.OB,
                                "value": value,
                                "normalised": value,
                                "sbr_enabled": True,
                                "sbr_ideal": False,
                            }
                        )
                session.execute(insert(FiscalNumber), numbers)
                if with_product:
                    session.execute(
                        insert(RelationProduct),
                        [
                            {"office_id": office_id, "relation_id": r, "product_id": product_id}
                            for r in ids
                        ],
                    )
            progress.advance(task, stop - start)
    return values
