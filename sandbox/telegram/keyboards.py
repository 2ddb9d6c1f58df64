"""reply_markup validation (inline and reply keyboards) and button lookup for presses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.telegram.errors import EmulatorError, bad_request

MarkupKind = Literal["inline", "keyboard", "remove", "force_reply"]

# An inline button must carry exactly one action besides its text.
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CALLBACK_DATA_MAX_BYTES = 64
_MAX_BUTTONS = 100
_VALID_URL = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyMarkup:
    """A validated reply_markup: its kind and its normalised JSON form."""

    kind: MarkupKind
    data: dict[str, Any]


def _inline_button(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = raw.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [key for key in _INLINE_ACTIONS if raw.get(key) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    button: dict[str, Any] = {key: value for key, value in raw.items() if value is not None}
    callback_data = raw.get("callback_data")
    if callback_data is not None:
        if not isinstance(callback_data, str):
            raise bad_request("BUTTON_DATA_INVALID")
        size = len(callback_data.encode("utf-8"))
        if not 1 <= size <= _CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not _VALID_URL.match(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return button


def _reply_button(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    return {key: value for key, value in raw.items() if value is not None}


def _rows(raw: Any, field: str) -> list[Any]:
    rows = raw.get(field)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            f'can\'t parse reply keyboard markup JSON object: Field "{field}" must be of type Array'
        )
    return rows


def parse_reply_markup(raw: Any, *, inline_only: bool = False) -> ReplyMarkup | None:
    """Validate a reply_markup object; None when absent or an empty inline keyboard.

    Raises BotApiError with Telegram's descriptions, notably BUTTON_DATA_INVALID for callback
    data outside 1-64 bytes.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        rows = [[_inline_button(button) for button in row] for row in _rows(raw, "inline_keyboard")]
        rows = [row for row in rows if row]
        if sum(len(row) for row in rows) > _MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        if not rows:
            return None
        return ReplyMarkup("inline", {"inline_keyboard": rows})
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        rows = [[_reply_button(button) for button in row] for row in _rows(raw, "keyboard")]
        rows = [row for row in rows if row]
        if not rows:
            raise bad_request("keyboard must be non-empty")
        data = {key: value for key, value in raw.items() if value is not None}
        data["keyboard"] = rows
        return ReplyMarkup("keyboard", data)
    if raw.get("remove_keyboard") is True:
        return ReplyMarkup("remove", dict(raw))
    if raw.get("force_reply") is True:
        return ReplyMarkup("force_reply", dict(raw))
    raise bad_request("can't parse reply keyboard markup JSON object")


def find_inline_button(
    markup: dict[str, Any] | None,
    *,
    text: str | None = None,
    index: int | tuple[int, int] | None = None,
    callback_data: str | None = None,
) -> dict[str, Any] | None:
    """The inline button selected by exact text, by callback_data or by position.

    index is either a flat position counting buttons row by row, or (row, column).
    """
    if markup is None:
        return None
    rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
    if index is not None:
        if isinstance(index, tuple):
            row_index, column = index
            if 0 <= row_index < len(rows) and 0 <= column < len(rows[row_index]):
                return rows[row_index][column]
            return None
        flat = [button for row in rows for button in row]
        return flat[index] if 0 <= index < len(flat) else None
    for row in rows:
        for button in row:
            if text is not None and button.get("text") == text:
                return button
            if callback_data is not None and button.get("callback_data") == callback_data:
                return button
    return None


def find_reply_button(markup: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """The reply-keyboard button with this exact text; EmulatorError if the keyboard lacks it."""
    rows: list[list[dict[str, Any]]] = markup.get("keyboard", []) if markup else []
    for row in rows:
        for button in row:
            if button.get("text") == text:
                return button
    shown = [button.get("text") for row in rows for button in row]
    raise EmulatorError(f"no reply keyboard button {text!r}; the keyboard shows {shown}")
