"""A user's call settings: default virtual number, hold message, region, favourite targets."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.phones import PhoneKind, classify_dial_target
from bot.services.actor import Actor
from bot.services.presentation import display_phone
from bot.unit_of_work import Database
from db import call_settings as settings_store
from db import catalog as catalog_store
from db.call_settings import MAX_FAVOURITES, HoldMessage
from db.models import MessageKind

HOLD_TEXT_MAX = 1000
FAVOURITE_LABEL_MAX = 64


class HoldKind(enum.StrEnum):
    DEFAULT = "default"
    MEDIA = "media"
    TTS = "tts"


@dataclass(frozen=True)
class SettingsOverview:
    employee_name: str | None
    virtual_number: str | None
    hold_kind: HoldKind
    # The media file's name, or the hold text (empty for the built-in default).
    hold_text: str
    region: str
    favourites_count: int


@dataclass(frozen=True)
class Favourite:
    id: int
    label: str
    target: str


class FavouriteAdd(enum.Enum):
    ADDED = "added"
    INVALID = "invalid"
    FULL = "full"


@dataclass(frozen=True)
class FavouriteAdded:
    result: FavouriteAdd
    label: str = ""
    number: str = ""


class SettingsService:
    max_favourites = MAX_FAVOURITES

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, default_region: str) -> None:
        self._db = Database(sessions)
        self._default_region = default_region

    async def overview(self, actor: Actor) -> SettingsOverview:
        async with self._db.unit() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
            favourites = await settings_store.list_favourites(session, actor.user_id)
            employee = (
                await catalog_store.get_employee(session, actor.employee_id)
                if actor.employee_id is not None
                else None
            )
            media = {row.id: row.name for row in await catalog_store.list_media_files(session)}
        hold = effective.hold_message
        if hold.is_default:
            kind, text = HoldKind.DEFAULT, ""
        elif hold.kind is MessageKind.MEDIA:
            kind, text = HoldKind.MEDIA, media.get(int(hold.value), hold.value)
        else:
            kind, text = HoldKind.TTS, hold.value
        return SettingsOverview(
            employee_name=employee.full_name if employee is not None else None,
            virtual_number=effective.default_virtual_number,
            hold_kind=kind,
            hold_text=text,
            region=effective.default_region or self._default_region,
            favourites_count=len(favourites),
        )

    async def save_virtual_number(self, actor: Actor, number: str) -> None:
        async with self._db.unit() as session:
            await settings_store.update_call_settings(
                session, actor.user_id, default_virtual_number=number
            )

    async def save_hold_media(self, actor: Actor, media_id: int) -> None:
        async with self._db.unit() as session:
            await settings_store.update_call_settings(
                session, actor.user_id, hold_message=HoldMessage(MessageKind.MEDIA, str(media_id))
            )

    async def save_hold_text(self, actor: Actor, text: str) -> None:
        async with self._db.unit() as session:
            await settings_store.update_call_settings(
                session, actor.user_id, hold_message=HoldMessage(MessageKind.TTS, text)
            )

    async def save_region(self, actor: Actor, value: str) -> str | None:
        """The region saved (upper case), or None when ``value`` is no region code we know."""
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            return None
        async with self._db.unit() as session:
            await settings_store.update_call_settings(session, actor.user_id, default_region=region)
        return region

    async def favourites(self, actor: Actor) -> list[Favourite]:
        async with self._db.unit() as session:
            rows = await settings_store.list_favourites(session, actor.user_id)
        return [Favourite(row.id, row.label, row.target) for row in rows]

    async def add_favourite(self, actor: Actor, text: str, region: str) -> FavouriteAdded:
        """``<number> <name>``: the longest prefix that is a number, the rest its name."""
        words = text.strip().split()
        for cut in range(len(words), 0, -1):
            candidate = " ".join(words[:cut])
            try:
                kind, number = classify_dial_target(
                    candidate, field="favourite", region=region, allow_extension=True
                )
            except ValueError:
                continue
            label = " ".join(words[cut:]) or (
                display_phone(number) if kind is PhoneKind.E164 else number
            )
            try:
                async with self._db.unit() as session:
                    await settings_store.add_favourite(
                        session, actor.user_id, label=label[:FAVOURITE_LABEL_MAX], target=number
                    )
            except ValueError:
                return FavouriteAdded(FavouriteAdd.FULL)
            return FavouriteAdded(FavouriteAdd.ADDED, label, number)
        return FavouriteAdded(FavouriteAdd.INVALID)

    async def remove_favourite(self, actor: Actor, favourite_id: int) -> Favourite | None:
        """The favourite removed, or None when the user has no such favourite (a stale button)."""
        async with self._db.unit() as session:
            rows = await settings_store.list_favourites(session, actor.user_id)
            match = next((row for row in rows if row.id == favourite_id), None)
            if match is None:
                return None
            await settings_store.remove_favourite(session, actor.user_id, match.target)
        return Favourite(match.id, match.label, match.target)
