"""Reply metadata: points limits and the deprecated-version flag.

Where metadata sits is not shown in any Call API example. By analogy with the vendor's Data API we
expect ``result.metadata`` on success and ``error.data.metadata`` on errors, and also accept it at
the envelope top level, at ``error.metadata`` and inside ``result.data`` (when data is an object),
because a server (or our simulator) may put it there. The deprecated flag is spelled
``current_version_deprecated`` (EN docs) or ``current_version_depricated`` (RU docs); both count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

__all__ = [
    "ApiVersionInfo",
    "DeprecatedApiVersionWarning",
    "Limits",
    "ReplyMetadata",
    "find_metadata",
    "parse_metadata",
]

_DEPRECATED_KEYS: Final = ("current_version_deprecated", "current_version_depricated")
_LIMIT_KEYS: Final = (
    "day_limit",
    "day_remaining",
    "day_reset",
    "minute_limit",
    "minute_remaining",
    "minute_reset",
)


class DeprecatedApiVersionWarning(DeprecationWarning):
    """The server says the API version in the base URL is deprecated (gone in ~2 months)."""


# NamedTuples rather than frozen dataclasses: immutable too, and several times cheaper to build,
# which matters because every reply creates them.
class Limits(NamedTuple):
    """``metadata.limits``: points allowed / left, and seconds until each counter resets."""

    day_limit: float | None = None
    day_remaining: float | None = None
    day_reset: float | None = None
    minute_limit: float | None = None
    minute_remaining: float | None = None
    minute_reset: float | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Limits | None:
        """Parse the documented keys; None when none of them is a number."""
        values: list[float | None] = []
        found = False
        for key in _LIMIT_KEYS:
            value = raw.get(key)
            # type() rather than isinstance(): JSON true/false must not count as 1/0.
            if type(value) is int or type(value) is float:
                values.append(float(value))
                found = True
            else:
                values.append(None)
        return cls(*values) if found else None


class ApiVersionInfo(NamedTuple):
    """``metadata.api_version`` (present only when the called version is deprecated)."""

    deprecated: bool
    current_version: str | None = None
    latest_version: str | None = None


class ReplyMetadata(NamedTuple):
    """Parsed metadata of one reply; ``location`` says where it was found (None: absent)."""

    limits: Limits | None = None
    api_version: ApiVersionInfo | None = None
    location: str | None = None

    @property
    def version_deprecated(self) -> bool:
        """True when the server flagged the called API version as deprecated."""
        return self.api_version is not None and self.api_version.deprecated


EMPTY_METADATA: Final = ReplyMetadata()


def find_metadata(envelope: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str | None]:
    """Locate the raw metadata object in a reply envelope: ``(metadata, dotted location)``."""
    result = envelope.get("result")
    if isinstance(result, Mapping):
        found = result.get("metadata")
        if isinstance(found, Mapping):
            return found, "result.metadata"
    error = envelope.get("error")
    if isinstance(error, Mapping):
        data = error.get("data")
        if isinstance(data, Mapping):
            found = data.get("metadata")
            if isinstance(found, Mapping):
                return found, "error.data.metadata"
        found = error.get("metadata")
        if isinstance(found, Mapping):
            return found, "error.metadata"
    found = envelope.get("metadata")
    if isinstance(found, Mapping):
        return found, "metadata"
    if isinstance(result, Mapping):
        data = result.get("data")
        if isinstance(data, Mapping):
            found = data.get("metadata")
            if isinstance(found, Mapping):
                return found, "result.data.metadata"
    return None, None


def parse_metadata(raw: Mapping[str, Any] | None, location: str | None = None) -> ReplyMetadata:
    """Turn a raw metadata object into :class:`ReplyMetadata` (tolerant of missing parts)."""
    if raw is None:
        return EMPTY_METADATA
    limits_raw = raw.get("limits")
    limits = Limits.from_mapping(limits_raw) if isinstance(limits_raw, Mapping) else None
    version_raw = raw.get("api_version")
    api_version: ApiVersionInfo | None = None
    if isinstance(version_raw, Mapping):
        deprecated = any(version_raw.get(key) is True for key in _DEPRECATED_KEYS)
        current = version_raw.get("current_version")
        latest = version_raw.get("latest_version")
        api_version = ApiVersionInfo(
            deprecated=deprecated,
            current_version=str(current) if current is not None else None,
            latest_version=str(latest) if latest is not None else None,
        )
    return ReplyMetadata(limits=limits, api_version=api_version, location=location)
