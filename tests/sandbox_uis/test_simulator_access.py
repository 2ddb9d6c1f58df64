"""Sessions and keys on the manual clock, IP whitelist, components, rights, and the points
windows reported as metadata.limits."""

from __future__ import annotations

import pytest
from simulator_harness import (
    MANAGER_KEY,
    data_of,
    error_of,
    mnemonic_of,
    running_harness,
)

LOGIN = {"login": "demo.manager", "password": "demo-pass-manager"}


async def test_login_session_lives_one_hour_on_the_clock() -> None:
    async with running_harness() as h:
        data = data_of(await h.rpc("login.user", LOGIN))
        token = data["access_token"]
        assert data["expire_at"] == int(h.clock.now()) + 3600
        assert "result" in await h.rpc("list.calls", {"access_token": token})
        h.clock.advance(3599)
        assert "result" in await h.rpc("list.calls", {"access_token": token})
        h.clock.advance(1)
        reply = await h.rpc("list.calls", {"access_token": token})
        error = error_of(reply)
        # UIS docs: an expired login.user key is "invalid" (expired is for permanent keys).
        assert (error["code"], error["data"]["mnemonic"]) == (-32001, "access_token_invalid")
        assert error["message"] == "Access token is invalid"
        # A fresh login works again.
        assert "result" in await h.rpc("login.user", LOGIN)


async def test_logout_deletes_the_session_key() -> None:
    async with running_harness() as h:
        token = data_of(await h.rpc("login.user", LOGIN))["access_token"]
        assert data_of(await h.rpc("logout.user", {"access_token": token})) == {"success": True}
        reply = await h.rpc("list.calls", {"access_token": token})
        assert mnemonic_of(reply) == "access_token_invalid"
        assert h.control.sessions() == []


async def test_wrong_credentials() -> None:
    async with running_harness() as h:
        for params in (
            {"login": "demo.manager", "password": "demo-pass-admin"},
            {"login": "nobody", "password": "demo-pass-manager"},
        ):
            error = error_of(await h.rpc("login.user", params))
            assert (error["code"], error["data"]["mnemonic"]) == (-32001, "auth_error")
            assert error["message"] == "Login or password is wrong"
            assert "metadata" not in error["data"]


async def test_permanent_keys_valid_expired_blocked() -> None:
    async with running_harness() as h:
        for key in ("demo-key-manager-0001", "demo-key-admin-0002"):
            assert "result" in await h.rpc("list.calls", {"access_token": key})
        expired = error_of(await h.rpc("list.calls", {"access_token": "demo-key-expired-0003"}))
        assert expired["data"]["mnemonic"] == "access_token_expired"
        assert expired["message"] == "Access token has been expired"
        blocked = error_of(await h.rpc("list.calls", {"access_token": "demo-key-blocked-0004"}))
        assert blocked["data"]["mnemonic"] == "access_token_blocked"
        assert blocked["message"] == "Access token has been blocked"


async def test_a_key_with_an_end_date_expires_when_the_clock_passes_it() -> None:
    async with running_harness() as h:
        keys = h.control.account()["permanent_keys"]
        keys.append(
            {
                "key": "k-short",
                "login": "demo.admin",
                "expires_at": h.clock.now() + 60,
                "blocked": False,
            }
        )
        h.control.patch_account({"permanent_keys": keys})
        assert "result" in await h.rpc("list.calls", {"access_token": "k-short"})
        h.clock.advance(60)
        reply = await h.rpc("list.calls", {"access_token": "k-short"})
        assert mnemonic_of(reply) == "access_token_expired"


async def test_ip_whitelist_uses_the_peer_address() -> None:
    async with running_harness() as h:
        h.control.set_ip_whitelist(["::1"])
        reply = await h.call("list.calls")
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32003, "ip_not_whitelisted")
        assert error["message"] == "Your IP 127.0.0.1 is not whitelisted"
        assert error["data"]["params"] == {"ip": "127.0.0.1"}
        assert "metadata" not in error["data"]
        # Networks work too.
        h.control.set_ip_whitelist(["127.0.0.0/8"])
        assert "result" in await h.call("list.calls")
        # And nothing refused was charged.
        assert h.control.points()["day_used"] == 1


async def test_component_switched_off_and_on() -> None:
    async with running_harness() as h:
        h.control.disable_component("Informer call")
        reply = await h.call(
            "start.informer_call",
            virtual_phone_number="74993720692",
            contact="79031234567",
            contact_message={"type": "tts", "value": "x"},
        )
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32008, "component_disabled")
        assert error["message"] == "Component Call API Informer calls has been disabled"
        # Other components are unaffected.
        assert "result" in await h.call("list.calls")
        h.control.enable_component("Informer call")
        reply = await h.call(
            "start.informer_call",
            virtual_phone_number="74993720692",
            contact="79031234567",
            contact_message={"type": "tts", "value": "x"},
        )
        assert "result" in reply


