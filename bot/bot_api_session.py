"""The bot's Bot API session: aiogram's aiohttp session, sending JSON bodies.

aiogram's ``AiohttpSession`` posts every request as form data: each value JSON-encoded on its
own, then percent-encoded byte by byte by ``urllib`` (Cyrillic card texts are mostly escapes).
That encoding was a visible share of a button press's CPU in ``benchmarks/bench_bot.py``.
The Bot API accepts ``application/json`` bodies for every method, so requests without a file
upload are sent as one JSON document, encoded in Rust by pydantic-core; uploads keep aiogram's
multipart form. The values are prepared by aiogram's own ``prepare_value`` (defaults such as
``parse_mode``, enums, dates), so what a method means is unchanged: only the body's encoding
differs. Replies are decoded by pydantic-core as well, and a button press arrives without its
message's keyboard and entities, which no handler reads (``slim_update``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import FormData
from aiohttp.payload import BytesPayload
from pydantic_core import from_json, to_json

if TYPE_CHECKING:
    from aiogram import Bot


# Parts of a pressed button's message that no handler reads, and that cost more to turn into
# aiogram objects than the rest of the update: the message's keyboard (a dozen buttons on a
# call card) and its formatting entities. The message keeps its id, chat, date and text.
_UNREAD_PRESSED_MESSAGE_FIELDS = ("reply_markup", "entities")


def slim_update(update: Any) -> None:
    """Drop what no handler reads from a button press update, in place."""
    if not isinstance(update, dict):
        return
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict):
            for name in _UNREAD_PRESSED_MESSAGE_FIELDS:
                message.pop(name, None)


def loads_slimming_updates(content: str | bytes) -> Any:
    """The session's JSON decoder: pydantic-core's parser, and updates slimmed on the way in,
    both as a ``getUpdates`` reply (polling) and as a webhook request body (aiogram decodes
    it with the session's decoder)."""
    data = from_json(content)
    if isinstance(data, dict):
        if "update_id" in data:
            slim_update(data)
        else:
            result = data.get("result")
            if isinstance(result, list):
                for update in result:
                    if isinstance(update, dict) and "update_id" in update:
                        slim_update(update)
    return data


class JsonBodySession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", loads_slimming_updates)
        super().__init__(**kwargs)

    def build_form_data(  # type: ignore[override]  # a JSON payload where aiogram builds a form
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> FormData | BytesPayload:
        # A method of ours whose values are plain JSON already (the card edit) skips the
        # model dump and aiogram's value-by-value preparation.
        plain_body = getattr(method, "json_body", None)
        if plain_body is not None:
            return BytesPayload(to_json(plain_body()), content_type="application/json")
        files: dict[str, InputFile] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            # aiogram leaves out what prepares to nothing (None, an empty string)
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(to_json(body), content_type="application/json")
