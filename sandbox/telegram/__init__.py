"""Local Telegram Bot API emulator for end-to-end tests and the offline demo.

aiogram talks to it through TelegramAPIServer.from_base(server.base_url); tests and the demo
drive the users' side through TelegramEmulator's control methods or HTTP under /_emu/.
"""

from sandbox.telegram.emulator import TelegramEmulator
from sandbox.telegram.errors import BotApiError, EmulatorError, EmulatorTimeout
from sandbox.telegram.models import (
    ApiCall,
    BotEvent,
    ButtonView,
    CallbackAnswer,
    CallbackPress,
    EmuChat,
    EmuUser,
    StoredDocument,
    UserAction,
    VisibleMessage,
)
from sandbox.telegram.server import EmulatorServer

__all__ = [
    "ApiCall",
    "BotApiError",
    "BotEvent",
    "ButtonView",
    "CallbackAnswer",
    "CallbackPress",
    "EmuChat",
    "EmuUser",
    "EmulatorError",
    "EmulatorServer",
    "EmulatorTimeout",
    "StoredDocument",
    "TelegramEmulator",
    "UserAction",
    "VisibleMessage",
]
