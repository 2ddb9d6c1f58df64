"""UIS event notifications, stored raw as they arrive (``uis_events``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "uis_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("call_session_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=256), nullable=True),
        sa.Column("applied_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uis_events")),
        sa.UniqueConstraint("event", "body_hash", name=op.f("uq_uis_events_event_body_hash")),
    )
    op.create_index(op.f("ix_uis_events_call_session_id"), "uis_events", ["call_session_id"])
    op.create_index(op.f("ix_uis_events_state_received_at"), "uis_events", ["state", "received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_uis_events_state_received_at"), table_name="uis_events")
    op.drop_index(op.f("ix_uis_events_call_session_id"), table_name="uis_events")
    op.drop_table("uis_events")
