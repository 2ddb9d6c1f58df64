"""Handlers go through services: the house rules of issue 16, point 2, checked on the code.

- ``bot/routers`` imports nothing from ``sqlalchemy``, ``db`` or ``api`` (the phone-number
  helpers of ``api.phones`` aside); every import statement counts, also inside functions;
- no handler of the production dispatcher takes the ``Runtime`` (``rt``) or anything typed as a
  session factory, a session, an engine or the Call API client;
- no service handed to handlers exposes one of those as a public attribute;
- every button but the call card's is a ``CallbackData`` factory's (no hand-sliced strings).
"""

from __future__ import annotations

import ast
import inspect
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.client import BoundCallApi, CallApiClient
from bot.app import build_app, build_bot
from bot.filters import LoopFilter
from bot.routers import all_routers
from bot.runtime import Runtime, build_runtime, handler_services
from sandbox.world import sandbox_settings

ROUTERS = Path(__file__).resolve().parents[2] / "bot" / "routers"
FORBIDDEN_PACKAGES = ("sqlalchemy", "db", "api")
ALLOWED_MODULES = frozenset({"api.phones"})
FORBIDDEN_TYPES = (
    Runtime,
    async_sessionmaker,
    AsyncSession,
    AsyncEngine,
    CallApiClient,
    BoundCallApi,
)


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def test_routers_import_nothing_from_sqlalchemy_db_or_api() -> None:
    offending = [
        f"{path.name}:{line}: {module}"
        for path in sorted(ROUTERS.glob("*.py"))
        for module, line in _imports(path)
        if module.split(".")[0] in FORBIDDEN_PACKAGES and module not in ALLOWED_MODULES
    ]
    assert offending == []


def _walk(router: Router) -> Iterator[Router]:
    yield router
    for child in router.sub_routers:
        yield from _walk(child)


def _handlers() -> Iterator[tuple[str, HandlerObject]]:
    for root in all_routers():
        for router in _walk(root):
            for name, observer in router.observers.items():
                for handler in observer.handlers:
                    yield f"{router.name}.{name}", handler


def _forbidden(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin is not None:
        return _forbidden(origin) or any(_forbidden(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, FORBIDDEN_TYPES)


def test_no_handler_takes_the_runtime_a_session_factory_or_the_client() -> None:
    offending: list[str] = []
    handlers = list(_handlers())
    assert len(handlers) > 30
    for where, handler in handlers:
        callback = handler.callback
        hints = typing.get_type_hints(callback)
        for name in inspect.signature(callback).parameters:
            if name in ("rt", "runtime", "sessions", "session", "client") or _forbidden(
                hints.get(name)
            ):
                offending.append(f"{where}: {callback.__qualname__}({name})")
    assert offending == []


def test_every_non_card_button_is_parsed_by_a_callback_data_factory() -> None:
    hand_sliced: list[str] = []
    for where, handler in _handlers():
        if not where.endswith(".callback_query"):
            continue
        if where.startswith("presses."):
            continue  # the call card's signed one-shot payload (bot.callbacks)
        for event_filter in handler.filters or []:
            if isinstance(event_filter.callback, LoopFilter):
                hand_sliced.append(f"{where}: {handler.callback.__qualname__}")
    assert hand_sliced == []


def _exposed(path: str, value: object, seen: set[int]) -> Iterator[str]:
    """Public attributes, followed through the objects they hold, that are forbidden types."""
    if isinstance(value, FORBIDDEN_TYPES):
        yield path
        return
    if id(value) in seen or not hasattr(value, "__dict__") or isinstance(value, type):
        return
    seen.add(id(value))
    if type(value).__module__.split(".")[0] not in ("bot", "db", "api"):
        return  # a library's object (a lock, a deque): not ours to walk
    for attribute, held in vars(value).items():
        if not attribute.startswith("_"):
            yield from _exposed(f"{path}.{attribute}", held, seen)


@pytest.fixture
async def runtime(migrated_pg_url: str, tmp_path: Path) -> typing.AsyncIterator[Runtime]:
    nowhere = "http://127.0.0.1:9/"  # nothing is sent: the runtime is only looked at
    key = Fernet.generate_key().decode()
    settings = sandbox_settings(
        tmp_path, migrated_pg_url, nowhere, nowhere, security={"encryption_keys": key}
    )
    built = await build_runtime(settings)
    try:
        yield built
    finally:
        await built.close()


async def test_services_given_to_handlers_expose_no_session_factory_or_client(
    runtime: Runtime,
) -> None:
    services = handler_services(runtime)
    app = build_app(runtime, build_bot(runtime.settings))
    try:
        for name, service in services.items():
            assert app.dispatcher.workflow_data[name] is service
        exposed = [
            path for name, service in services.items() for path in _exposed(name, service, set())
        ]
        assert exposed == []
        assert not any(isinstance(service, FORBIDDEN_TYPES) for service in services.values())
    finally:
        await app.bot.session.close()
