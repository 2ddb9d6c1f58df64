"""Audit outcome "outcome_unknown": a request that was sent, whose outcome no process recorded.

``audit_log.outcome`` is not a PostgreSQL enum type but a VARCHAR(15) with a CHECK constraint
(``native_enum=False`` in the models, on both backends), so there is no ``ALTER TYPE ... ADD
VALUE`` to run: the CHECK constraint is replaced. The new value fits the column's length. On
SQLite batch mode recreates the table (SQLite cannot alter a constraint).

Downgrading refuses while rows with the new outcome exist: the older schema cannot hold them,
and the audit log is append-only (rows are neither changed nor deleted to make room).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_audit_log_audit_outcome"
BEFORE = ("ok", "api_error", "transport_error", "refused_locally")
AFTER = (*BEFORE, "outcome_unknown")


def _replace_check(values: Sequence[str]) -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), sa.column("outcome").in_(values))


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    unknown = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM audit_log WHERE outcome = 'outcome_unknown'")
    )
    if unknown:
        raise RuntimeError(
            f"audit_log holds {unknown} row(s) with outcome 'outcome_unknown', which revision "
            "0004 cannot store; the audit log is append-only, so they are not rewritten. "
            "Stay on 0005, or remove them first with `callbot audit prune --before DATE`."
        )
    _replace_check(BEFORE)
