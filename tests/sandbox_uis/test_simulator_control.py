"""The /_sim control interface over HTTP (the same operations as sim.control)."""

from __future__ import annotations

from typing import Any

import httpx
from simulator_harness import CONTACT, VN, Harness, mnemonic_of, running_harness

from sandbox.uis import SimulatorOptions


async def get(h: Harness, path: str, **params: Any) -> Any:
    response = await h.client.get(h.server.control_url + path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def send(h: Harness, verb: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = await h.client.request(verb, h.server.control_url + path, json=body)
    assert response.status_code == status, response.text
    return response.json()


async def test_state_and_options() -> None:
    async with running_harness(SimulatorOptions(auto_answer_seconds=2)) as h:
        state = await get(h, "/state")
        assert state["clock"] == "manual"
        assert state["options"]["auto_answer_seconds"] == 2
        assert state["active_calls"] == 0
        assert (await get(h, ""))["now"] == h.clock.now()
        changed = await send(h, "PATCH", "/options", {"leg_label_language": "en"})
        assert changed["leg_label_language"] == "en"
        await send(h, "PATCH", "/options", {"no_such_option": 1}, status=400)


async def test_inbound_call_answer_and_hangup_over_http() -> None:
    async with running_harness() as h:
        call = await send(
            h, "POST", "/calls/inbound", {"contact": "79035551234", "virtual_phone_number": VN}
        )
        call_id = call["call_session_id"]
        assert call["kind"] == "inbound"
        answered = await send(h, "POST", f"/calls/{call_id}/answer", {})
        assert answered["state"] == "TALK"
        contact_leg = answered["legs"][0]["leg_id"]
        ended = await send(h, "POST", f"/calls/{call_id}/hangup", {"leg_id": contact_leg})
        assert ended["state"] == "ENDED"
        assert [c["call_session_id"] for c in await get(h, "/calls")] == [call_id]
        assert await get(h, "/calls", active="1") == []
        assert (await get(h, f"/calls/{call_id}"))["end_reason"] == "hung up"


async def test_fail_a_ringing_leg_over_http() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call()
        leg_id = h.legs(call_id)[0]["leg_id"]
        failed = await send(h, "POST", f"/calls/{call_id}/fail", {"leg_id": leg_id})
        assert failed["state"] == "ENDED"


async def test_control_errors_have_http_statuses() -> None:
    async with running_harness() as h:
        await send(h, "GET", "/calls/123", status=404)
        await send(
            h,
            "POST",
            "/calls/inbound",
            {"contact": CONTACT, "virtual_phone_number": "70000000000"},
            404,
        )
        call_id = await h.talking_call()
        await send(h, "POST", f"/calls/{call_id}/answer", {}, status=409)
        await send(h, "POST", "/faults", {"kind": "meteor"}, status=400)
        await send(h, "POST", "/clock/advance", {"seconds": -1}, status=400)
        await send(h, "POST", "/calls/inbound", {}, status=400)
        response = await h.client.post(h.server.control_url + "/faults", content=b"[1")
        assert response.status_code == 400


async def test_advance_the_clock_over_http() -> None:
    async with running_harness(SimulatorOptions(auto_answer_seconds=5)) as h:
        call_id = await h.start_employee_call()
        before = h.clock.now()
        result = await send(h, "POST", "/clock/advance", {"seconds": 10})
        assert result["now"] == before + 10
        assert h.state(call_id) == "TALK"


async def test_patch_account_and_reset() -> None:
    async with running_harness() as h:
        patched = await send(
            h,
            "PATCH",
            "/account",
            {"limits": {"points_per_minute": 5}, "ip_whitelist": ["10.0.0.1"]},
        )
        assert patched["limits"] == {
            "points_per_minute": 5,
            "points_per_day": 1000,
            "tts_message_max_length": 1000,
        }
        assert mnemonic_of(await h.call("list.calls")) == "ip_not_whitelisted"
        await send(h, "PATCH", "/account", {"limits": {"points_per_minute": "many"}}, status=400)
        await send(h, "POST", "/reset")
        assert "result" in await h.call("list.calls")
        assert (await get(h, "/account"))["limits"]["points_per_minute"] == 60
        assert len(await get(h, "/requests")) == 1


async def test_blacklist_points_requests_over_http() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("block.contact", call_session_id=call_id)
        assert await get(h, "/blacklist") == [CONTACT]
        points = await get(h, "/points")
        assert points["day_used"] == 2
        assert points["limits"]["day_remaining"] == 998
        requests = await get(h, "/requests", method="block.contact")
        assert len(requests) == 1
        assert requests[0]["params"] == {"access_token": "***", "call_session_id": call_id}
        await send(h, "DELETE", "/requests")
        assert await get(h, "/requests") == []


async def test_nothing_sent_is_provable() -> None:
    async with running_harness() as h:
        assert await get(h, "/requests") == []
        await h.client.get(h.server.url)  # even refused transport attempts are logged
        assert len(await get(h, "/requests")) == 1


async def test_faults_over_http() -> None:
    async with running_harness() as h:
        fault = await send(
            h, "POST", "/faults", {"kind": "drop_connection", "count": 1, "method": "list.calls"}
        )
        assert fault["remaining"] == 1
        assert len(await get(h, "/faults")) == 1
        try:
            await h.call("list.calls")
        except httpx.RemoteProtocolError:
            pass
        else:
            raise AssertionError("the connection should have been dropped")
        assert await get(h, "/faults") == []
        await send(h, "POST", "/faults", {"kind": "latency", "seconds": 0.01})
        await send(h, "DELETE", "/faults")
        assert await get(h, "/faults") == []


async def test_sessions_are_listed_without_keys() -> None:
    async with running_harness() as h:
        token = (await h.rpc("login.user", {"login": "demo.admin", "password": "demo-pass-admin"}))[
            "result"
        ]["data"]
        sessions = await get(h, "/sessions")
        assert sessions == [{"login": "demo.admin", "expire_at": token["expire_at"]}]
        assert token["access_token"] not in str(sessions)


async def test_real_clock_cannot_be_advanced() -> None:
    from sandbox.uis import RealClock, Simulator

    sim = Simulator(clock=RealClock())
    async with sim.running() as server, httpx.AsyncClient() as client:
        response = await client.post(server.control_url + "/clock/advance", json={"seconds": 1})
        assert response.status_code == 409


async def test_control_accepts_json_without_a_json_content_type() -> None:
    async with running_harness() as h:
        response = await h.client.post(
            h.server.control_url + "/calls/inbound",
            content=b'{"contact": "79031234567"}',
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200
        assert response.json()["virtual_phone_number"] == VN
