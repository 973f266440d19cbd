"""Writing validated relation documents into an office: the one write path of the CRM.

The import, staff edits and "create relation from contact" all end here, so every write gets the
same treatment: office-level parts (contacts, groups, team members) made or reused by their
keys, the relation's collections brought to exactly what the document says (reusing rows where
the key matches, so ids and history survive), and the change events, timeline entries and
default dossier that go with it. Work is flushed and released in chunks, so a 100,000-relation
import holds one chunk of ORM objects at a time, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.changes import NO_FACTS, ChangeRow, MatchingFacts, diff_facts, matching_facts
from crm.dossier import create_default_dossiers
from crm.errors import AlreadyExistsError, RowError
from crm.queries import relations_by_numbers
from crm.schema import (
    ADDRESS_FIELDS,
    ADDRESS_KINDS,
    RELATION_NUMBER_DUTCH,
    ContactDoc,
    FiscalNumberDoc,
    PlannerRuleDoc,
    ProductDoc,
    RelationDoc,
    relation_number_problem,
)
from crm.timeline import change_text, field_names, number_label, who
from models import (
    ChangeEvent,
    Contact,
    FiscalNumber,
    Office,
    PlannerRule,
    Product,
    Relation,
    RelationAddress,
    RelationContact,
    RelationGroup,
    RelationProduct,
    RelationRole,
    TeamMember,
    TimelineEvent,
)
from models.base import table_of
from models.db import refresh_statistics
from models.pending import after_commit_redecide
from planner.periods import first_schedule
from planner.schedule import schedule_rule

__all__ = ["SCALAR_FIELDS", "RelationWriter", "WriteResult"]

# The relation's own columns, named as in the document.
SCALAR_FIELDS = (
    "type",
    "memo",
    "category",
    "name",
    "legal_form",
    "employee_count",
    "founding_date",
    "kvk_number",
    "industry",
    "display_name",
    "initials",
    "first_names",
    "last_name",
    "nickname",
    "birthplace",
    "marital_status",
    "phone",
    "mobile",
    "email",
    "invoice_email",
)
_CONTACT_FIELDS = ("initials", "first_names", "last_name", "phone", "mobile", "email")
CHUNK = 1000


@dataclass
class WriteResult:
    """What a write did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    change_events: int = 0


