"""UIS events secrets kept while a rotation is in progress (``event_secrets``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Encrypted with the deployment's key (db.crypto.TokenCipher); at most one row per state.
    op.create_table(
        "event_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_secrets")),
        sa.UniqueConstraint("state", name=op.f("uq_event_secrets_state")),
    )


def downgrade() -> None:
    # A rotation in progress is forgotten: the configured CALLBOT_EVENTS__SECRET stays valid.
    op.drop_table("event_secrets")
