"""Telegram's webhook: only a JSON body that is an Update reaches the dispatcher.

aiogram's handler parses the body inside the request (a malformed body became a 500 with a
traceback) and validates it in a background task (``null`` or ``{}`` got 200 and then "Task
exception was never retrieved"). Here the body is parsed and validated first: anything else
is answered 400 with one log line, and Telegram does not redeliver a 4xx forever.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.parsing import INT64_MAX

log = logging.getLogger(__name__)


def update_problem(body: bytes) -> str | None:
    """Why ``body`` is not a Telegram Update (None when it is one, as far as we can tell)."""
    from aiogram.types import Update

    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    if not isinstance(payload, dict):
        return f"body is JSON {type(payload).__name__}, not an object"
    try:
        update = Update.model_validate(payload)
    except ValidationError as exc:
        return f"body is not an Update ({exc.error_count()} validation errors)"
    if not 0 <= update.update_id <= INT64_MAX:
        return "update_id out of range"
    return None


class CheckedRequestHandler(SimpleRequestHandler):
    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        body = await request.read()
        problem = update_problem(body)
        if problem is not None:
            log.warning("webhook: refused a request of %d bytes: %s", len(body), problem)
            return web.Response(text="Bad Request", status=400)
        return await super().handle(request)

    __call__ = handle
