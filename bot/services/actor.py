"""Who is acting: the Telegram user, where, as which UIS employee, for which update."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.services.audit_bridge import CTX_CHAT, CTX_LOGIN, CTX_UPDATE, CTX_USER
from bot.texts import Lang


@dataclass(frozen=True)
class Actor:
    user_id: int
    chat_id: int
    lang: Lang
    language_code: str | None = None
    is_private_chat: bool = True
    is_admin: bool = False
    employee_id: int | None = None
    employee_phone: str | None = None
    update_id: int | None = None
    display_name: str = ""

    def audit_context(self, login: str | None = None) -> Mapping[str, Any]:
        context: dict[str, Any] = {
            CTX_CHAT: self.chat_id,
            CTX_USER: self.user_id,
            CTX_UPDATE: self.update_id,
        }
        if login:
            context[CTX_LOGIN] = login
        return context
