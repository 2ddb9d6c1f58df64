"""What every successful call returns: the parsed data plus the reply's metadata."""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from api.metadata import Limits, ReplyMetadata

__all__ = ["Reply"]

DataT = TypeVar("DataT", covariant=True)


class Reply(NamedTuple, Generic[DataT]):
    """A successful reply.

    ``data`` is the method's result model (or raw JSON for methods outside the reference).
    ``external_id`` is set for start.* methods: the id the call was started with.
    ``attempts`` counts HTTP attempts (a re-login or a read retry adds one).
    """

    method: str
    data: DataT
    metadata: ReplyMetadata
    request_id: str
    attempts: int = 1
    external_id: str | None = None

    @property
    def limits(self) -> Limits | None:
        """Points limits reported with this reply, if any."""
        return self.metadata.limits
