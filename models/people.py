"""The people around a relation: contacts, relation groups, team members and their roles.

A contact is a natural person of the office (a director, a partner) linked to any number of
relations; a set e-mail address is unique per office because it is the contact's portal login.
A team member is office staff; a relation names who does what for it through roles
(accountmanager, fiscalist, loonadministrateur), which the workflow steps take their owners from.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.crm import Relation, same_office

__all__ = ["Contact", "RelationContact", "RelationGroup", "RelationRole", "TeamMember"]


class RelationGroup(TimestampMixin, Base):
    """A named grouping of relations (relatiegroep), e.g. "Holding Jansen"."""

    __tablename__ = "relation_group"
    __table_args__ = (UniqueConstraint("office_id", "name"), UniqueConstraint("id", "office_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))


class Contact(TimestampMixin, Base):
    """A natural person known to the office, linked to relations through ``RelationContact``."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        # NULLs are distinct on both backends, so only set addresses must be unique.
        UniqueConstraint("office_id", "email"),
        UniqueConstraint("id", "office_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    initials: Mapped[str | None] = mapped_column(String(20))
    first_names: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))


class RelationContact(Base):
    """A contact's link to a relation (many-to-many)."""

    __tablename__ = "relation_contact"
    __table_args__ = (
        UniqueConstraint("relation_id", "contact_id"),
        same_office("relation_id", "relation"),
        same_office("contact_id", "contact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(Integer, index=True)

    relation: Mapped[Relation] = relationship(back_populates="contact_links")
    contact: Mapped[Contact] = relationship(
        primaryjoin="RelationContact.contact_id == Contact.id",
        foreign_keys="RelationContact.contact_id",
    )


class TeamMember(TimestampMixin, Base):
    """Office staff that relations are assigned to; ``code`` is how imports name them."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("office_id", "code"), UniqueConstraint("id", "office_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), default="")


class RelationRole(Base):
    """Who does what for a relation: (relation, role, team member)."""

    __tablename__ = "relation_role"
    __table_args__ = (
        UniqueConstraint("relation_id", "role", "team_member_id"),
        same_office("relation_id", "relation"),
        same_office("team_member_id", "team_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(64))
    team_member_id: Mapped[int] = mapped_column(Integer, index=True)

    relation: Mapped[Relation] = relationship(back_populates="roles")
    member: Mapped[TeamMember] = relationship(
        primaryjoin="RelationRole.team_member_id == TeamMember.id",
        foreign_keys="RelationRole.team_member_id",
    )