class RelationWriter:
    """Writes documents into one office, with the office's catalogue and people looked up once."""

    def __init__(self, session: Session, office: Office, source: str) -> None:
        self.session = session
        self.office = office
        self.source = source
        products = session.scalars(select(Product).where(Product.office_id == office.id))
        self.products = {product.code: product for product in products}
        self._codes = {product.id: product.code for product in self.products.values()}
        self._created_chunks = 0

    # -- checks that need the database --------------------------------------------------------

    def problems(self, docs: Sequence[tuple[int | None, RelationDoc]]) -> list[RowError]:
        """Rows that are valid alone but not in this office: unknown products, taken e-mails,
        a new relation's number that no URL can carry."""
        errors = self._number_problems(docs)
        for index, doc in docs:
            for position, product in enumerate(doc.products):
                where = f"products[{position}]"
                errors += self._catalogue_problems(
                    index, doc.number, (where, f"{where}.period"), product.code, product.period
                )
            for position, rule in enumerate(doc.planner_rules):
                where = f"planner_rules[{position}]"
                errors += self._catalogue_problems(
                    index,
                    doc.number,
                    (f"{where}.product", f"{where}.period"),
                    rule.product,
                    rule.period,
                )
        errors.extend(self._contact_problems(docs))
        return errors

    def _number_problems(self, docs: Sequence[tuple[int | None, RelationDoc]]) -> list[RowError]:
        # Only numbers the office does not have yet: an existing relation is still edited and
        # re-imported under the number it has (see crm.schema.relation_number_problem).
        refused = {
            doc.number: problem
            for _index, doc in docs
            if (problem := relation_number_problem(doc.number)) is not None
        }
        if not refused:
            return []
        existing = set(
            self.session.scalars(
                select(Relation.number).where(
                    Relation.office_id == self.office.id, Relation.number.in_(list(refused))
                )
            )
        )
        return [
            RowError(index, doc.number, "number", refused[doc.number], RELATION_NUMBER_DUTCH)
            for index, doc in docs
            if doc.number in refused and doc.number not in existing
        ]

    def _catalogue_problems(
        self,
        index: int | None,
        number: str,
        fields: tuple[str, str],
        code: str,
        period: str | None,
    ) -> list[RowError]:
        """A product code the office's catalogue lacks, or a period that product is not filed
        per; ``fields`` names where the code and the period stand in the row."""
        known = self.products.get(code)
        if known is None:
            catalogue = ", ".join(sorted(self.products))
            return [
                RowError(
                    index,
                    number,
                    fields[0],
                    f"no product {code!r} in the office's catalogue ({catalogue})",
                )
            ]
        if period is not None and period not in known.periods:
            return [
                RowError(
                    index,
                    number,
                    fields[1],
                    f"{code} is filed per {' or '.join(known.periods)}, not per {period}",
                )
            ]
        return []

    def _contact_problems(self, docs: Sequence[tuple[int | None, RelationDoc]]) -> list[RowError]:
        # A contact appears under every relation it is linked to; all copies must agree, and a
        # set e-mail address (the portal login) belongs to one contact of the office.
        errors: list[RowError] = []
        seen: dict[str, ContactDoc] = {}
        owner_of_email: dict[str, str] = {}
        for index, doc in docs:
            for position, contact in enumerate(doc.contacts):
                where = f"contacts[{position}]"
                earlier = seen.setdefault(contact.number, contact)
                if earlier != contact:
                    errors.append(
                        RowError(
                            index,
                            doc.number,
                            where,
                            f"contact {contact.number} differs from its earlier copy in the file",
                        )
                    )
                if contact.email:
                    key = contact.email.casefold()
                    owner = owner_of_email.setdefault(key, contact.number)
                    if owner != contact.number:
                        errors.append(
                            RowError(
                                index,
                                doc.number,
                                f"{where}.email",
                                f"{contact.email} is already the e-mail of contact {owner}",
                            )
                        )
        if owner_of_email:
            taken = self.session.execute(
                select(Contact.email, Contact.number).where(
                    Contact.office_id == self.office.id, Contact.email.is_not(None)
                )
            )
            for email, number in taken:
                key = str(email).casefold()
                holder = owner_of_email.get(key)
                # Taken unless the file moves that e-mail away from its current contact.
                moved = number in seen and (seen[number].email or "").casefold() != key
                if holder is not None and holder != number and not moved:
                    errors.append(
                        RowError(
                            None,
                            None,
                            "contacts.email",
                            f"{email} is the e-mail of the office's contact {number} already",
                        )
                    )
        return errors

    # -- writing ------------------------------------------------------------------------------

    def write(
        self,
        docs: Sequence[RelationDoc],
        progress: Callable[[int], None] | None = None,
    ) -> WriteResult:
        """Create or update each document's relation (by number); documents must be valid.

        New relations are inserted in bulk (a 100,000-relation import is mostly new relations);
        existing ones are loaded and brought up to date through the ORM, so only real
        differences are written. Both take their column values from the same mappers below.
        """
        result = WriteResult()
        refs = _Refs(
            contacts=self._upsert_contacts(doc.contacts for doc in docs),
            groups=self._ids_by_key(RelationGroup, "name", {d.group for d in docs if d.group}),
            members=self._ids_by_key(
                TeamMember, "code", {member.member for d in docs for member in d.team}
            ),
        )
        for start in range(0, len(docs), CHUNK):
            chunk = docs[start : start + CHUNK]
            # Locked: a staff edit or another import of the same relations waits for this one.
            existing = relations_by_numbers(
                self.session, self.office, [d.number for d in chunk], for_update=True
            )
            written = self._update([d for d in chunk if d.number in existing], existing, refs)
            self.session.flush()
            written += self._create([d for d in chunk if d.number not in existing], refs)
            self._record(written, result)
            if len(docs) > CHUNK:
                self._release_chunk()
            if progress is not None:
                progress(len(chunk))
        return result

    def _release_chunk(self) -> None:
        """Let go of the chunk's relation objects, so a large import's memory stays flat.

        Only the CRM rows this writer loads are released; whatever else the caller holds in
        the session stays attached.
        """
        for instance in list(self.session.identity_map.values()):
            if isinstance(instance, _RELEASED):
                self.session.expunge(instance)

    def _update(
        self, docs: Sequence[RelationDoc], existing: dict[str, Relation], refs: _Refs
    ) -> list[_Written]:
        written = []
        for doc in docs:
            relation = existing[doc.number]
            before = self._facts(relation)
            fields = self._apply(relation, doc, refs)
            changes = diff_facts(before, self._facts(relation))
            written.append(_Written(relation.id, doc.number, False, fields, changes))
        return written

    def _create(self, docs: Sequence[RelationDoc], refs: _Refs) -> list[_Written]:
        if not docs:
            return []
        office_id = self.office.id
        # Core inserts, then the ids by number: one round trip per table on both backends.
        # (SQLite cannot batch an ordered RETURNING on this table; see models.base.table_of.)
        self._insert_relations(
            [
                {"office_id": office_id, "number": doc.number, **_relation_values(doc, refs)}
                for doc in docs
            ]
        )
        by_number = dict(
            self.session.execute(
                select(Relation.number, Relation.id).where(
                    Relation.office_id == office_id,
                    Relation.number.in_([doc.number for doc in docs]),
                )
            ).all()
        )
        ids = [by_number[doc.number] for doc in docs]
        self._created_chunks += 1
        if self._statistics_due():
            refresh_statistics(self.session, Relation)
        tables: dict[type[Any], list[dict[str, Any]]] = {
            RelationAddress: [],
            FiscalNumber: [],
            RelationProduct: [],
            RelationContact: [],
            RelationRole: [],
            PlannerRule: [],
        }
        for relation_id, doc in zip(ids, docs, strict=True):
            owner = {"office_id": office_id, "relation_id": relation_id}
            tables[RelationAddress] += [
                {**owner, "kind": kind, **address.model_dump()}
                for kind in ADDRESS_KINDS
                if (address := doc.address(kind)) is not None
            ]
            tables[FiscalNumber] += [{**owner, **_fiscal_values(n)} for n in doc.fiscal_numbers]
            tables[RelationProduct] += [{**owner, **self._product_values(p)} for p in doc.products]
            tables[RelationContact] += [
                {**owner, "contact_id": refs.contacts[c.number]} for c in doc.contacts
            ]
            tables[RelationRole] += [
                {**owner, "role": t.role, "team_member_id": refs.members[t.member]}
                for t in doc.team
            ]
            tables[PlannerRule] += [{**owner, **self._rule_values(r)} for r in doc.planner_rules]
        for model, rows in tables.items():
            _insert(self.session, model, rows)
        return [
            _Written(
                relation_id,
                doc.number,
                True,
                [],
                diff_facts(
                    NO_FACTS,
                    matching_facts(
                        doc.type,
                        doc.legal_form,
                        doc.fiscal_numbers,
                        ((p.code, p.active, p.period) for p in doc.products),
                    ),
                ),
            )
            for relation_id, doc in zip(ids, docs, strict=True)
        ]

    def _insert_relations(self, rows: list[dict[str, Any]]) -> None:
        """Insert new relations; :class:`AlreadyExistsError` when another transaction made one
        of these numbers since this one looked (its insert waited for that one's commit).

        In a savepoint, so the refusal leaves the transaction usable on PostgreSQL too; the
        numbers are then looked up again (a statement sees what committed meanwhile), so any
        other integrity error is raised as it is.
        """
        try:
            with self.session.begin_nested():
                _insert(self.session, Relation, rows)
        except IntegrityError:
            numbers = [row["number"] for row in rows]
            taken = relations_by_numbers(self.session, self.office, numbers)
            if not taken:
                raise
            listed = ", ".join(sorted(taken)[:5]) + (", ..." if len(taken) > 5 else "")
            raise AlreadyExistsError(
                f"relation {listed} exists already: made by another request meanwhile",
                f"Relatie {listed} is al aangemaakt."
                if len(taken) == 1
                else f"Relaties {listed} zijn al aangemaakt.",
            ) from None

    def _record(self, written: list[_Written], result: WriteResult) -> None:
        events: list[dict[str, Any]] = []
        timeline: list[dict[str, Any]] = []
        for item in written:
            if item.created:
                result.created.append(item.number)
                numbers = ", ".join(
                    number_label(c.identifier_type.value, c.normalised) for c in item.changes
                )
                text = "Relatie aangemaakt" + (f" met {numbers}" if numbers else "")
                timeline.append(self._event(item.relation_id, "relation_created", text))
            elif item.fields or item.changes:
                result.updated.append(item.number)
                if item.fields:
                    text = f"Relatie gewijzigd: {field_names(item.fields)}"
                    timeline.append(self._event(item.relation_id, "relation_updated", text))
                timeline += [
                    self._event(item.relation_id, c.kind.value, change_text(c))
                    for c in item.changes
                ]
            else:
                result.unchanged += 1
            events += [
                {
                    "office_id": self.office.id,
                    "relation_id": item.relation_id,
                    "kind": change.kind,
                    "identifier_type": change.identifier_type,
                    "normalised": change.normalised,
                    "detail": {**change.detail, "source": self.source},
                }
                for change in item.changes
            ]
        create_default_dossiers(
            self.session,
            self.office.id,
            [item.relation_id for item in written if item.created],
            refresh_statistics=self._statistics_due(),
        )
        _insert(self.session, ChangeEvent, events)
        if events:
            after_commit_redecide(self.session)
        result.change_events += len(events)
        _insert(self.session, TimelineEvent, timeline)

    def _statistics_due(self) -> bool:
        # After the 1st, 2nd, 4th, 8th... chunk of new relations: a handful of ANALYZEs while
        # the tables grow from nothing, none once they are large (see refresh_statistics).
        count = self._created_chunks
        return count > 0 and count & (count - 1) == 0

    def _event(self, relation_id: int, kind: str, text: str) -> dict[str, Any]:
        return {
            "office_id": self.office.id,
            "relation_id": relation_id,
            "kind": kind,
            "text": f"{text} ({who(self.source)})",
            "refs": {"source": self.source},
        }

    def _product_values(self, product: ProductDoc) -> dict[str, Any]:
        return {
            "product_id": self.products[product.code].id,
            "active": product.active,
            "period": product.period,
        }

    def _facts(self, relation: Relation) -> MatchingFacts:
        return matching_facts(
            relation.type,
            relation.legal_form,
            relation.fiscal_numbers,
            ((self._codes[p.product_id], p.active, p.period) for p in relation.products),
        )

    def _apply(self, relation: Relation, doc: RelationDoc, refs: _Refs) -> list[str]:
        """Make ``relation`` say what ``doc`` says; returns the names of changed fields."""
        changed = []
        for name, value in _relation_values(doc, refs).items():
            if getattr(relation, name) != value:
                setattr(relation, name, value)
                changed.append("group" if name == "group_id" else name)
        changed += self._apply_addresses(relation, doc)
        if self._apply_fiscal_numbers(relation, doc):
            changed.append("fiscal_numbers")
        if self._apply_products(relation, doc):
            changed.append("products")
        if self._sync(
            relation.contact_links,
            {refs.contacts[c.number]: c for c in doc.contacts},
            key=lambda link: link.contact_id,
            make=lambda contact_id, _doc: RelationContact(
                office_id=self.office.id, contact_id=contact_id
            ),
        ):
            changed.append("contacts")
        if self._apply_planner_rules(relation, doc):
            changed.append("planner_rules")
        if self._sync(
            relation.roles,
            {(t.role, refs.members[t.member]): t for t in doc.team},
            key=lambda role: (role.role, role.team_member_id),
            make=lambda key, _doc: RelationRole(
                office_id=self.office.id, role=key[0], team_member_id=key[1]
            ),
        ):
            changed.append("team")
        return changed

    def _apply_addresses(self, relation: Relation, doc: RelationDoc) -> list[str]:
        changed: list[str] = []
        current = {address.kind: address for address in relation.addresses}
        for kind in ADDRESS_KINDS:
            wanted = doc.address(kind)
            row = current.get(kind)
            values = wanted.model_dump() if wanted is not None else None
            stored = (
                {name: getattr(row, name) for name in values or ADDRESS_FIELDS}
                if row is not None
                else None
            )
            if values == stored:
                continue
            changed.append(f"{kind}_address")
            if values is None and row is not None:
                relation.addresses.remove(row)
            elif row is None and values is not None:
                relation.addresses.append(
                    RelationAddress(office_id=self.office.id, kind=kind, **values)
                )
            elif row is not None and values is not None:
                for name, value in values.items():
                    setattr(row, name, value)
        return changed

    def _apply_fiscal_numbers(self, relation: Relation, doc: RelationDoc) -> bool:
        wanted = {(n.type, n.normalised): n for n in doc.fiscal_numbers}

        def update(row: FiscalNumber, number: FiscalNumberDoc) -> None:
            for name, value in _fiscal_values(number).items():
                setattr(row, name, value)

        def make(_key: Any, number: FiscalNumberDoc) -> FiscalNumber:
            return FiscalNumber(office_id=self.office.id, **_fiscal_values(number))

        return self._sync(
            relation.fiscal_numbers,
            wanted,
            key=lambda row: (row.type, row.normalised),
            make=make,
            update=update,
        )

    def _rule_values(self, rule: PlannerRuleDoc) -> dict[str, Any]:
        return {
            "product_id": self.products[rule.product].id,
            "period": rule.period,
            "first_period_start": rule.first_period_start,
            "create_days_before_start": rule.create_days_before_start,
            "active": rule.active,
            **first_schedule(rule.period, rule.first_period_start, rule.create_days_before_start),
        }

    def _apply_planner_rules(self, relation: Relation, doc: RelationDoc) -> bool:
        wanted = {self.products[r.product].id: r for r in doc.planner_rules}

        def update(row: PlannerRule, rule: PlannerRuleDoc) -> None:
            restart = (row.period, row.first_period_start) != (rule.period, rule.first_period_start)
            row.period, row.first_period_start = rule.period, rule.first_period_start
            row.create_days_before_start, row.active = rule.create_days_before_start, rule.active
            schedule_rule(row, restart=restart)

        def make(_product_id: int, rule: PlannerRuleDoc) -> PlannerRule:
            return PlannerRule(office_id=self.office.id, **self._rule_values(rule))

        before = [
            (r.product_id, r.period, r.first_period_start, r.create_days_before_start, r.active)
            for r in relation.planner_rules
        ]
        self._sync(
            relation.planner_rules, wanted, key=lambda r: r.product_id, make=make, update=update
        )
        return before != [
            (r.product_id, r.period, r.first_period_start, r.create_days_before_start, r.active)
            for r in relation.planner_rules
        ]

    def _apply_products(self, relation: Relation, doc: RelationDoc) -> bool:
        wanted = {self.products[p.code].id: p for p in doc.products}

        def update(row: RelationProduct, product: ProductDoc) -> None:
            for name, value in self._product_values(product).items():
                setattr(row, name, value)

        def make(_product_id: int, product: ProductDoc) -> RelationProduct:
            return RelationProduct(office_id=self.office.id, **self._product_values(product))

        return self._sync(
            relation.products, wanted, key=lambda row: row.product_id, make=make, update=update
        )

    @staticmethod
    def _sync(
        rows: list[Any],
        wanted: dict[Any, Any],
        *,
        key: Callable[[Any], Any],
        make: Callable[[Any, Any], Any],
        update: Callable[[Any, Any], None] | None = None,
    ) -> bool:
        """Bring a collection to ``wanted`` (by key), keeping matching rows; True if it moved.

        New rows are appended, so a new relation lists them in the document's order. A second
        row for one key (a fiscal number added twice before migration 0013 forbade it) goes
        like a stale one: the first row of the key is kept and takes the document's values.
        """
        current: dict[Any, Any] = {}
        before = [(key(row), _row_state(row)) for row in rows]
        for row in list(rows):
            row_key = key(row)
            if row_key in wanted and row_key not in current:
                current[row_key] = row
            else:
                rows.remove(row)
        for wanted_key, value in wanted.items():
            row = current.get(wanted_key)
            if row is None:
                rows.append(make(wanted_key, value))
            elif update is not None:
                update(row, value)
        return before != [(key(row), _row_state(row)) for row in rows]

    # -- office-level parts -------------------------------------------------------------------

    def _upsert_contacts(self, per_relation: Iterable[list[ContactDoc]]) -> dict[str, int]:
        docs = {contact.number: contact for contacts in per_relation for contact in contacts}
        if not docs:
            return {}
        rows = {
            contact.number: contact
            for contact in self.session.scalars(
                select(Contact).where(
                    Contact.office_id == self.office.id, Contact.number.in_(list(docs))
                )
            )
        }
        for number, doc in docs.items():
            row = rows.get(number)
            if row is None:
                row = rows[number] = Contact(office_id=self.office.id, number=number)
                self.session.add(row)
            for name in _CONTACT_FIELDS:
                setattr(row, name, getattr(doc, name))
        self.session.flush()
        return {number: row.id for number, row in rows.items()}

    def _ids_by_key(
        self, model: type[RelationGroup] | type[TeamMember], column: str, keys: set[str]
    ) -> dict[str, int]:
        if not keys:
            return {}
        attribute = getattr(model, column)
        found: dict[str, int] = {
            str(key): int(row_id)
            for key, row_id in self.session.execute(
                select(attribute, model.id).where(
                    model.office_id == self.office.id, attribute.in_(list(keys))
                )
            )
        }
        missing = sorted(keys - found.keys())
        for key in missing:
            row = model(office_id=self.office.id, **{column: key})
            self.session.add(row)
            self.session.flush()
            found[key] = row.id
        return found


