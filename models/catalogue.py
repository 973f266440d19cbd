"""The product catalogue of docs/domain.md (matching rules), as data, and seeding it into an office.

A product is a service such as "Aangifte OB": it covers return kinds (matching rule 7 asks
whether a relation has an active product covering the return's kind), allows period lengths,
and names its deadline rule. The deadline *arithmetic* is in ``planner.periods``; here the
rule is a code, so a changed Belastingdienst rule is a data change, not a code branch.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.crm import Office, Product
from sbr_parser import ReturnKind

__all__ = ["CATALOGUE", "ProductSpec", "seed_products"]


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """One catalogue row: code, name, kinds covered, period lengths, deadline rule code."""

    code: str
    name: str
    kinds: tuple[ReturnKind, ...]
    periods: tuple[str, ...]
    deadline_rule: str


CATALOGUE: tuple[ProductSpec, ...] = (
    ProductSpec(
        "aangifte_ob",
        "Aangifte omzetbelasting",
        (ReturnKind.OB, ReturnKind.OB_SUPPLETIE),
        ("month", "quarter", "year"),
        # End of the month after the period; a yearly return: 31 March of the next year.
        "end_of_next_month_or_march_31",
    ),
    ProductSpec(
        "opgaaf_icp", "Opgaaf ICP", (ReturnKind.ICP,), ("month", "quarter"), "end_of_next_month"
    ),
    ProductSpec(
        "loonaangifte",
        "Loonaangifte",
        (ReturnKind.LH,),
        ("month", "four_weeks"),
        "end_of_next_month",
    ),
    ProductSpec(
        "aangifte_ib", "Aangifte inkomstenbelasting", (ReturnKind.IB,), ("year",), "may_1_next_year"
    ),
    ProductSpec(
        "aangifte_vpb",
        "Aangifte vennootschapsbelasting",
        (ReturnKind.VPB,),
        ("year",),
        "five_months_after_end",
    ),
)


def seed_products(session: Session, office: Office) -> list[Product]:
    """Add the catalogue products the office lacks (safe to repeat); returns all of them."""
    existing = {
        product.code: product
        for product in session.scalars(select(Product).where(Product.office_id == office.id))
    }
    for spec in CATALOGUE:
        if spec.code not in existing:
            product = Product(
                office_id=office.id,
                code=spec.code,
                name=spec.name,
                kinds=[kind.value for kind in spec.kinds],
                periods=list(spec.periods),
                deadline_rule=spec.deadline_rule,
            )
            session.add(product)
            existing[spec.code] = product
    session.flush()
    return [existing[spec.code] for spec in CATALOGUE]
