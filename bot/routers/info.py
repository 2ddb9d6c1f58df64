"""/limits (the account's Call API points) and /history (the user's last audit rows)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.filters import Command
from aiogram.types import Message

from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.services.presentation import points_text
from bot.texts import Raw, format_duration, t
from db.audit import recent_audit_entries
from db.models import AuditOutcome

router = RouterSpec("info")

HISTORY_ROWS = 15


@router.message(Command("limits"))
async def limits_command(message: Message, actor: Actor, rt: Runtime) -> None:
    """Shows what the budget learned from the last replies; costs no points itself."""
    lang = actor.lang
    snapshot = rt.budget.snapshot()
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


@router.message(Command("history"))
async def history_command(message: Message, actor: Actor, rt: Runtime) -> None:
    lang = actor.lang
    # Rows still in the write-behind queue belong in the answer too.
    await rt.audit.flush(max_wait=2.0)
    async with rt.sessions() as session:
        rows = await recent_audit_entries(session, actor.user_id, limit=HISTORY_ROWS)
    if not rows:
        await message.answer(t(lang, "history.empty"))
        return
    lines = [t(lang, "history.title")]
    for row in rows:
        if row.outcome is AuditOutcome.OK:
            outcome = t(lang, "history.outcome_ok")
        elif row.outcome is AuditOutcome.REFUSED_LOCALLY:
            outcome = t(lang, "history.outcome_refused")
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
                time=row.occurred_at.astimezone(UTC).strftime("%d.%m %H:%M:%S"),
                method=row.method,
                outcome=Raw(outcome),
                call=Raw(call),
            )
        )
    await message.answer("\n".join(lines))
