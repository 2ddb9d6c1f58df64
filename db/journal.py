"""The audit writer's local journal: append-only segment files of JSON lines.

Every audit row is written here before it is queued for the database, so rows survive a killed
process (SIGKILL) or an unreachable database and are replayed at the next start. So is every
Call API request's intent, before the request is sent (see ``db.audit_writer``).

Durability policy. Each row is appended with one ``write(2)`` on an ``O_APPEND`` descriptor, so
once ``append`` returns the row is in the kernel's page cache: a killed process loses nothing,
and the call costs a few microseconds. The file is ``fdatasync``-ed in a worker thread once per
``fsync_interval`` (default 1 s) when something was written, so a power loss or kernel crash
loses at most that last interval. Syncing every row would cost milliseconds per row on ordinary
disks and break the "never slow a user action" rule; ``fsync_interval=0`` still selects it for
deployments that prefer that.

Rows are deleted from the journal a whole segment at a time: a segment file is unlinked once
every row in it is committed and every intent in it has its outcome row safe. The directory
holds a ``lock`` file (``flock``) so two processes never share one journal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path

SEGMENT_PATTERN = re.compile(r"^segment-(\d{12})\.jsonl$")
LOCK_FILE = "lock"


class JournalLockedError(RuntimeError):
    """Another process holds this journal directory."""


def segment_name(sequence: int) -> str:
    return f"segment-{sequence:012d}.jsonl"


class Journal:
    """Segment files in one directory; one active segment receives appends."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock_fd: int | None = None
        self._fd: int | None = None
        self._sequence = 0
        self._dirty = False
        self._directory_dirty = False
        # Descriptors (duplicates) of sealed segments not yet synced: rotation must not
        # fsync in the caller's path, so the periodic sync takes care of them.
        self._unsynced: list[int] = []

    @property
    def active_sequence(self) -> int:
        return self._sequence

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def path_of(self, sequence: int) -> Path:
        return self.directory / segment_name(sequence)

    def open(self) -> list[int]:
        """Lock the directory and start a new active segment.

        Returns the sequence numbers of segments left by an earlier process (to replay),
        oldest first.
        """
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            raise JournalLockedError(
                f"the audit journal {self.directory} is in use by another process"
            ) from None
        self._lock_fd = lock_fd
        leftovers = sorted(
            int(match.group(1))
            for entry in self.directory.iterdir()
            if (match := SEGMENT_PATTERN.match(entry.name))
        )
        self._sequence = (leftovers[-1] if leftovers else 0) + 1
        self._open_active()
        return leftovers

    def _open_active(self) -> None:
        self._fd = os.open(
            self.path_of(self._sequence),
            os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
            0o600,
        )
        self._directory_dirty = True

    def append(self, line: bytes) -> None:
        """Append one complete line (one write, so no other row interleaves). Raises OSError."""
        if self._fd is None:
            raise OSError("the audit journal is closed")
        written = os.write(self._fd, line)
        if written != len(line):  # only on a full disk; the torn line is skipped at replay
            raise OSError(f"short write to the audit journal ({written} of {len(line)} bytes)")
        self._dirty = True

    def rotate(self) -> int:
        """Seal the active segment and open the next one. Returns the sealed sequence."""
        sealed = self._sequence
        self._close_active()
        self._sequence += 1
        self._open_active()
        return sealed

    def reopen(self) -> None:
        """Start a fresh active segment after an I/O error (the old one may be broken)."""
        self.rotate()

    def take_unsynced(self) -> tuple[list[int], int | None]:
        """Descriptors to sync in a worker thread: (segment files, directory or None).

        Duplicates, so that a rotation closing the original cannot pull a descriptor out from
        under the thread. ``sync_and_close`` closes them.
        """
        files = self._unsynced
        self._unsynced = []
        if self._dirty and self._fd is not None:
            files.append(os.dup(self._fd))
        self._dirty = False
        directory_fd = None
        if self._directory_dirty:
            directory_fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
            self._directory_dirty = False
        return files, directory_fd

    def sync_now(self) -> None:
        sync_and_close(*self.take_unsynced())

    def remove(self, sequence: int) -> None:
        """Delete a segment whose rows are all committed (never the active one)."""
        assert sequence != self._sequence or self._fd is None
        with contextlib.suppress(FileNotFoundError):
            self.path_of(sequence).unlink()

    def read(self, sequence: int, batch_lines: int) -> Iterator[list[bytes]]:
        """The segment's lines in batches (for replay)."""
        with self.path_of(sequence).open("rb") as handle:
            batch: list[bytes] = []
            for line in handle:
                batch.append(line)
                if len(batch) >= batch_lines:
                    yield batch
                    batch = []
            if batch:
                yield batch

    def _close_active(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            if self._dirty:
                self._unsynced.append(os.dup(fd))
                self._dirty = False
            os.close(fd)

    def close(self, *, remove_active_if_empty: bool = True) -> None:
        """Sync and close the active segment, drop it if nothing was ever written, unlock."""
        active_path = self.path_of(self._sequence)
        self._close_active()
        self.sync_now()
        if remove_active_if_empty:
            try:
                if active_path.stat().st_size == 0:
                    active_path.unlink()
            except FileNotFoundError:
                pass
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def sync_and_close(file_fds: list[int], directory_fd: int | None) -> None:
    """fdatasync segment files and fsync their directory (new names), closing every descriptor."""
    try:
        for fd in file_fds:
            os.fdatasync(fd)
        if directory_fd is not None:
            os.fsync(directory_fd)
    finally:
        for fd in file_fds:
            os.close(fd)
        if directory_fd is not None:
            os.close(directory_fd)