_RELEASED = (
    Relation,
    RelationAddress,
    FiscalNumber,
    RelationProduct,
    RelationContact,
    RelationRole,
    Contact,
    RelationGroup,
    PlannerRule,
)


class _Refs(NamedTuple):
    """Ids of the office-level rows the documents name: contacts, groups, team members."""

    contacts: dict[str, int]
    groups: dict[str, int]
    members: dict[str, int]


class _Written(NamedTuple):
    """One written relation: what to report and record for it."""

    relation_id: int
    number: str
    created: bool
    fields: list[str]
    changes: list[ChangeRow]


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """One executemany of plain rows into ``model``'s table (nothing when there are none)."""
    if rows:
        session.execute(table_of(model).insert(), rows)


# Column values from a document: the one mapping both the bulk insert and the update use.
def _relation_values(doc: RelationDoc, refs: _Refs) -> dict[str, Any]:
    values = {name: getattr(doc, name) for name in SCALAR_FIELDS}
    values["group_id"] = refs.groups[doc.group] if doc.group else None
    return values


def _fiscal_values(number: FiscalNumberDoc) -> dict[str, Any]:
    return {
        "type": number.type,
        "value": number.value,
        # Given explicitly: the bulk insert does not run the model's @validates hook.
        "normalised": number.normalised,
        "sbr_enabled": number.sbr_enabled,
        "sbr_start_date": number.sbr_start_date,
        "sbr_ideal": number.sbr_ideal,
    }


def _row_state(row: Any) -> tuple[Any, ...]:
    # What a collection row says, to tell whether a sync changed anything.
    return tuple(
        getattr(row, name, None)
        for name in ("value", "sbr_enabled", "sbr_start_date", "sbr_ideal", "active", "period")
    )
