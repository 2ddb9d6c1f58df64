"""ORM models: one class per table, typed with ``Mapped[...]``.

Identifiers that come from Telegram (user, chat, message, update ids) and from UIS (employee,
call session ids) are stored as plain integers; Telegram ids exceed 32 bits, hence BigInteger.
Tables the bot writes about other systems' objects (call cards, audit rows) have no foreign keys
to the users table on purpose: a card or an audit row must survive its user being forgotten.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from db.types import UTCDateTime, utcnow

# Every constraint gets a predictable name, so migrations (and SQLite batch mode, which
# recreates tables) can refer to it.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSON_DOCUMENT: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON_DOCUMENT,
        list[Any]: JSON_DOCUMENT,
    }


def _enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum: VARCHAR + CHECK constraint on both backends, storing the values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class AccessState(enum.StrEnum):
    """Whether a Telegram user (or a group chat) may use the bot."""

    PENDING = "pending"  # seen, waiting for an admin's decision
    ALLOWED = "allowed"
    BLOCKED = "blocked"


class EmployeeRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # the user asked again, or an admin assigned directly


class CredentialKind(enum.StrEnum):
    LOGIN_SESSION = "login_session"  # from login.user; lives one hour
    PERMANENT_KEY = "permanent_key"  # 'Access by key' from the user's UIS settings


class MessageKind(enum.StrEnum):
    """The Call API message object's ``type``."""

    MEDIA = "media"
    TTS = "tts"


class AuditOutcome(enum.StrEnum):
    OK = "ok"
    API_ERROR = "api_error"  # the Call API answered with an error (mnemonic + code)
    TRANSPORT_ERROR = "transport_error"  # no usable answer: timeout, connection, bad reply
    REFUSED_LOCALLY = "refused_locally"  # never sent: the points budget said no
    # Sent, and no outcome was recorded: the process was killed (or the request cut off) while
    # it was out; UIS may or may not have carried it out (see db.audit_writer: intents).
    OUTCOME_UNKNOWN = "outcome_unknown"


