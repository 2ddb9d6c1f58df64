"""The emulator's HTTP server: the Bot API under /bot<token>/<method>, file downloads under
/file/bot<token>/<path>, and the control interface under /_emu/.

Access logging is off: Bot API paths contain the bot token, and it must not reach any log.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web
from aiohttp.web_request import FileField

from sandbox.telegram.control_http import control_routes
from sandbox.telegram.errors import BotApiError, bad_request
from sandbox.telegram.params import Params, UploadedFile

if TYPE_CHECKING:
    from sandbox.telegram.emulator import TelegramEmulator

logger = logging.getLogger("sandbox.telegram")

# Telegram accepts uploads up to 50 MB from bots.
MAX_REQUEST_BYTES = 50 * 1024 * 1024 + 64 * 1024
_SHUTDOWN_GRACE_SECONDS = 2.0


def _json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and the body (JSON, urlencoded or multipart)."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError as exc:
                raise bad_request("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            values.update(body)
        elif request.content_type == "multipart/form-data":
            await _read_multipart(request, values, files)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, FileField):
                    files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                else:
                    values[key] = value
    return Params(values, files)


async def _read_multipart(
    request: web.Request, values: dict[str, Any], files: dict[str, UploadedFile]
) -> None:
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            files[part.name] = UploadedFile(
                part.filename,
                bytes(await part.read()),
                part.headers.get("Content-Type"),
            )
        else:
            values[part.name] = await part.text()


class EmulatorServer:
    """One running HTTP endpoint of a TelegramEmulator."""

    def __init__(self, emulator: TelegramEmulator, *, host: str, port: int) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """http://host:port — pass to aiogram's TelegramAPIServer.from_base()."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def build_app(self) -> web.Application:
        """The aiohttp application (also usable with aiohttp's test utilities)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("GET", "/bot{token}/{method}", self._bot_api)
        app.router.add_route("POST", "/bot{token}/{method}", self._bot_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._file)
        app.router.add_routes(control_routes(self.emulator))
        return app

    async def start(self) -> None:
        """Bind and serve; with port 0 the chosen port is stored in self.port."""
        self.emulator.state.closing = False
        # handler_cancellation: a long-polling getUpdates whose client went away (aiogram
        # stopping its polling) is cancelled instead of lingering until its timeout.
        runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_GRACE_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        logger.info("Telegram emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Release waiting long polls and close the server."""
        if self._runner is None:
            return
        self.emulator.state.closing = True
        await self.emulator.state.notify()
        await self._runner.cleanup()
        self._runner = None
        logger.info("Telegram emulator on %s stopped", self.base_url)

    async def _bot_api(self, request: web.Request) -> web.Response:
        if not self.emulator.token_matches(request.match_info["token"]):
            return _json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        try:
            params = await read_params(request)
            result = await self.emulator.api.call(method, params)
        except BotApiError as exc:
            return _json_response(exc.envelope(), status=exc.error_code)
        return _json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if not self.emulator.token_matches(request.match_info["token"]):
            return _json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for document in self.emulator.documents(from_user=None):
            if document.file_path == path:
                return web.Response(
                    body=document.content,
                    content_type=document.mime_type or "application/octet-stream",
                )
        return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
