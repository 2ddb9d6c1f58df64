"""Routers declared once per module but built fresh for each bot application.

aiogram attaches a Router to one parent for life; tests and `callbot demo` build several
applications in one process, so modules record their handlers here and ``build()`` makes a
new Router each time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router

Handler = Callable[..., Any]


class _Observer:
    def __init__(self, spec: RouterSpec, kind: str) -> None:
        self._spec = spec
        self._kind = kind

    def __call__(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        def record(handler: Handler) -> Handler:
            self._spec.handlers.append((self._kind, filters, kwargs, handler))
            return handler

        return record


class RouterSpec:
    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[tuple[str, tuple[Any, ...], dict[str, Any], Handler]] = []
        self.message = _Observer(self, "message")
        self.callback_query = _Observer(self, "callback_query")

    def build(self) -> Router:
        router = Router(name=self.name)
        for kind, filters, kwargs, handler in self.handlers:
            getattr(router, kind).register(handler, *filters, **kwargs)
        return router
