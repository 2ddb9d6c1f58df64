"""Per-user call settings and favourite transfer targets.

The hold message always has a value: a user who never chose one gets the built-in ru/en text,
so putting a client on hold never has to stop and ask mid-call.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FavouriteTransferTarget, MessageKind, UserCallSettings
from db.types import utcnow

DEFAULT_HOLD_TEXT = {
    "ru": "Пожалуйста, оставайтесь на линии, мы скоро вернёмся к разговору.",
    "en": "Please stay on the line, we will be right back with you.",
}
MAX_FAVOURITES = 20


class Unset(enum.Enum):
    """Marker for "leave this setting as it is" (``None`` means "clear it")."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


@dataclass(frozen=True, slots=True)
class HoldMessage:
    """The Call API message object (``{"type": ..., "value": ...}``) played to a held client."""

    kind: MessageKind
    value: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class EffectiveCallSettings:
    default_virtual_number: str | None
    default_region: str | None
    hold_message: HoldMessage


def default_hold_message(language_code: str | None) -> HoldMessage:
    """Built-in TTS text: Russian for ``ru*`` (and unknown languages: UIS is a Russian PBX),
    English for other languages."""
    language = (language_code or "ru").split("-")[0].lower()
    text = DEFAULT_HOLD_TEXT["ru" if language in {"ru", "uk", "be", "kk"} else "en"]
    return HoldMessage(MessageKind.TTS, text, is_default=True)


async def get_call_settings(
    session: AsyncSession, telegram_user_id: int, *, language_code: str | None = None
) -> EffectiveCallSettings:
    row = await session.get(UserCallSettings, telegram_user_id)
    if row is None:
        return EffectiveCallSettings(None, None, default_hold_message(language_code))
    hold = (
        HoldMessage(row.hold_message_kind, row.hold_message_value)
        if row.hold_message_kind is not None and row.hold_message_value
        else default_hold_message(language_code)
    )
    return EffectiveCallSettings(row.default_virtual_number, row.default_region, hold)


async def update_call_settings(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    default_virtual_number: str | Unset | None = UNSET,
    default_region: str | Unset | None = UNSET,
    hold_message: HoldMessage | Unset | None = UNSET,
) -> UserCallSettings:
    """Change the given settings (``None`` clears one; the hold message then falls back to the
    built-in default). The user row must exist."""
    row = await session.get(UserCallSettings, telegram_user_id, with_for_update=True)
    if row is None:
        row = UserCallSettings(telegram_user_id=telegram_user_id)
        session.add(row)
    if not isinstance(default_virtual_number, Unset):
        row.default_virtual_number = default_virtual_number
    if not isinstance(default_region, Unset):
        if default_region is not None and (
            len(default_region) != 2 or not default_region.isalpha()
        ):
            raise ValueError("default_region must be a two-letter country code such as RU")
        row.default_region = None if default_region is None else default_region.upper()
    if not isinstance(hold_message, Unset):
        if hold_message is not None and not hold_message.value.strip():
            raise ValueError("the hold message must not be empty")
        row.hold_message_kind = None if hold_message is None else hold_message.kind
        row.hold_message_value = None if hold_message is None else hold_message.value
    row.updated_at = utcnow()
    await session.flush()
    return row


async def list_favourites(
    session: AsyncSession, telegram_user_id: int
) -> Sequence[FavouriteTransferTarget]:
    query = (
        select(FavouriteTransferTarget)
        .where(FavouriteTransferTarget.telegram_user_id == telegram_user_id)
        .order_by(FavouriteTransferTarget.position, FavouriteTransferTarget.id)
    )
    return (await session.scalars(query)).all()


async def add_favourite(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    label: str,
    target: str,
    employee_id: int | None = None,
) -> FavouriteTransferTarget:
    """Add (or relabel, if the target is already a favourite) a transfer target, last in order."""
    existing = await session.scalar(
        select(FavouriteTransferTarget).where(
            FavouriteTransferTarget.telegram_user_id == telegram_user_id,
            FavouriteTransferTarget.target == target,
        )
    )
    if existing is not None:
        existing.label = label
        existing.employee_id = employee_id
        await session.flush()
        return existing
    count = await session.scalar(
        select(func.count()).where(FavouriteTransferTarget.telegram_user_id == telegram_user_id)
    )
    if (count or 0) >= MAX_FAVOURITES:
        raise ValueError(f"at most {MAX_FAVOURITES} favourite transfer targets")
    last = await session.scalar(
        select(func.max(FavouriteTransferTarget.position)).where(
            FavouriteTransferTarget.telegram_user_id == telegram_user_id
        )
    )
    favourite = FavouriteTransferTarget(
        telegram_user_id=telegram_user_id,
        label=label,
        target=target,
        employee_id=employee_id,
        position=(last if last is not None else -1) + 1,
    )
    session.add(favourite)
    await session.flush()
    return favourite


async def remove_favourite(session: AsyncSession, telegram_user_id: int, target: str) -> bool:
    result = await session.execute(
        delete(FavouriteTransferTarget)
        .where(
            FavouriteTransferTarget.telegram_user_id == telegram_user_id,
            FavouriteTransferTarget.target == target,
        )
        .returning(FavouriteTransferTarget.id)
    )
    return result.first() is not None
