"""Missed calls with one owner for the call-back (``missed_calls``, ``missed_call_messages``),
and the on-call group chat (``oncall_chat``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "missed_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_number", sa.String(length=64), nullable=False),
        sa.Column("contact_name", sa.String(length=256), nullable=True),
        sa.Column("virtual_number", sa.String(length=64), nullable=True),
        sa.Column("first_missed_at", TIMESTAMP, nullable=False),
        sa.Column("last_missed_at", TIMESTAMP, nullable=False),
        sa.Column("missed_count", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("last_call_session_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_by_name", sa.String(length=256), nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=True),
        sa.Column("callback_call_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["callback_call_id"],
            ["calls.id"],
            name=op.f("fk_missed_calls_callback_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_calls")),
    )
    op.create_index(
        op.f("ix_missed_calls_contact_number_state"), "missed_calls", ["contact_number", "state"]
    )
    op.create_index(op.f("ix_missed_calls_last_missed_at"), "missed_calls", ["last_missed_at"])
    op.create_index(op.f("ix_missed_calls_callback_call_id"), "missed_calls", ["callback_call_id"])
    op.create_table(
        "missed_call_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("missed_call_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["missed_call_id"],
            ["missed_calls.id"],
            name=op.f("fk_missed_call_messages_missed_call_id_missed_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_call_messages")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name=op.f("uq_missed_call_messages_chat_id_message_id")
        ),
    )
    op.create_index(
        op.f("ix_missed_call_messages_missed_call_id"), "missed_call_messages", ["missed_call_id"]
    )
    op.create_table(
        "oncall_chat",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("bound_by", sa.BigInteger(), nullable=False),
        sa.Column("bound_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_oncall_chat_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_chat")),
    )


def downgrade() -> None:
    # Missed calls and the on-call chat binding are forgotten (the ledger keeps its calls).
    op.drop_table("oncall_chat")
    op.drop_index(op.f("ix_missed_call_messages_missed_call_id"), table_name="missed_call_messages")
    op.drop_table("missed_call_messages")
    op.drop_index(op.f("ix_missed_calls_callback_call_id"), table_name="missed_calls")
    op.drop_index(op.f("ix_missed_calls_last_missed_at"), table_name="missed_calls")
    op.drop_index(op.f("ix_missed_calls_contact_number_state"), table_name="missed_calls")
    op.drop_table("missed_calls")
