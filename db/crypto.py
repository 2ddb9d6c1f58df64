"""Encryption at rest for Call API tokens and passwords (Fernet, several keys for rotation).

Keys come from ``CALLBOT_SECURITY__ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first.
The newest key encrypts; every key decrypts, so an operator rotates by prepending a new key,
running ``callbot rotate-keys`` (which re-encrypts old rows) and later dropping the old key.

Fernet (AES-128-CBC + HMAC-SHA256) authenticates the ciphertext: a wrong key or a tampered row
raises ``DecryptionError``; it never yields garbage plaintext.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from db.engine import is_postgresql, is_sqlite, sqlite_path

logger = logging.getLogger(__name__)

KEYS_VARIABLE = "CALLBOT_SECURITY__ENCRYPTION_KEYS"
GENERATE_HINT = (
    'generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class CryptoError(Exception):
    """Base for encryption problems. Messages never contain key material or plaintext."""


class KeyConfigurationError(CryptoError):
    """The configured keys are missing or malformed; the bot must not start."""


class KeyFileMissingError(KeyConfigurationError):
    """No key is configured and the generated key file does not exist (yet)."""


class DecryptionError(CryptoError):
    """A stored secret cannot be decrypted with any configured key."""


class TokenCipher:
    """Encrypts with the newest key, decrypts with any of them."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise KeyConfigurationError(f"{KEYS_VARIABLE}: at least one key is required")
        fernets: list[Fernet] = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # Say which key, never what it was.
                raise KeyConfigurationError(
                    f"{KEYS_VARIABLE}: key #{position} is not a valid Fernet key "
                    f"(32 url-safe base64-encoded bytes); {GENERATE_HINT}"
                ) from None
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)
        self._key_count = len(fernets)

    def __repr__(self) -> str:
        return f"TokenCipher(keys={self._key_count})"

    @property
    def key_count(self) -> int:
        return self._key_count

    def encrypt(self, plaintext: str) -> bytes:
        return self._newest.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._all.decrypt(bytes(ciphertext)).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            raise DecryptionError(
                "a stored secret cannot be decrypted with the configured encryption keys "
                f"({KEYS_VARIABLE}): the key it was encrypted with is missing from the list, "
                "or the stored value is damaged"
            ) from None

    def is_current(self, ciphertext: bytes) -> bool:
        """True when the newest key already decrypts ``ciphertext`` (no rotation needed)."""
        try:
            self._newest.decrypt(bytes(ciphertext))
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt with the newest key; raises ``DecryptionError`` if no key fits."""
        try:
            return self._all.rotate(bytes(ciphertext))
        except InvalidToken:
            self.decrypt(ciphertext)  # raises the explanatory DecryptionError
            raise  # pragma: no cover - decrypt() raised already


def generate_key() -> str:
    """A fresh Fernet key as text."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(configured: str) -> list[str]:
    """Split the comma-separated setting into keys, newest first, dropping blanks."""
    return [key.strip() for key in configured.split(",") if key.strip()]


def default_key_file(database_url: str) -> Path | None:
    """Where a generated key lives for an embedded SQLite database: beside the file."""
    path = sqlite_path(database_url)
    return None if path is None else path.with_name(path.stem + ".key")


def resolve_keys(
    configured: str | None, database_url: str, key_file: Path, *, create: bool = True
) -> TokenCipher:
    """The cipher to use at startup.

    - Keys configured: use them (newest first). ``key_file`` is ignored; an operator moving from
      a generated key to configured keys must list the generated key last to keep old rows.
    - No keys and SQLite: use ``key_file``; if it does not exist, generate a key into it
      (mode 0600) and log a warning, so the zero-configuration embedded setup still encrypts.
    - No keys and PostgreSQL (or anything else): refuse with ``KeyConfigurationError``: a
      server database outlives containers and is shared, so its key must be managed explicitly.

    ``create=False`` (checks such as `callbot doctor`, `callbot rotate-keys`) never writes a
    key file: a missing one raises ``KeyFileMissingError`` instead.
    """
    if configured is not None and parse_keys(configured):
        return TokenCipher(parse_keys(configured))
    if is_postgresql(database_url) or not is_sqlite(database_url):
        raise KeyConfigurationError(
            f"{KEYS_VARIABLE} must be set when the database is PostgreSQL: stored Call API "
            f"sessions are encrypted with it; {GENERATE_HINT}"
        )
    return TokenCipher([_load_or_generate_key_file(key_file, create=create)])


def _load_or_generate_key_file(key_file: Path, *, create: bool = True) -> str:
    try:
        key = key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise KeyFileMissingError(
                f"no encryption key yet: {KEYS_VARIABLE} is not set and {key_file} does not "
                "exist (`callbot run` generates it at its first start)"
            ) from None
        return _generate_key_file(key_file)
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigurationError(
            f"cannot read the encryption key file {key_file}: {type(exc).__name__}; "
            f"fix the file or set {KEYS_VARIABLE}"
        ) from None
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if mode & 0o077:
        logger.warning(
            "encryption key file %s is readable by other users (mode %o); chmod 600 it",
            key_file,
            mode,
        )
    if not key:
        raise KeyConfigurationError(
            f"the encryption key file {key_file} is empty; delete it only if no credentials "
            f"are stored yet, or set {KEYS_VARIABLE}"
        )
    try:
        TokenCipher([key])
    except KeyConfigurationError:
        raise KeyConfigurationError(
            f"the encryption key file {key_file} does not hold a valid Fernet key; "
            f"set {KEYS_VARIABLE} or restore the file"
        ) from None
    return key


def _generate_key_file(key_file: Path) -> str:
    key = generate_key()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process generated it between our read and our create: use theirs.
        return _load_or_generate_key_file(key_file)
    except OSError as exc:
        raise KeyConfigurationError(
            f"cannot create the encryption key file {key_file}: {type(exc).__name__}; "
            f"set {KEYS_VARIABLE} or make the data directory writable"
        ) from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.warning(
        "%s is not set: generated an encryption key into %s (mode 0600). Back this file up "
        "together with the database: without it the stored Call API sessions cannot be "
        "decrypted. Set %s to manage keys yourself.",
        KEYS_VARIABLE,
        key_file,
        KEYS_VARIABLE,
    )
    return key
