"""What a call card needs to be served by a process started later: the client's number and when
the call started (the call id, phase and token were stored already).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_cards") as batch:
        batch.add_column(sa.Column("contact_number", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call_cards") as batch:
        batch.drop_column("started_at")
        batch.drop_column("contact_number")
