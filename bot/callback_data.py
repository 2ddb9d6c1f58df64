"""Callback data of every button but the call card's (which carries a signed one-shot token,
see ``bot.callbacks``): aiogram ``CallbackData`` factories, packed and parsed in one place.

A forged or stale payload that does not parse matches no handler and ends at the fallback's
"unknown button"; one that parses is still checked against the catalog or the user's own rows
before anything is stored.
"""

from __future__ import annotations

import enum

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery


class VirtualNumberPick(CallbackData, prefix="vn"):
    number: str


class ScenarioPick(CallbackData, prefix="scn"):
    scenario_id: int


class InformMediaPick(CallbackData, prefix="inf"):
    media_id: int


class HoldMediaPick(CallbackData, prefix="hold"):
    media_id: int


class SettingsItem(enum.StrEnum):
    VIRTUAL_NUMBER = "vn"
    HOLD = "hold"
    REGION = "region"
    FAVOURITES = "fav"
    EMPLOYEE = "emp"


class SettingsPick(CallbackData, prefix="set"):
    item: SettingsItem


class FavouriteAct(enum.StrEnum):
    ADD = "add"
    REMOVE = "rm"


class FavouriteAction(CallbackData, prefix="fav"):
    act: FavouriteAct
    favourite_id: int = 0


class LoginChoice(enum.StrEnum):
    MENU = "menu"
    KEY = "key"
    PASSWORD = "password"  # noqa: S105 (the menu item, not a secret)
    STAY = "stay"
    ONCE = "once"
    CANCEL = "cancel"


class LoginPick(CallbackData, prefix="login"):
    choice: LoginChoice


FACTORIES: tuple[type[CallbackData], ...] = (
    VirtualNumberPick,
    ScenarioPick,
    InformMediaPick,
    HoldMediaPick,
    SettingsPick,
    FavouriteAction,
    LoginPick,
)


class OfOurKinds(Filter):
    """Callback data with one of our factories' prefixes that its factory could not parse: a
    button of an older version, or forged. The fallback calls it stale, not unknown."""

    prefixes = tuple(f"{factory.__prefix__}{factory.__separator__}" for factory in FACTORIES)

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").startswith(self.prefixes)
