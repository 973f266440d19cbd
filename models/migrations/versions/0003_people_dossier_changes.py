"""Contacts, relation groups, team roles, dossier folders, timeline and change events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:18:09.425242
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "fiscal_number",
                "sbr_settings",
                "legal_form",
                "relation_type",
                "product",
                name="change_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "identifier_type",
            sa.Enum(
                "OB",
                "BSN_RSIN",
                "LH",
                name="change_identifier_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("normalised", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_change_event_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_event_identifier",
            ["office_id", "identifier_type", "normalised"],
            unique=False,
        )
        batch_op.create_index("ix_change_event_pending", ["office_id", "handled_at"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("initials", sa.String(length=20), nullable=True),
        sa.Column("first_names", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("mobile", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_contact_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_contact_id_office_id")),
        sa.UniqueConstraint("office_id", "email", name=op.f("uq_contact_office_id_email")),
        sa.UniqueConstraint("office_id", "number", name=op.f("uq_contact_office_id_number")),
    )
    op.create_table(
        "relation_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_group_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_group")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_relation_group_id_office_id")),
        sa.UniqueConstraint("office_id", "name", name=op.f("uq_relation_group_office_id_name")),
    )
    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_team_member_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_team_member_id_office_id")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_team_member_office_id_code")),
    )
    op.create_table(
        "dossier_folder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_visible", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_dossier_folder_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["dossier_folder.id"],
            name=op.f("fk_dossier_folder_parent_id_dossier_folder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_dossier_folder_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_folder")),
        sa.UniqueConstraint(
            "relation_id",
            "parent_id",
            "name",
            name=op.f("uq_dossier_folder_relation_id_parent_id_name"),
        ),
    )
    with op.batch_alter_table("dossier_folder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_folder_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            "uq_dossier_folder_top_level_name",
            ["relation_id", "name"],
            unique=True,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )

    op.create_table(
        "relation_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id", "office_id"],
            ["contact.id", "contact.office_id"],
            name=op.f("fk_relation_contact_contact_id_office_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_contact_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_relation_contact_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_contact")),
        sa.UniqueConstraint(
            "relation_id", "contact_id", name=op.f("uq_relation_contact_relation_id_contact_id")
        ),
    )
    with op.batch_alter_table("relation_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relation_contact_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "relation_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("team_member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_role_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_relation_role_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_member_id", "office_id"],
            ["team_member.id", "team_member.office_id"],
            name=op.f("fk_relation_role_team_member_id_office_id_team_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_role")),
        sa.UniqueConstraint(
            "relation_id",
            "role",
            "team_member_id",
            name=op.f("uq_relation_role_relation_id_role_team_member_id"),
        ),
    )
    with op.batch_alter_table("relation_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relation_role_team_member_id"), ["team_member_id"], unique=False
        )

    op.create_table(
        "timeline_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_timeline_event_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_timeline_event_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_event")),
    )
    with op.batch_alter_table("timeline_event", schema=None) as batch_op:
        batch_op.create_index("ix_timeline_event_relation_at", ["relation_id", "at"], unique=False)

    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_relation_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_relation_group_id_office_id_relation_group"),
            "relation_group",
            ["group_id", "office_id"],
            ["id", "office_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_relation_group_id_office_id_relation_group"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_relation_group_id"))
        batch_op.drop_column("group_id")

    with op.batch_alter_table("timeline_event", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_event_relation_at")

    op.drop_table("timeline_event")
    with op.batch_alter_table("relation_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relation_role_team_member_id"))

    op.drop_table("relation_role")
    with op.batch_alter_table("relation_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relation_contact_contact_id"))

    op.drop_table("relation_contact")
    with op.batch_alter_table("dossier_folder", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_dossier_folder_top_level_name",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_dossier_folder_parent_id"))

    op.drop_table("dossier_folder")
    op.drop_table("team_member")
    op.drop_table("relation_group")
    op.drop_table("contact")
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.drop_index("ix_change_event_pending")
        batch_op.drop_index("ix_change_event_identifier")

    op.drop_table("change_event")