async def test_user_without_call_api_right_is_forbidden() -> None:
    async with running_harness() as h:
        users = h.control.account()["users"]
        users[1]["call_api_access"] = False  # demo.admin
        h.control.patch_account({"users": users})
        assert mnemonic_of(await h.rpc("list.calls", {"access_token": "demo-key-admin-0002"})) == (
            "forbidden"
        )
        assert "result" in await h.call("list.calls")


async def test_disabled_account() -> None:
    async with running_harness() as h:
        h.control.patch_account({"active": False})
        error = error_of(await h.call("list.calls"))
        assert (error["code"], error["data"]["mnemonic"]) == (-32009, "account_inactive")
        assert "metadata" in error["data"]


async def test_points_are_charged_only_for_successes() -> None:
    async with running_harness() as h:
        first = await h.call("list.calls")
        limits = first["result"]["metadata"]["limits"]
        assert (limits["minute_remaining"], limits["day_remaining"]) == (59, 999)
        failed = await h.call("tag.call", call_session_id=123, tag_id=11)
        # The failure reports limits but costs nothing.
        limits = failed["error"]["data"]["metadata"]["limits"]
        assert (limits["minute_remaining"], limits["day_remaining"]) == (59, 999)
        await h.call("list.calls")
        points = h.control.points()
        assert (points["minute_used"], points["day_used"]) == (2, 2)
        assert [charge["method"] for charge in points["charges"]] == ["list.calls", "list.calls"]


async def test_minute_window_runs_out_and_resets() -> None:
    async with running_harness() as h:
        h.control.set_limits(points_per_minute=3)
        for expected_remaining in (2, 1, 0):
            reply = await h.call("list.talk_options")
            assert reply["result"]["metadata"]["limits"]["minute_remaining"] == expected_remaining
        refused = await h.call("list.talk_options")
        error = error_of(refused)
        assert (error["code"], error["data"]["mnemonic"]) == (-32029, "limit_exceeded")
        assert error["message"] == (
            "Limit per minute has been exceeded. Value of current limit per minute is 3"
        )
        assert error["data"]["params"] == {"limit_type": "minute", "limit_max_value": 3}
        reset_in = error["data"]["metadata"]["limits"]["minute_reset"]
        assert 0 < reset_in <= 60
        h.clock.advance(reset_in)
        again = await h.call("list.talk_options")
        assert again["result"]["metadata"]["limits"]["minute_remaining"] == 2


async def test_day_window_runs_out_and_resets_at_local_midnight() -> None:
    async with running_harness() as h:
        h.control.set_limits(points_per_day=2)
        await h.call("list.calls")
        await h.call("list.calls")
        refused = await h.call("list.calls")
        assert error_of(refused)["data"]["params"] == {"limit_type": "day", "limit_max_value": 2}
        day_reset = error_of(refused)["data"]["metadata"]["limits"]["day_reset"]
        # The manual clock starts at 19:40 Moscow time: 4 h 20 min to midnight.
        assert day_reset == 4 * 3600 + 20 * 60
        h.clock.advance(day_reset - 1)
        assert mnemonic_of(await h.call("list.calls")) == "limit_exceeded"
        h.clock.advance(1)
        ok = await h.call("list.calls")
        assert ok["result"]["metadata"]["limits"]["day_remaining"] == 1


async def test_login_costs_a_point_too() -> None:
    async with running_harness() as h:
        h.control.set_limits(points_per_minute=1)
        assert "result" in await h.rpc("login.user", LOGIN)
        assert mnemonic_of(await h.rpc("login.user", LOGIN)) == "limit_exceeded"


async def test_tts_limit_comes_from_the_account() -> None:
    async with running_harness() as h:
        h.control.set_limits(tts_message_max_length=10)
        reply = await h.call(
            "start.informer_call",
            virtual_phone_number="74993720692",
            contact="79031234567",
            contact_message={"type": "tts", "value": "Одиннадцать"},
        )
        error = error_of(reply)
        assert error["data"]["params"] == {
            "tts_message_max_length": 10,
            "sent_tts_message_length": 11,
        }
        assert error["message"] == (
            "The maximum length of Text-to-Speech message is 10. The length of your message is 11"
        )


@pytest.mark.parametrize("secret", ["demo-pass-manager", MANAGER_KEY])
async def test_secrets_never_reach_the_request_log(secret: str) -> None:
    async with running_harness() as h:
        await h.rpc("login.user", LOGIN)
        await h.call("list.calls")
        await h.rpc("list.calls", {"access_token": MANAGER_KEY, "extra": {"password": "p"}})
        text = repr(h.control.requests())
        assert secret not in text
        assert "***" in text
        assert repr(h.sim.account.users[0]).count("demo-pass") == 0
