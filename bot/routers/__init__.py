"""Routers by feature, each module's ``router()`` building a fresh ``Router`` (aiogram attaches
a router to one parent for life; tests and `callbot demo` build several applications in one
process). ``all_routers`` is the order the dispatcher includes them in."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    from bot.routers import admin, cards, common, duty, errors, fallback, info, login, settings
    from bot.routers import calls as calls_router

    # Presses on call cards first (the most frequent update; their callback data has its own
    # prefix); then specific routers; the free-text number detector (calls) comes after them on
    # purpose, and the fallback, which answers whatever nobody took, is last. The errors
    # router sees the errors of all of them (aiogram propagates errors through the whole tree).
    return [
        cards.presses(),
        common.router(),
        login.router(),
        settings.router(),
        admin.router(),
        info.router(),
        duty.router(),
        cards.router(),
        calls_router.router(),
        fallback.router(),
        errors.router(),
    ]
