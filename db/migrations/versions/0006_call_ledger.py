"""The call ledger: one row per call (``calls``) with its history (``call_facts``); a card row
now only says which message shows which ledger call for whom.

What cards knew of their call (phase, call id, external id, contact, start) moves into the
ledger: one call row per call id (or external id), shared by every card showing it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_CARD_FACTS = (
    "state",
    "call_session_id",
    "external_id",
    "contact_number",
    "started_at",
    "state_changed_at",
)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_session_id", sa.BigInteger(), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("contact_number", sa.String(length=64), nullable=True),
        sa.Column("virtual_number", sa.String(length=64), nullable=True),
        sa.Column("scenario_id", sa.BigInteger(), nullable=True),
        sa.Column("employee_id", sa.BigInteger(), nullable=True),
        sa.Column("started_by", sa.BigInteger(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("legs", JSON_DOCUMENT, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("missed_snapshots", sa.Integer(), nullable=False),
        sa.Column("last_change_at", TIMESTAMP, nullable=False),
        sa.Column("last_change_source", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("call_session_id", name=op.f("uq_calls_call_session_id")),
        sa.UniqueConstraint("external_id", name=op.f("uq_calls_external_id")),
    )
    op.create_index(op.f("ix_calls_last_change_at"), "calls", ["last_change_at"])
    op.create_table(
        "call_facts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("phase_before", sa.String(length=32), nullable=True),
        sa.Column("phase_after", sa.String(length=32), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_facts_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_facts")),
    )
    op.create_index(op.f("ix_call_facts_call_id"), "call_facts", ["call_id"])
    with op.batch_alter_table("call_cards") as batch:
        batch.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_call_cards_call_id_calls"), "calls", ["call_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(op.f("ix_call_cards_call_id"), ["call_id"])
    _move_card_facts_into_the_ledger()
    with op.batch_alter_table("call_cards") as batch:
        batch.drop_index("ix_call_cards_call_session_id")
        batch.drop_index("ix_call_cards_external_id")
        for column in _CARD_FACTS:
            batch.drop_column(column)


def _move_card_facts_into_the_ledger() -> None:
    bind = op.get_bind()
    cards = sa.table(
        "call_cards",
        sa.column("id", sa.Integer()),
        sa.column("call_id", sa.Integer()),
        sa.column("employee_id", sa.BigInteger()),
        sa.column("telegram_user_id", sa.BigInteger()),
        *(sa.column(name) for name in _CARD_FACTS),
        sa.column("created_at", TIMESTAMP),
    )
    calls = sa.table(
        "calls",
        sa.column("id", sa.Integer()),
        sa.column("call_session_id", sa.BigInteger()),
        sa.column("external_id", sa.String()),
        sa.column("contact_number", sa.String()),
        sa.column("employee_id", sa.BigInteger()),
        sa.column("started_by", sa.BigInteger()),
        sa.column("phase", sa.String()),
        sa.column("legs", JSON_DOCUMENT),
        sa.column("started_at", TIMESTAMP),
        sa.column("missed_snapshots", sa.Integer()),
        sa.column("last_change_at", TIMESTAMP),
        sa.column("last_change_source", sa.String()),
        sa.column("created_at", TIMESTAMP),
    )
    now = datetime.now(UTC)
    known: dict[tuple[str, Any], int] = {}
    for card in bind.execute(sa.select(cards).order_by(cards.c.id)).mappings():
        keys = [
            (name, card[name])
            for name in ("call_session_id", "external_id")
            if card[name] is not None
        ]
        call_id = next((known[key] for key in keys if key in known), None)
        if call_id is None:
            inserted = bind.execute(
                sa.insert(calls)
                .values(
                    call_session_id=card["call_session_id"],
                    external_id=card["external_id"],
                    contact_number=card["contact_number"],
                    employee_id=card["employee_id"],
                    started_by=card["telegram_user_id"] if card["external_id"] else None,
                    phase=card["state"],
                    legs=[],
                    started_at=card["started_at"],
                    missed_snapshots=0,
                    last_change_at=card["state_changed_at"] or now,
                    last_change_source="card",
                    created_at=card["created_at"] or now,
                )
                .returning(calls.c.id)
            )
            call_id = int(inserted.scalar_one())
        for key in keys:
            known[key] = call_id
        bind.execute(sa.update(cards).where(cards.c.id == card["id"]).values(call_id=call_id))


def downgrade() -> None:
    with op.batch_alter_table("call_cards") as batch:
        batch.add_column(sa.Column("state", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("call_session_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("contact_number", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("started_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("state_changed_at", TIMESTAMP, nullable=True))
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE call_cards SET state = calls.phase, call_session_id = calls.call_session_id,"
            " external_id = calls.external_id, contact_number = calls.contact_number,"
            " started_at = calls.started_at, state_changed_at = calls.last_change_at"
            " FROM calls WHERE calls.id = call_cards.call_id"
        )
        if bind.dialect.name == "postgresql"
        else sa.text(
            "UPDATE call_cards SET"
            " state = (SELECT phase FROM calls WHERE calls.id = call_cards.call_id),"
            " call_session_id = (SELECT call_session_id FROM calls"
            " WHERE calls.id = call_cards.call_id),"
            " external_id = (SELECT external_id FROM calls WHERE calls.id = call_cards.call_id),"
            " contact_number = (SELECT contact_number FROM calls"
            " WHERE calls.id = call_cards.call_id),"
            " started_at = (SELECT started_at FROM calls WHERE calls.id = call_cards.call_id),"
            " state_changed_at = (SELECT last_change_at FROM calls"
            " WHERE calls.id = call_cards.call_id)"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE call_cards SET state = COALESCE(state, 'finished'),"
            " state_changed_at = COALESCE(state_changed_at, created_at)"
        )
    )
    with op.batch_alter_table("call_cards") as batch:
        batch.alter_column("state", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("state_changed_at", existing_type=TIMESTAMP, nullable=False)
        batch.create_index("ix_call_cards_call_session_id", ["call_session_id"])
        batch.create_index("ix_call_cards_external_id", ["external_id"])
        batch.drop_index(op.f("ix_call_cards_call_id"))
        batch.drop_constraint(op.f("fk_call_cards_call_id_calls"), type_="foreignkey")
        batch.drop_column("call_id")
    op.drop_index(op.f("ix_call_facts_call_id"), table_name="call_facts")
    op.drop_table("call_facts")
    op.drop_index(op.f("ix_calls_last_change_at"), table_name="calls")
    op.drop_table("calls")
