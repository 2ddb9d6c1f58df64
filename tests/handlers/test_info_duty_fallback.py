"""/limits and /history (info router), /duty (duty router), and the fallback router's
answers to what nobody else took."""

from __future__ import annotations

from dbtest_support import unique_id

from bot.texts import t
from handlers.handler_kit import GROUP_ID, MANAGER, RU, Harness, User, shows


async def test_limits_unknown_until_uis_replied_then_known(h: Harness) -> None:
    await h.admit(MANAGER)
    assert (await h.send(MANAGER, "/limits")).last.text == t(RU, "limits.full_unknown")
    await h.log_in(MANAGER)  # UIS's reply carries the account's points
    fed = await h.send(MANAGER, "/limits")
    assert shows(fed.last.text, "limits.full", minute_limit=60, day_limit=1000)
    assert not h.sim.requests("get.account")  # /limits costs no request


async def test_history_empty_then_the_users_own_requests(h: Harness) -> None:
    # The audit log is append-only and shared by the tests: a user id of this test's own.
    user = User(unique_id(), "Ivan", language_code="ru")
    await h.admit(user)
    assert (await h.send(user, "/history")).last.text == t(RU, "history.empty")
    await h.log_in(user)
    text = (await h.send(user, "/history")).last.text
    assert shows(text, "history.title_zone")
    assert shows(
        text, "history.audit_line", method="list.calls", outcome=t(RU, "history.outcome_ok")
    )


async def test_duty_on_status_off_and_usage(h: Harness) -> None:
    await h.admit(MANAGER)
    assert (await h.send(MANAGER, "/duty")).last.text == t(RU, "duty.nobody")
    assert (await h.send(MANAGER, "/duty on")).last.text == t(RU, "duty.on_not_signed_in")
    await h.log_in(MANAGER)
    assert shows((await h.send(MANAGER, "/duty on")).last.text, "duty.on")
    status = (await h.send(MANAGER, "/duty")).last.text
    assert status == t(RU, "duty.status", names=f"{MANAGER.first_name} {MANAGER.last_name}")
    assert (await h.send(MANAGER, "/duty maybe")).last.text == t(RU, "duty.usage")
    assert (await h.send(MANAGER, "/duty off")).last.text == t(RU, "duty.off_nobody_left")


async def test_an_unknown_button_is_answered_with_an_alert(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/settings")).last
    fed = await h.press_data(MANAGER, menu, "gone:42")
    assert fed.answer is not None
    assert fed.answer.text == t(RU, "alert.unknown_button")
    assert fed.answer.show_alert


async def test_a_message_nobody_takes_is_answered_in_private_only(h: Harness) -> None:
    await h.admit(MANAGER)
    fed = await h.send_document(MANAGER, "photo.pdf", b"%PDF-1.4")
    assert fed.last.text == t(RU, "common.not_understood")
    in_group = await h.send_document(MANAGER, "photo.pdf", b"%PDF-1.4", chat_id=GROUP_ID)
    assert in_group.new == []


async def test_someone_without_access_is_told_so(h: Harness) -> None:
    await h.send(MANAGER, "/start")  # known, not approved yet
    fed = await h.send(MANAGER, "/call 79031234567")
    assert shows(fed.last.text, "access.pending")
    assert fed.handlers == []  # refused before any handler


async def test_a_button_of_ours_that_does_not_parse_is_stale(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/settings")).last
    for data in ("hold:²", "fav:rm", "set:nothing", "login:"):
        fed = await h.press_data(MANAGER, menu, data)
        assert fed.answer is not None, data
        assert fed.answer.text == t(RU, "alert.stale"), data
        assert fed.answer.show_alert
