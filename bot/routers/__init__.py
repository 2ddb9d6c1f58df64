"""Routers by feature; ``all_routers`` is the order the dispatcher includes them in."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    from bot.routers import admin, cards, common, duty, fallback, info, login, settings
    from bot.routers import calls as calls_router

    # Presses on call cards first (the most frequent update; their callback data has its own
    # prefix); then specific routers; the free-text number detector (calls) comes after them on
    # purpose, and the fallback, which answers whatever nobody took, is last.
    specs = [
        cards.presses,
        common.router,
        login.router,
        settings.router,
        admin.router,
        info.router,
        duty.router,
        cards.router,
        calls_router.router,
        fallback.router,
    ]
    return [spec.build() for spec in specs]
