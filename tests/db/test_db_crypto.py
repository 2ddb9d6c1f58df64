"""Encryption at rest: keys, rotation, and no plaintext secret in the database or a dump."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import stat
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from dbtest_support import asyncpg_dsn, reset_tables
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.credentials import (
    count_undecryptable,
    load_user_credential,
    rotate_keys,
    save_user_credential,
    token_fingerprint,
)
from db.crypto import (
    DecryptionError,
    KeyConfigurationError,
    TokenCipher,
    default_key_file,
    generate_key,
    resolve_keys,
)
from db.models import AuditLogEntry, CredentialKind, StoredCredential
from db.types import utcnow
from db.users import record_user_seen

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/whatever"
TOKEN = "plaintext-access-token-7f3c9a1b2d4e"
PASSWORD = "plaintext-password-q8w7e6r5"


def test_cipher_round_trip_and_repr_hides_keys() -> None:
    key = generate_key()
    cipher = TokenCipher([key])
    ciphertext = cipher.encrypt(TOKEN)
    assert TOKEN.encode() not in ciphertext
    assert cipher.decrypt(ciphertext) == TOKEN
    assert key not in repr(cipher)
    assert repr(cipher) == "TokenCipher(keys=1)"


def test_wrong_key_is_a_clear_error_not_garbage() -> None:
    ciphertext = TokenCipher([generate_key()]).encrypt(TOKEN)
    other_key = generate_key()
    with pytest.raises(DecryptionError, match="CALLBOT_SECURITY__ENCRYPTION_KEYS") as caught:
        TokenCipher([other_key]).decrypt(ciphertext)
    assert other_key not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_tampered_ciphertext_is_refused() -> None:
    cipher = TokenCipher([generate_key()])
    ciphertext = bytearray(cipher.encrypt(TOKEN))
    ciphertext[-5] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(ciphertext))


def test_malformed_key_names_its_position_but_not_its_value() -> None:
    good = generate_key()
    with pytest.raises(KeyConfigurationError, match="key #2") as caught:
        resolve_keys(f"{good}, not-a-fernet-key-at-all", PG_URL, Path("/nonexistent"))
    assert "not-a-fernet-key-at-all" not in str(caught.value)
    assert good not in str(caught.value)


def test_postgresql_without_keys_refuses_to_start(tmp_path: Path) -> None:
    for configured in (None, "", " , "):
        with pytest.raises(KeyConfigurationError, match="must be set when the database is"):
            resolve_keys(configured, PG_URL, tmp_path / "callbot.key")
    assert not (tmp_path / "callbot.key").exists()


def test_sqlite_without_keys_generates_a_private_key_file_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callbot.sqlite3'}"
    key_file = default_key_file(url)
    assert key_file == tmp_path / "data" / "callbot.key"
    with caplog.at_level(logging.WARNING, logger="db.crypto"):
        first = resolve_keys(None, url, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert any("generated an encryption key" in record.getMessage() for record in caplog.records)
    key_text = key_file.read_text().strip()
    assert all(key_text not in record.getMessage() for record in caplog.records)
    ciphertext = first.encrypt(TOKEN)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="db.crypto"):
        second = resolve_keys(None, url, key_file)
    assert not caplog.records  # reused silently
    assert second.decrypt(ciphertext) == TOKEN


def test_configured_keys_win_over_the_key_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callbot.sqlite3'}"
    key_file = tmp_path / "callbot.key"
    generated = resolve_keys(None, url, key_file)
    configured_key = generate_key()
    configured = resolve_keys(configured_key, url, key_file)
    with pytest.raises(DecryptionError):
        configured.decrypt(generated.encrypt(TOKEN))
    # Listing the generated key last keeps old rows readable.
    both = resolve_keys(f"{configured_key},{key_file.read_text().strip()}", url, key_file)
    assert both.decrypt(generated.encrypt(TOKEN)) == TOKEN


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callbot.sqlite3'}"
    key_file = tmp_path / "callbot.key"
    key_file.write_text("")
    with pytest.raises(KeyConfigurationError, match="is empty"):
        resolve_keys(None, url, key_file)
    key_file.write_text("garbage\n")
    with pytest.raises(KeyConfigurationError, match="does not hold a valid Fernet key"):
        resolve_keys(None, url, key_file)


def test_rotation_newest_encrypts_all_decrypt() -> None:
    old, new = generate_key(), generate_key()
    old_ciphertext = TokenCipher([old]).encrypt(TOKEN)
    rotating = TokenCipher([new, old])
    assert rotating.decrypt(old_ciphertext) == TOKEN
    assert not rotating.is_current(old_ciphertext)
    rotated = rotating.rotate(old_ciphertext)
    assert rotating.is_current(rotated)
    assert TokenCipher([new]).decrypt(rotated) == TOKEN
    assert TokenCipher([new]).decrypt(rotating.encrypt("x")) == "x"


async def store_credentials(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, user_ids: list[int]
) -> None:
    async with sessions.begin() as session:
        for user_id in user_ids:
            await record_user_seen(session, user_id)
            await save_user_credential(
                session,
                cipher,
                user_id,
                kind=CredentialKind.LOGIN_SESSION,
                login="demo.manager",
                access_token=f"{TOKEN}-{user_id}",
                expires_at=utcnow() + timedelta(hours=1),
                stay_signed_in=True,
                password=f"{PASSWORD}-{user_id}",
            )


async def test_rotate_keys_reencrypts_old_rows(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    old, new = generate_key(), generate_key()
    await store_credentials(sessions, TokenCipher([old]), [1, 2, 3])
    stranger = TokenCipher([generate_key()])
    await store_credentials(sessions, stranger, [4])  # a key nobody has any more

    report = await rotate_keys(engine, TokenCipher([new, old]))
    assert report.rotated == 3
    assert report.already_current == 0
    assert len(report.undecryptable_ids) == 1

    only_new = TokenCipher([new])
    async with sessions() as session:
        for user_id in (1, 2, 3):
            credential = await load_user_credential(session, only_new, user_id)
            assert credential is not None
            assert credential.access_token == f"{TOKEN}-{user_id}"
            assert credential.password == f"{PASSWORD}-{user_id}"
        assert await count_undecryptable(session, only_new) == 1
        with pytest.raises(DecryptionError):
            await load_user_credential(session, only_new, 4)
        assert (await load_user_credential(session, stranger, 4)) is not None  # untouched
        rotation_rows = await session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.method == "callbot.rotate_keys")
            .order_by(AuditLogEntry.occurred_at.desc())
            .limit(1)
        )
        assert rotation_rows.one().params["rotated"] == 3

    again = await rotate_keys(engine, TokenCipher([new, old]))
    assert (again.rotated, again.already_current) == (0, 3)


async def test_no_plaintext_secret_in_a_raw_read_or_a_pg_dump(
    pg_engine: AsyncEngine, migrated_pg_url: str
) -> None:
    await reset_tables(pg_engine)
    sessions = async_sessionmaker(pg_engine, expire_on_commit=False)
    cipher = TokenCipher([generate_key()])
    await store_credentials(sessions, cipher, [501, 502])
    secrets_stored = [f"{TOKEN}-{501}", f"{TOKEN}-{502}", f"{PASSWORD}-{501}", f"{PASSWORD}-{502}"]

    # Raw SQL, bypassing the ORM: every column, as the database holds it.
    connection = await asyncpg.connect(asyncpg_dsn(migrated_pg_url))
    try:
        rows = await connection.fetch("SELECT * FROM callapi_credentials")
        fingerprints = {row["token_fingerprint"] for row in rows}
    finally:
        await connection.close()
    raw = repr([dict(row) for row in rows]).encode()
    assert len(rows) == 2
    for secret in secrets_stored:
        assert secret.encode() not in raw
        assert secret[:12].encode() not in raw
    assert fingerprints == {
        token_fingerprint(f"{TOKEN}-{501}"),
        token_fingerprint(f"{TOKEN}-{502}"),
    }

    # pg_dump of the whole database (data and schema).
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    parts = urlsplit(migrated_pg_url)
    completed = await asyncio.to_thread(
        subprocess.run,
        [
            pg_dump,
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 5432),
            "-U",
            parts.username or "postgres",
            "-d",
            parts.path.lstrip("/"),
        ],
        capture_output=True,
        timeout=120,
        check=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    dump = completed.stdout
    assert b"callapi_credentials" in dump
    for secret in secrets_stored:
        assert secret.encode() not in dump
    async with sessions() as session:
        row = await session.scalar(
            select(StoredCredential).where(StoredCredential.telegram_user_id == 501)
        )
        assert row is not None
        assert cipher.decrypt(row.token_ciphertext) == f"{TOKEN}-501"
