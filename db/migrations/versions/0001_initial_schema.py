"""Initial schema: users, chats, credentials, settings, catalog, call cards, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types (a migration must not change when models do later).
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_update_id", sa.BigInteger(), nullable=True),
        sa.Column("callapi_login", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column(
            "params",
            JSON_DOCUMENT,
            nullable=False,
        ),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "ok",
                "api_error",
                "transport_error",
                "refused_locally",
                name="audit_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_mnemonic", sa.Text(), nullable=True),
        sa.Column("error_detail", sa.Text(), nullable=True),
        sa.Column("call_session_id", sa.BigInteger(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column(
            "limits",
            JSON_DOCUMENT,
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_occurred_at"), "audit_log", ["occurred_at"])
    op.create_index(
        op.f("ix_audit_log_telegram_user_id_occurred_at"),
        "audit_log",
        ["telegram_user_id", "occurred_at"],
    )
    op.create_table(
        "call_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("call_session_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("state_changed_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_cards")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_call_cards_chat_id_message_id")),
    )
    op.create_index(op.f("ix_call_cards_call_session_id"), "call_cards", ["call_session_id"])
    op.create_index(op.f("ix_call_cards_external_id"), "call_cards", ["external_id"])
    op.create_index(op.f("ix_call_cards_telegram_user_id"), "call_cards", ["telegram_user_id"])
    op.create_table(
        "catalog_employees",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("full_name", sa.String(length=256), nullable=False),
        sa.Column(
            "phones",
            JSON_DOCUMENT,
            nullable=False,
        ),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_employees")),
    )
    op.create_table(
        "catalog_media_files",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_media_files")),
    )
    op.create_table(
        "catalog_scenarios",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_scenarios")),
    )
    op.create_table(
        "catalog_tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_tags")),
    )
    op.create_table(
        "catalog_virtual_numbers",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_catalog_virtual_numbers")),
    )
    op.create_table(
        "telegram_chats",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=True),
        sa.Column(
            "access",
            sa.Enum(
                "pending",
                "allowed",
                "blocked",
                name="access_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_chats")),
    )
    op.create_table(
        "telegram_users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("language_code", sa.String(length=16), nullable=True),
        sa.Column(
            "access",
            sa.Enum(
                "pending",
                "allowed",
                "blocked",
                name="access_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=True),
        sa.Column("employee_phone", sa.String(length=32), nullable=True),
        sa.Column("employee_assigned_by", sa.BigInteger(), nullable=True),
        sa.Column("employee_assigned_at", TIMESTAMP, nullable=True),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_users")),
        sa.UniqueConstraint("employee_id", name=op.f("uq_telegram_users_employee_id")),
    )
    op.create_table(
        "action_tokens",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            JSON_DOCUMENT,
            nullable=False,
        ),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("consumed_at", TIMESTAMP, nullable=True),
        sa.Column("consumed_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["call_cards.id"],
            name=op.f("fk_action_tokens_card_id_call_cards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_action_tokens")),
    )
    op.create_index(op.f("ix_action_tokens_card_id"), "action_tokens", ["card_id"])
    op.create_index(op.f("ix_action_tokens_expires_at"), "action_tokens", ["expires_at"])
    op.create_table(
        "callapi_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "login_session",
                "permanent_key",
                name="credential_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("login", sa.String(length=128), nullable=True),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("token_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("stay_signed_in", sa.Boolean(), nullable=False),
        sa.Column("password_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("bound_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "password_ciphertext IS NULL OR (kind = 'login_session' AND stay_signed_in)",
            name=op.f("ck_callapi_credentials_password_only_when_staying_signed_in"),
        ),
        sa.CheckConstraint(
            "(telegram_user_id IS NULL) <> (chat_id IS NULL)",
            name=op.f("ck_callapi_credentials_exactly_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["telegram_chats.id"],
            name=op.f("fk_callapi_credentials_chat_id_telegram_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["telegram_user_id"],
            ["telegram_users.id"],
            name=op.f("fk_callapi_credentials_telegram_user_id_telegram_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callapi_credentials")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_callapi_credentials_chat_id")),
        sa.UniqueConstraint(
            "telegram_user_id", name=op.f("uq_callapi_credentials_telegram_user_id")
        ),
    )
    op.create_table(
        "employee_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "superseded",
                name="employee_request_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["telegram_user_id"],
            ["telegram_users.id"],
            name=op.f("fk_employee_requests_telegram_user_id_telegram_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_requests")),
    )
    op.create_index(
        op.f("ix_employee_requests_status_requested_at"),
        "employee_requests",
        ["status", "requested_at"],
    )
    op.create_index(
        op.f("ix_employee_requests_telegram_user_id"), "employee_requests", ["telegram_user_id"]
    )
    op.create_table(
        "favourite_transfer_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["telegram_user_id"],
            ["telegram_users.id"],
            name=op.f("fk_favourite_transfer_targets_telegram_user_id_telegram_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favourite_transfer_targets")),
        sa.UniqueConstraint(
            "telegram_user_id",
            "target",
            name=op.f("uq_favourite_transfer_targets_telegram_user_id_target"),
        ),
    )
    op.create_table(
        "user_call_settings",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("default_virtual_number", sa.String(length=32), nullable=True),
        sa.Column(
            "hold_message_kind",
            sa.Enum("media", "tts", name="message_kind", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column("hold_message_value", sa.Text(), nullable=True),
        sa.Column("default_region", sa.String(length=2), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["telegram_user_id"],
            ["telegram_users.id"],
            name=op.f("fk_user_call_settings_telegram_user_id_telegram_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_user_call_settings")),
    )


def downgrade() -> None:
    op.drop_table("user_call_settings")
    op.drop_table("favourite_transfer_targets")
    op.drop_index(op.f("ix_employee_requests_telegram_user_id"), table_name="employee_requests")
    op.drop_index(op.f("ix_employee_requests_status_requested_at"), table_name="employee_requests")
    op.drop_table("employee_requests")
    op.drop_table("callapi_credentials")
    op.drop_index(op.f("ix_action_tokens_expires_at"), table_name="action_tokens")
    op.drop_index(op.f("ix_action_tokens_card_id"), table_name="action_tokens")
    op.drop_table("action_tokens")
    op.drop_table("telegram_users")
    op.drop_table("telegram_chats")
    op.drop_table("catalog_virtual_numbers")
    op.drop_table("catalog_tags")
    op.drop_table("catalog_scenarios")
    op.drop_table("catalog_media_files")
    op.drop_table("catalog_employees")
    op.drop_index(op.f("ix_call_cards_telegram_user_id"), table_name="call_cards")
    op.drop_index(op.f("ix_call_cards_external_id"), table_name="call_cards")
    op.drop_index(op.f("ix_call_cards_call_session_id"), table_name="call_cards")
    op.drop_table("call_cards")
    op.drop_index(op.f("ix_audit_log_telegram_user_id_occurred_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_occurred_at"), table_name="audit_log")
    op.drop_table("audit_log")
