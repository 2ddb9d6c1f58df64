"""/limits (the account's Call API points) and /history (the user's last audit rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.services.actor import Actor
from bot.services.info import AuditLogEntry, AuditOutcome, InfoService
from bot.services.presentation import points_text
from bot.texts import Raw, format_duration, t

HISTORY_ROWS = 15


async def limits_command(message: Message, actor: Actor, info: InfoService) -> None:
    """Shows what the budget learned from the last replies; costs no points itself."""
    lang = actor.lang
    snapshot = info.points()
    minute, day = snapshot.minute, snapshot.day
    if minute.limit is None and day.limit is None:
        await message.answer(t(lang, "limits.full_unknown"))
        return

    def reset_in(seconds: float | None) -> str:
        return "?" if seconds is None else format_duration(lang, seconds)

    await message.answer(
        t(
            lang,
            "limits.full",
            minute_remaining=points_text(minute.remaining),
            minute_limit=points_text(minute.limit),
            minute_reset_in=reset_in(minute.seconds_to_reset),
            day_remaining=points_text(day.remaining),
            day_limit=points_text(day.limit),
            day_reset_in=reset_in(day.seconds_to_reset),
            reserve=snapshot.reserve,
            as_of=datetime.now(UTC).strftime("%H:%M:%S UTC"),
        )
    )


BACKGROUND_METHODS = frozenset({"list.calls"})


@dataclass
class _Folded:
    """A run of background reads (no Telegram update behind them), shown as one line."""

    method: str
    first: datetime
    last: datetime
    count: int


def fold_background(rows: Sequence[AuditLogEntry]) -> list[AuditLogEntry | _Folded]:
    """Newest first, as given; consecutive background reads of one method become one entry.

    A background read is one no update caused (the live poll refreshing cards): dozens of
    them would otherwise push the user's own actions out of the list.
    """
    shown: list[AuditLogEntry | _Folded] = []
    for row in rows:
        background = row.telegram_update_id is None and row.method in BACKGROUND_METHODS
        if not background:
            shown.append(row)
            continue
        previous = shown[-1] if shown else None
        if isinstance(previous, _Folded) and previous.method == row.method:
            previous.first = row.occurred_at
            previous.count += 1
        else:
            shown.append(_Folded(row.method, row.occurred_at, row.occurred_at, 1))
    return shown


def _clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m %H:%M:%S")


async def history_command(message: Message, actor: Actor, info: InfoService) -> None:
    lang = actor.lang
    rows = await info.history(actor, limit=HISTORY_ROWS * 10)
    if not rows:
        await message.answer(t(lang, "history.empty"))
        return
    # In the UIS account's time zone (the one UIS shows call times in), named in the title.
    zone = info.zone
    lines = [t(lang, "history.title_zone", zone=info.zone_name)]
    for entry in fold_background(rows)[:HISTORY_ROWS]:
        if isinstance(entry, _Folded):
            lines.append(
                t(
                    lang,
                    "history.background_line",
                    first=_clock(entry.first, zone),
                    last=_clock(entry.last, zone),
                    count=entry.count,
                    method=entry.method,
                )
            )
            continue
        row = entry
        if row.outcome is AuditOutcome.OK:
            outcome = t(lang, "history.outcome_ok")
        elif row.outcome is AuditOutcome.REFUSED_LOCALLY:
            outcome = t(lang, "history.outcome_refused")
        elif row.outcome is AuditOutcome.OUTCOME_UNKNOWN:
            # Sent, but the bot stopped before the reply: UIS may or may not have done it.
            outcome = t(lang, "history.outcome_unknown")
        else:
            outcome = Raw(f"⚠️ <code>{row.error_mnemonic or row.outcome.value}</code>")
        call = (
            t(lang, "history.call_suffix", call_id=row.call_session_id)
            if row.call_session_id is not None
            else "—"
        )
        lines.append(
            t(
                lang,
                "history.audit_line",
                time=_clock(row.occurred_at, zone),
                method=row.method,
                outcome=Raw(outcome),
                call=Raw(call),
            )
        )
    await message.answer("\n".join(lines))


def router() -> Router:
    info = Router(name="info")
    info.message.register(limits_command, Command("limits"))
    info.message.register(history_command, Command("history"))
    return info
