"""Errors of the emulator: Bot API errors sent to the bot, and misuse of the control interface."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """An error the emulated Bot API answers with, in Telegram's envelope.

    The description follows Telegram's wording ("Bad Request: message is too long") because
    bots (and aiogram's exception classes) react to these exact texts.
    """

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> BotApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return BotApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> BotApiError:
    """A 403 error with Telegram's "Forbidden: " prefix."""
    return BotApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> BotApiError:
    """A 429 flood-wait error carrying parameters.retry_after."""
    return BotApiError(
        429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
    )


class EmulatorError(Exception):
    """The control interface was used in a way the emulated world cannot satisfy.

    Examples: an unknown user, a button that is not on the message, a user writing to a group
    they are not a member of. Raised to the test (Python) or answered as HTTP 400 (/_emu/).
    """


class EmulatorTimeout(TimeoutError):
    """A wait helper did not see the expected bot activity within its timeout."""
