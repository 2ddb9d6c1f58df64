"""JSON-RPC errors the simulator answers with, built from the reference's documented facts."""

from __future__ import annotations

import string
from typing import Any

from sandbox.uis.reference import Reference

_NO_VALUE = object()

# Mnemonics after which the docs say no metadata (limits) is returned: limits are not applied.
NO_METADATA_MNEMONICS = frozenset(
    {
        "parse_error",
        "invalid_request",
        "method_not_found",
        "access_token_blocked",
        "access_token_invalid",
        "access_token_expired",
        "auth_error",
        "ip_not_whitelisted",
        # Not in the documented list, but these refuse the envelope before any method (and so
        # any account) is known, exactly like invalid_request.
        "batch_opreations_not_supported",
        "batch_operations_not_supported",
        "notifications_not_supported",
    }
)


class ControlError(Exception):
    """A control request that cannot be carried out; ``status`` is the HTTP status to use."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RpcError(Exception):
    """A documented Call API error, ready to be rendered as a JSON-RPC error object."""

    def __init__(
        self,
        mnemonic: str,
        code: int,
        message: str,
        *,
        field: str | None = None,
        value: Any = _NO_VALUE,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{mnemonic}: {message}")
        self.mnemonic = mnemonic
        self.code = code
        self.message = message
        self.field = field
        self.value = value
        self.params = params or {}

    @property
    def carries_metadata(self) -> bool:
        """Whether the docs say this error still reports metadata (limits)."""
        return self.mnemonic not in NO_METADATA_MNEMONICS

    def data(self) -> dict[str, Any]:
        """The ``error.data`` object: mnemonic, field/value when a parameter is at fault, params
        (placeholder values of the message template, ``{}`` when none) and extended_helper."""
        data: dict[str, Any] = {"mnemonic": self.mnemonic}
        if self.field is not None:
            data["field"] = self.field
        if self.value is not _NO_VALUE:
            data["value"] = self.value
        data["params"] = dict(self.params)
        data["extended_helper"] = None
        return data


def fill_template(template: str, params: dict[str, Any]) -> str:
    """Substitute ``{name}`` placeholders; placeholders without a value are left as written."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        out.append(str(params[name]) if name in params else "{" + name + "}")
    return "".join(out)


def make_error(
    reference: Reference,
    mnemonic: str,
    *,
    method: str | None = None,
    field: str | None = None,
    value: Any = _NO_VALUE,
    params: dict[str, Any] | None = None,
) -> RpcError:
    """Build the documented error ``mnemonic`` (the method's own code/message when it has one)."""
    spec = reference.error(mnemonic, method)
    filled = params or {}
    return RpcError(
        spec.mnemonic,
        spec.code,
        fill_template(spec.message, filled),
        field=field,
        value=value,
        params=filled,
    )


def missing_value() -> Any:
    """The sentinel meaning 'no value was sent' (``error.data.value`` is then absent)."""
    return _NO_VALUE
