"""The bot's Bot API session: aiogram's aiohttp session, sending JSON bodies.

aiogram's ``AiohttpSession`` posts every request as form data: each value JSON-encoded on its
own, then percent-encoded byte by byte by ``urllib`` (Cyrillic card texts are mostly escapes).
That encoding was a visible share of a button press's CPU in ``benchmarks/bench_bot.py``.
The Bot API accepts ``application/json`` bodies for every method, so requests without a file
upload are sent as one JSON document, encoded in Rust by pydantic-core; uploads keep aiogram's
multipart form. Replies are decoded by pydantic-core as well. The values are prepared by
aiogram's own ``prepare_value`` (defaults such as ``parse_mode``, enums, dates), so what a
method means is unchanged: only the body's encoding differs.
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


class JsonBodySession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", from_json)
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
