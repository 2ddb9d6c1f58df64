"""Injected transport faults: each kind, counts, method filters, and whether the request was
executed (the call exists although the reply was lost)."""

from __future__ import annotations

import json

import httpx
import pytest
from simulator_harness import CONTACT, VN, data_of, mnemonic_of, running_harness

from sandbox.uis.methods import HANDLERS


async def test_http_500_with_a_json_body_is_not_executed() -> None:
    async with running_harness() as h:
        h.control.inject_fault("http_500_json", method="start.employee_call")
        response = await h.post_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 9,
                    "method": "start.employee_call",
                    "params": {
                        "access_token": "demo-key-manager-0001",
                        "first_call": "employee",
                        "virtual_phone_number": VN,
                        "contact": CONTACT,
                        "employee": {"id": 101},
                    },
                }
            ).encode()
        )
        assert response.status_code == 500
        body = response.json()
        assert body["id"] == 9
        assert body["error"]["data"]["mnemonic"] == "internal_error"
        assert body["error"]["message"] == "Internal error, contact the support service"
        assert h.control.calls() == []
        assert h.control.points()["day_used"] == 0
        logged = h.control.requests()[-1]
        assert (logged["outcome"], logged["http_status"]) == ("fault:http_500_json", 500)
        # One request only: the next one goes through.
        assert isinstance(await h.start_employee_call(), int)


async def test_http_500_without_json() -> None:
    async with running_harness() as h:
        h.control.inject_fault("http_500_text")
        response = await h.post_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "list.calls"}')
        assert response.status_code == 500
        assert response.headers["Content-Type"].startswith("text/plain")
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.text)


async def test_internal_error_reply_with_http_200() -> None:
    async with running_harness() as h:
        h.control.inject_fault("internal_error", method="list.calls")
        reply = await h.call("list.calls")
        assert reply["error"]["code"] == -32603
        assert mnemonic_of(reply) == "internal_error"


async def test_malformed_json_reply() -> None:
    async with running_harness() as h:
        h.control.inject_fault("malformed_json")
        response = await h.post_raw(
            b'{"jsonrpc": "2.0", "id": 1, "method": "list.calls",'
            b' "params": {"access_token": "demo-key-manager-0001"}}'
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
        with pytest.raises(json.JSONDecodeError):
            response.json()


async def test_truncated_body_is_executed_but_the_reply_is_cut() -> None:
    async with running_harness() as h:
        h.control.inject_fault("truncated_body", method="start.employee_call")
        with pytest.raises(httpx.RemoteProtocolError):
            await h.start_employee_call()
        assert len(h.control.calls()) == 1
        assert h.control.requests()[-1]["faults"] == ["truncated_body"]


async def test_dropped_connection_is_not_executed() -> None:
    async with running_harness() as h:
        h.control.inject_fault("drop_connection", method="start.employee_call")
        with pytest.raises(httpx.RemoteProtocolError):
            await h.start_employee_call()
        assert h.control.calls() == []
        assert h.control.requests()[-1]["outcome"] == "fault:drop_connection"


async def test_reply_lost_after_the_call_was_started() -> None:
    async with running_harness() as h:
        h.control.inject_fault("reply_lost", method="start.employee_call")
        with pytest.raises(httpx.RemoteProtocolError):
            await h.start_employee_call()
        calls = h.control.calls()
        assert len(calls) == 1
        # The client can find the call it never heard about through list.calls.
        listed = await h.ok("list.calls")
        assert [c["call_session_id"] for c in listed] == [calls[0]["call_session_id"]]
        assert h.control.points()["charges"][0]["method"] == "start.employee_call"
        logged = h.control.requests("start.employee_call")[-1]
        assert (logged["outcome"], logged["faults"]) == ("success", ["reply_lost"])


async def test_latency_delays_but_executes() -> None:
    async with running_harness() as h:
        h.control.inject_fault("latency", seconds=0.2, count=2)
        assert data_of(await h.call("list.calls")) == []
        assert data_of(await h.call("list.calls")) == []
        assert h.control.faults() == []
        assert [r["faults"] for r in h.control.requests()] == [["latency"], ["latency"]]


async def test_latency_makes_a_client_time_out() -> None:
    async with running_harness() as h:
        h.control.inject_fault("latency", seconds=1.0)
        with pytest.raises(httpx.ReadTimeout):
            await h.client.post(
                h.server.url,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "list.calls",
                    "params": {"access_token": "demo-key-manager-0001"},
                },
                timeout=0.2,
            )


async def test_fault_counts_and_method_filters() -> None:
    async with running_harness() as h:
        h.control.inject_fault("internal_error", count=2, method="tag.call")
        # Other methods are untouched and do not consume the fault.
        assert "result" in await h.call("list.calls")
        call_id = await h.talking_call()
        for _ in range(2):
            reply = await h.call("tag.call", call_session_id=call_id, tag_id=11)
            assert mnemonic_of(reply) == "internal_error"
        assert "result" in await h.call("tag.call", call_session_id=call_id, tag_id=11)


async def test_faults_can_be_listed_and_cleared() -> None:
    async with running_harness() as h:
        h.control.inject_fault("drop_connection", count=3)
        assert [f["kind"] for f in h.control.faults()] == ["drop_connection"]
        h.control.clear_faults()
        assert "result" in await h.call("list.calls")


async def test_unknown_fault_kinds_are_refused() -> None:
    async with running_harness() as h:
        with pytest.raises(Exception, match="unknown fault kind"):
            h.control.inject_fault("meteor")
        with pytest.raises(Exception, match="unknown method"):
            h.control.inject_fault("drop_connection", method="get.employees")


async def test_a_simulator_bug_answers_500_with_a_json_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(HANDLERS, "list.talk_options", broken)
    async with running_harness() as h:
        response = await h.post_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "list.talk_options",
                    "params": {"access_token": "demo-key-manager-0001"},
                }
            ).encode()
        )
        assert response.status_code == 500
        assert response.json()["error"]["data"]["mnemonic"] == "internal_error"
        assert h.control.requests()[-1]["outcome"] == "crash"
