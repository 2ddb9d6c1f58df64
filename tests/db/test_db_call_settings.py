"""Per-user call settings: defaults, the built-in hold message, favourite transfer targets."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.call_settings import (
    MAX_FAVOURITES,
    HoldMessage,
    add_favourite,
    default_hold_message,
    get_call_settings,
    list_favourites,
    remove_favourite,
    update_call_settings,
)
from db.models import MessageKind
from db.users import record_user_seen

USER = 5150


def test_hold_message_default_exists_in_russian_and_english() -> None:
    russian = default_hold_message("ru")
    english = default_hold_message("en-GB")
    assert russian.kind is MessageKind.TTS
    assert russian.is_default
    assert "линии" in russian.value
    assert "line" in english.value
    assert default_hold_message(None) == russian  # a Russian PBX: Russian unless told otherwise


async def test_settings_fall_back_to_defaults_and_can_be_cleared(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await record_user_seen(session, USER, language_code="en")
        settings = await get_call_settings(session, USER, language_code="en")
        assert settings.default_virtual_number is None
        assert settings.hold_message == default_hold_message("en")
        await update_call_settings(
            session,
            USER,
            default_virtual_number="74993720692",
            default_region="ru",
            hold_message=HoldMessage(MessageKind.MEDIA, "501"),
        )
    async with sessions.begin() as session:
        settings = await get_call_settings(session, USER, language_code="en")
        assert settings.default_virtual_number == "74993720692"
        assert settings.default_region == "RU"
        assert settings.hold_message == HoldMessage(MessageKind.MEDIA, "501")
        await update_call_settings(session, USER, hold_message=None)  # other fields untouched
    async with sessions() as session:
        settings = await get_call_settings(session, USER, language_code="ru")
        assert settings.default_virtual_number == "74993720692"
        assert settings.hold_message == default_hold_message("ru")
        with pytest.raises(ValueError, match="two-letter"):
            await update_call_settings(session, USER, default_region="Russia")
        with pytest.raises(ValueError, match="must not be empty"):
            await update_call_settings(
                session, USER, hold_message=HoldMessage(MessageKind.TTS, "  ")
            )


async def test_favourite_transfer_targets(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await record_user_seen(session, USER)
        await add_favourite(session, USER, label="Мария", target="79160000102", employee_id=102)
        await add_favourite(session, USER, label="Олег", target="79160000103", employee_id=103)
        await add_favourite(session, USER, label="Мария Иванова", target="79160000102")
    async with sessions.begin() as session:
        favourites = await list_favourites(session, USER)
        assert [(item.label, item.target) for item in favourites] == [
            ("Мария Иванова", "79160000102"),
            ("Олег", "79160000103"),
        ]
        assert await remove_favourite(session, USER, "79160000102")
        assert not await remove_favourite(session, USER, "79160000102")
        for index in range(MAX_FAVOURITES - 1):
            await add_favourite(session, USER, label=str(index), target=f"7900000{index:04d}")
        with pytest.raises(ValueError, match="at most"):
            await add_favourite(session, USER, label="one too many", target="79999999999")
        assert len(await list_favourites(session, USER)) == MAX_FAVOURITES
