"""Bot API request parameters, whichever way the client sent them.

Telegram accepts a query string, application/x-www-form-urlencoded, multipart/form-data and
JSON. aiogram's AiohttpSession always POSTs form data: strings as they are and every other value
(numbers, booleans, objects, lists) JSON-encoded, files as multipart parts referenced by
"attach://<key>"; it leaves out empty values altogether. JSON bodies carry native types. The
accessors below accept both representations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.telegram.errors import bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


class Params:
    """Typed access to the parameters of one Bot API call."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile] | None = None):
        self._values = values
        self._files = files or {}

    def has(self, name: str) -> bool:
        """Whether the parameter was sent at all (aiogram omits empty values)."""
        return name in self._values or name in self._files

    def str_or_none(self, name: str) -> str | None:
        """A string parameter; JSON numbers are accepted and converted like Telegram does."""
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f"parameter {name!r} must be a string")

    def int_or_none(self, name: str) -> int | None:
        """An integer parameter (a JSON number or its decimal text)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"parameter {name!r} must be an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f"parameter {name!r} must be an integer")

    def float_or_none(self, name: str) -> float | None:
        """A numeric parameter (getUpdates timeout may be fractional)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad_request(f"parameter {name!r} must be a number")

    def flag(self, name: str, default: bool = False) -> bool:
        """A Boolean parameter ("true"/"false" text, JSON booleans, 0/1)."""
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
        raise bad_request(f"parameter {name!r} must be a Boolean")

    def json_or_none(self, name: str, *, what: str) -> Any:
        """A structured parameter: a JSON text (form data) or an object/list (JSON body).

        what names the object in the error, as Telegram does: "can't parse <what> JSON object".
        """
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if value.strip() == "":
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise bad_request(f"can't parse {what} JSON object") from exc
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat identifier: an integer or an "@username" of a public chat."""
        value = self._values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("@"):
                return text
            try:
                return int(text)
            except ValueError as exc:
                raise bad_request("chat not found") from exc
        raise bad_request("chat not found")

    def file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an uploaded part (direct or "attach://key") or a file_id/URL text."""
        if name in self._files:
            return self._files[name]
        value = self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise bad_request(f"parameter {name!r} must be a file")
        if value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in self._files:
                raise bad_request(f"file {key!r} is not found in the request")
            return self._files[key]
        return value

    def loggable(self) -> dict[str, Any]:
        """The parameters for the emulator's call log: files shown by name only."""
        shown: dict[str, Any] = dict(self._values)
        for key, uploaded in self._files.items():
            shown[key] = f"<file {uploaded.filename} {len(uploaded.content)} bytes>"
        return shown
