"""Who is on duty (``telegram_users.on_duty``): the watch for ringing calls without events.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_users") as batch:
        batch.add_column(
            sa.Column("on_duty", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # Nobody is on duty any more: users send /duty on again after an upgrade.
    with op.batch_alter_table("telegram_users") as batch:
        batch.drop_column("on_duty")
