"""Call recordings under the call's cards, to the employees who were on the call.

Opt-in (``CALLBOT_RECORDINGS__ENABLED``): a recording is personal data, and sending it means it
passes through Telegram's servers. When on, a "call recording ready" event for a ledger call
sends the file, as a reply to the card, to the owner of each card of that call who:

* sees the card in their private chat (never a group: others there would hear it);
* is still allowed in the bot and still assigned the UIS employee the card was drawn for;
* whose employee was on the call by the ledger (the call's employee or one of its legs).

Nobody matches: nothing is fetched. The event's link is untrusted: the download goes through
:mod:`api.recording_download` (allowlisted hosts, public addresses, bounded size). Too big for
Telegram: the user is told its size and to open it in UIS, never given the link.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.recording_download import (
    DownloadPolicy,
    Recording,
    RecordingRefused,
    Refusal,
    download_recording,
)
from bot.events.parse import ParsedEvent
from bot.settings import RecordingsSettings
from bot.texts import Lang, lang_for, t
from db import cards as card_store
from db import ledger as ledger_store
from db import users as user_store
from db.models import AccessState

log = logging.getLogger(__name__)

EVENT = "call_recording_ready"
_SENT_KEPT = 1000  # recordings already delivered, remembered against a repeated event


@dataclass(frozen=True)
class Recipient:
    user_id: int  # also the private chat's id
    reply_to: int  # the card's message id
    lang: Lang


# chat id, message id to reply to, the file, its caption
FileSender = Callable[[int, int, Recording, str], Awaitable[None]]
# chat id, message id to reply to, a text
NoteSender = Callable[[int, int, str], Awaitable[None]]


class RecordingDelivery:
    def __init__(
        self, settings: RecordingsSettings, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self._sessions = sessions
        self.policy = DownloadPolicy(
            allowed_hosts=tuple(settings.allowed_hosts),
            max_bytes=settings.max_bytes,
            timeout_seconds=settings.timeout_seconds,
        )
        self.send_file: FileSender | None = None
        self.send_note: NoteSender | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._sent: OrderedDict[int, None] = OrderedDict()
        # A recording may be 50 MB held in memory: a burst of events downloads two at a time.
        self._downloads = asyncio.Semaphore(2)

    def trust_loopback_for_tests(self) -> None:
        """TEST ONLY (the sandbox and the tests call it; no setting does): recordings may come
        from a local server over plain http on a loopback address."""
        self.policy = dataclasses.replace(self.policy, loopback_for_tests=True)

    def heard(self, event: ParsedEvent) -> None:
        """A "call recording ready" event: delivered in the background (a download may take
        seconds; the event's receipt must not wait for it)."""
        if event.event != EVENT or event.call_session_id in self._sent:
            return
        task = asyncio.create_task(self._deliver(event), name=f"recording {event.call_session_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Until every delivery under way is done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def recipients(self, call_session_id: int) -> list[Recipient]:
        """Who gets the recording of this call (see the module's rules); the newest card of
        each."""
        async with self._sessions() as session:
            call = await ledger_store.find_call(session, call_session_id=call_session_id)
            if call is None:
                return []
            on_call = {call.employee_id} | {
                leg.get("employee_id") for leg in call.legs or () if isinstance(leg, dict)
            }
            on_call.discard(None)
            chosen: dict[int, Recipient] = {}
            for card in await card_store.cards_for_call(session, call.id):
                if card.chat_id != card.telegram_user_id or card.employee_id not in on_call:
                    continue
                user = await user_store.get_user(session, card.telegram_user_id)
                if (
                    user is None
                    or user.access is not AccessState.ALLOWED
                    or user.employee_id != card.employee_id
                ):
                    continue
                chosen[user.id] = Recipient(user.id, card.message_id, lang_for(user.language_code))
        return list(chosen.values())

    async def _deliver(self, event: ParsedEvent) -> None:
        call_id = event.call_session_id
        try:
            recipients = await self.recipients(call_id)
            if not recipients:
                return  # nobody is to hear it: nothing is fetched
            link = event.text("file_link")
            if not link:
                log.warning("recording of call %s: the event has no file_link", call_id)
                return
            async with self._downloads:
                try:
                    recording = await download_recording(link, self.policy)
                except RecordingRefused as refused:
                    await self._refused(call_id, refused, recipients)
                    return
                self._remember(call_id)
                for recipient in recipients:
                    await self._send_file(recipient, call_id, recording)
        except Exception:
            log.exception("could not deliver the recording of call %s", call_id)

    def _remember(self, call_id: int) -> None:
        self._sent[call_id] = None
        while len(self._sent) > _SENT_KEPT:
            self._sent.popitem(last=False)

    async def _refused(
        self, call_id: int, refused: RecordingRefused, recipients: list[Recipient]
    ) -> None:
        # The refusal's text carries the link without its query string (url_for_log).
        log.warning("recording of call %s not fetched: %s", call_id, refused)
        if refused.reason is Refusal.TOO_BIG:
            self._remember(call_id)
            for recipient in recipients:
                if refused.size is not None:
                    text = t(
                        recipient.lang,
                        "recording.too_big",
                        call_id=call_id,
                        size_mb=megabytes(refused.size),
                    )
                else:
                    text = t(
                        recipient.lang,
                        "recording.too_big_over",
                        call_id=call_id,
                        size_mb=megabytes(self.policy.max_bytes),
                    )
                await self._send_note(recipient, text)
        elif refused.reason is Refusal.UNAVAILABLE:
            for recipient in recipients:
                await self._send_note(
                    recipient, t(recipient.lang, "recording.unavailable", call_id=call_id)
                )
        # Any other refusal is the link's fault (or an attack): the log says it, users hear
        # nothing they could act on.

    async def _send_file(self, recipient: Recipient, call_id: int, recording: Recording) -> None:
        if self.send_file is None:
            return
        caption = t(recipient.lang, "recording.caption", call_id=call_id)
        try:
            await self.send_file(recipient.user_id, recipient.reply_to, recording, caption)
        except Exception:
            log.exception("could not send the recording of call %s to %s", call_id, recipient)

    async def _send_note(self, recipient: Recipient, text: str) -> None:
        if self.send_note is None:
            return
        try:
            await self.send_note(recipient.user_id, recipient.reply_to, text)
        except Exception:
            log.exception("could not tell user %s about a recording", recipient.user_id)


def megabytes(size: int) -> str:
    """A size as the user reads it: decimal megabytes, one decimal, never "0.0"."""
    return f"{max(size / 1_000_000, 0.1):.1f}"


__all__ = ["EVENT", "Recipient", "RecordingDelivery", "megabytes"]