class TelegramUser(Base):
    __tablename__ = "telegram_users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    language_code: Mapped[str | None] = mapped_column(String(16))
    access: Mapped[AccessState] = mapped_column(
        _enum(AccessState, "access_state"), default=AccessState.PENDING
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # The UIS employee this Telegram user is. Only an admin sets it (directly or by approving
    # an EmployeeRequest), so a user can never claim someone else's calls. One employee maps
    # to at most one Telegram user.
    employee_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    employee_phone: Mapped[str | None] = mapped_column(String(32))
    employee_assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    employee_assigned_at: Mapped[datetime | None]
    # On duty (/duty on): without UIS events, the bot watches list.calls for calls ringing
    # the account's employees while at least one signed-in user is on duty.
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TelegramChat(Base):
    __tablename__ = "telegram_chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(256))
    # Group chats need an admin's go-ahead before the bot acts there; private chats follow
    # their user's access state (the bot decides how to use this).
    access: Mapped[AccessState] = mapped_column(
        _enum(AccessState, "access_state"), default=AccessState.PENDING
    )
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmployeeRequest(Base):
    """A user's claim to be a UIS employee, waiting for an admin."""

    __tablename__ = "employee_requests"
    __table_args__ = (Index(None, "status", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("telegram_users.id", ondelete="CASCADE"), index=True
    )
    employee_id: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[EmployeeRequestStatus] = mapped_column(
        _enum(EmployeeRequestStatus, "employee_request_status"),
        default=EmployeeRequestStatus.PENDING,
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)


class StoredCredential(Base):
    """A Call API access token: a user's own session, or a key an admin bound to a group chat.

    Exactly one owner: ``telegram_user_id`` (one per user, used in every chat where the user is
    allowed) or ``chat_id`` (one shared key per group chat, e.g. an on-call team). The token and,
    only when the user opted in to "stay signed in", the password are Fernet ciphertexts.
    """

    __tablename__ = "callapi_credentials"
    __table_args__ = (
        CheckConstraint(
            "(telegram_user_id IS NULL) <> (chat_id IS NULL)", name="exactly_one_owner"
        ),
        CheckConstraint(
            "password_ciphertext IS NULL OR (kind = 'login_session' AND stay_signed_in)",
            name="password_only_when_staying_signed_in",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("telegram_users.id", ondelete="CASCADE"), unique=True
    )
    chat_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("telegram_chats.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[CredentialKind] = mapped_column(_enum(CredentialKind, "credential_kind"))
    login: Mapped[str | None] = mapped_column(String(128))
    token_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    token_fingerprint: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None]  # None: a permanent key without an end date
    stay_signed_in: Mapped[bool] = mapped_column(Boolean, default=False)
    password_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    bound_by: Mapped[int | None] = mapped_column(BigInteger)  # admin who bound a chat key
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UserCallSettings(Base):
    __tablename__ = "user_call_settings"

    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("telegram_users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    default_virtual_number: Mapped[str | None] = mapped_column(String(32))
    hold_message_kind: Mapped[MessageKind | None] = mapped_column(
        _enum(MessageKind, "message_kind")
    )
    hold_message_value: Mapped[str | None] = mapped_column(Text)
    default_region: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FavouriteTransferTarget(Base):
    """A number the user transfers calls to often (``to`` of make.call)."""

    __tablename__ = "favourite_transfer_targets"
    __table_args__ = (UniqueConstraint("telegram_user_id", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("telegram_users.id", ondelete="CASCADE")
    )
    label: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(32))  # E.164 digits, extension or SIP number
    employee_id: Mapped[int | None] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CatalogEmployee(Base):
    """Employees of the UIS account (the Call API cannot list them; the Data API can)."""

    __tablename__ = "catalog_employees"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str] = mapped_column(String(256))
    phones: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CatalogVirtualNumber(Base):
    __tablename__ = "catalog_virtual_numbers"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NamedCatalogRow(Base):
    """Catalog entries that are just an id and a name."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CatalogScenario(NamedCatalogRow):
    __tablename__ = "catalog_scenarios"


class CatalogTag(NamedCatalogRow):
    __tablename__ = "catalog_tags"


class CatalogMediaFile(NamedCatalogRow):
    __tablename__ = "catalog_media_files"


class CallRecord(Base):
    """The call ledger: one row per call the bot knows of, whichever source told it.

    Keyed by our ``external_id`` from before a start request leaves, and by UIS's
    ``call_session_id`` once known (a call opened from ``list.calls`` or an event may have only
    that). ``phase`` is the bot's call phase; the rules that move it live in the bot's ledger
    writer. Holds phone numbers: pruned by ``callbot ledger prune`` (see the README).
    """

    __tablename__ = "calls"
    __table_args__ = (Index(None, "last_change_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_session_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    direction: Mapped[str | None] = mapped_column(String(8))
    contact_number: Mapped[str | None] = mapped_column(String(64))
    virtual_number: Mapped[str | None] = mapped_column(String(64))
    scenario_id: Mapped[int | None] = mapped_column(BigInteger)
    # The employee whose point of view names the legs (ME, CONTACT, ...) and the phase.
    employee_id: Mapped[int | None] = mapped_column(BigInteger)
    started_by: Mapped[int | None] = mapped_column(BigInteger)  # Telegram user, if started here
    phase: Mapped[str] = mapped_column(String(32))
    legs: Mapped[list[Any]] = mapped_column(default=list)  # [{leg_id, role, state, ...}]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Consecutive list.calls snapshots that did not list the call (two finish it).
    missed_snapshots: Mapped[int] = mapped_column(Integer, default=0)
    last_change_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_change_source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallFactRecord(Base):
    """The ledger's history: every fact the writer received about a call, applied or not."""

    __tablename__ = "call_facts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    call_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # reply | snapshot | event | lookup
    kind: Mapped[str] = mapped_column(String(64))
    phase_before: Mapped[str | None] = mapped_column(String(32))
    phase_after: Mapped[str | None] = mapped_column(String(32))
    applied: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(String(256))


class UisEventRecord(Base):
    """A UIS event notification as it arrived: stored raw before it is answered or applied.

    ``state``: received (stored, not applied yet), applied, duplicate (the same event and raw
    body arrived before: applied once), dead (no usable call_session_id: kept for the operator).
    Bodies hold phone numbers: pruned with the ledger.
    """

    __tablename__ = "uis_events"
    __table_args__ = (
        UniqueConstraint("event", "body_hash"),
        Index(None, "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    received_at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(String(64))  # the sender's address
    call_session_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    state: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str | None] = mapped_column(String(256))
    applied_at: Mapped[datetime | None]


class EventSecretRecord(Base):
    """A UIS events secret kept during a rotation (``callbot events rotate-secret``).

    At most one ``next`` (the new secret, generated by rotate-secret) and one ``previous`` (the
    CALLBOT_EVENTS__SECRET the rotation started from): while they exist the receiver accepts
    both beside its configured secret; ``--finish`` deletes them. Encrypted with the
    deployment's TokenCipher like Call API tokens: a copy of the database alone does not give
    the URLs that UIS posts to.
    """

    __tablename__ = "event_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), unique=True)  # next | previous
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MissedCallState(enum.StrEnum):
    OPEN = "open"  # nobody is calling back: the messages offer Call back
    CLAIMED = "claimed"  # one user is calling back (``claimed_by``)
    RESOLVED = "resolved"  # called back and talked, or the client got through on their own


class MissedCallRecord(Base):
    """Calls from one number that nobody answered, with one owner for the call-back.

    A lost call from a number with an unresolved row less than a day old updates that row
    (``missed_count``); otherwise a new row. The claim is one conditional UPDATE (``db
    .missed_calls.claim``): exactly one user wins it. Holds phone numbers: pruned with the
    ledger (``callbot ledger prune``).
    """

    __tablename__ = "missed_calls"
    __table_args__ = (Index(None, "contact_number", "state"), Index(None, "last_missed_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_number: Mapped[str] = mapped_column(String(64))
    contact_name: Mapped[str | None] = mapped_column(String(256))
    virtual_number: Mapped[str | None] = mapped_column(String(64))
    first_missed_at: Mapped[datetime]
    last_missed_at: Mapped[datetime]
    missed_count: Mapped[int] = mapped_column(Integer, default=1)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)  # the last lost call's wait
    last_call_session_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=MissedCallState.OPEN.value)
    # What happened last: unanswered (a call-back nobody picked up), talked, got_through.
    outcome: Mapped[str | None] = mapped_column(String(16))
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)  # Telegram user
    claimed_by_name: Mapped[str | None] = mapped_column(String(256))
    claimed_at: Mapped[datetime | None]
    # The ledger call of the call-back (its phase decides talked / unanswered).
    callback_call_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MissedCallMessage(Base):
    """A Telegram message that shows a missed call (one per recipient chat)."""

    __tablename__ = "missed_call_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    missed_call_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("missed_calls.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)  # None: anyone in chat
    language: Mapped[str] = mapped_column(String(8))
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    token: Mapped[str | None] = mapped_column(String(32))  # its Call back button's token


class OnCallChat(Base):
    """The group chat that gets missed calls nobody in particular was tried for (one row)."""

    __tablename__ = "oncall_chat"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    bound_by: Mapped[int] = mapped_column(BigInteger)
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallCard(Base):
    """A Telegram message that shows a ledger call, and whose buttons act on it for whom."""

    __tablename__ = "call_cards"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    call_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    employee_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UpdateClaim(Base):
    """A Telegram update that may act (reach UIS), claimed before it is handled: a redelivered
    update (webhook retry, a restart before the offset was confirmed) acts at most once."""

    __tablename__ = "update_claims"
    __table_args__ = (Index(None, "claimed_at"),)

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Update type, chat and message (or callback query) id: Telegram reuses update ids after a
    # quiet week, and the same id with another fingerprint is a new update.
    fingerprint: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))  # taken -> done
    claimed_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class ActionToken(Base):
    """A one-shot button: consumed at most once, however often Telegram delivers the press."""

    __tablename__ = "action_tokens"
    __table_args__ = (Index(None, "expires_at"),)

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    card_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("call_cards.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)  # None: anyone in chat
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
    consumed_by: Mapped[int | None] = mapped_column(BigInteger)


class AuditLogEntry(Base):
    """One Call API request (or local refusal). Append-only; see migration 0002 for the trigger.

    ``id`` is generated by the client (time-ordered UUID) so that a retried batch insert is a
    no-op for rows already stored (ON CONFLICT (id) DO NOTHING).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index(None, "telegram_user_id", "occurred_at"),
        Index(None, "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    occurred_at: Mapped[datetime]
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_update_id: Mapped[int | None] = mapped_column(BigInteger)
    callapi_login: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    request_id: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[AuditOutcome] = mapped_column(_enum(AuditOutcome, "audit_outcome"))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_mnemonic: Mapped[str | None] = mapped_column(Text)
    error_detail: Mapped[str | None] = mapped_column(Text)
    call_session_id: Mapped[int | None] = mapped_column(BigInteger)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    limits: Mapped[dict[str, Any] | None]
