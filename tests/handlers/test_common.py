"""/start and /help (common router)."""

from __future__ import annotations

from bot.texts import Lang, command_help, t
from handlers.handler_kit import ADMIN, ENGLISH, MANAGER, RU, STRANGER, Harness, shows


async def test_start_greets_a_stranger_with_their_id(h: Harness) -> None:
    fed = await h.send(STRANGER, "/start")
    text = fed.last.text
    assert shows(text, "start.welcome")
    assert command_help(RU, "pending") in text
    assert t(RU, "start.your_id", user_id=STRANGER.id) in text


async def test_help_lists_the_admin_commands_to_an_admin(h: Harness) -> None:
    fed = await h.send(ADMIN, "/help")
    assert fed.last.text == command_help(RU, "admin")


async def test_help_for_an_approved_manager(h: Harness) -> None:
    await h.admit(MANAGER)
    fed = await h.send(MANAGER, "/help")
    assert fed.last.text == command_help(RU, "user")


async def test_an_english_speaking_user_is_answered_in_english(h: Harness) -> None:
    fed = await h.send(ENGLISH, "/start")
    assert shows(fed.last.text, "start.welcome", Lang.EN)
    assert command_help(Lang.EN, "pending") in fed.last.text
