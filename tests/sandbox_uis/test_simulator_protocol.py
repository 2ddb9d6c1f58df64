"""Protocol rules of /v4.0: transport, envelope, method lookup, parameter validation, error
objects and metadata placement, all over real loopback HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from simulator_harness import (
    CONTACT,
    JSON_HEADERS,
    MANAGER_KEY,
    VN,
    data_of,
    error_of,
    mnemonic_of,
    running_harness,
)

from sandbox.uis import SimulatorOptions

LOGIN = {"login": "demo.manager", "password": "demo-pass-manager"}


def assert_no_metadata(reply: dict[str, Any]) -> None:
    assert "metadata" not in reply
    assert "metadata" not in reply.get("error", {}).get("data", {})
    assert "metadata" not in (reply.get("result") or {})


async def test_body_that_is_not_json_is_a_parse_error_with_null_id() -> None:
    async with running_harness() as h:
        response = await h.post_raw(b'{"jsonrpc": "2.0", "id": 7, "method": ')
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
        reply = response.json()
        assert reply["id"] is None
        assert reply["error"]["code"] == -32700
        assert reply["error"]["message"] == "Invalid JSON was received by the server."
        assert reply["error"]["data"]["mnemonic"] == "parse_error"
        assert_no_metadata(reply)


@pytest.mark.parametrize("body", [b"", b"NaN", b'{"a": Infinity}', b"[" * 100_000])
async def test_empty_body_non_standard_constants_and_deep_nesting_are_parse_errors(
    body: bytes,
) -> None:
    async with running_harness() as h:
        reply = (await h.post_raw(body)).json()
        assert mnemonic_of(reply) == "parse_error"


async def test_batch_is_refused_with_the_primary_uis_spelling() -> None:
    async with running_harness() as h:
        single = {"jsonrpc": "2.0", "id": 1, "method": "login.user", "params": LOGIN}
        reply = await h.post([single, single])
        error = error_of(reply)
        assert error["code"] == -32099
        assert error["message"] == "Batch operations not supported"
        # The UIS docs' spelling (sic), not the CallGear 'batch_operations_not_supported'.
        assert error["data"]["mnemonic"] == "batch_opreations_not_supported"
        assert reply["id"] is None
        # Nothing inside the batch was executed.
        assert h.control.sessions() == []


async def test_request_without_id_is_a_refused_notification() -> None:
    async with running_harness() as h:
        reply = await h.post({"jsonrpc": "2.0", "method": "login.user", "params": LOGIN})
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32099, "notifications_not_supported")
        assert error["message"] == "Notifications not supported"
        assert h.control.sessions() == []


@pytest.mark.parametrize(
    ("envelope", "echoed_id"),
    [
        ({"id": 1, "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": "1.0", "id": 1, "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": 2.0, "id": 1, "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": "2.0", "id": None, "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": "2.0", "id": [1], "method": "login.user", "params": LOGIN}, None),
        ({"jsonrpc": "2.0", "id": 5, "params": LOGIN}, 5),
        ({"jsonrpc": "2.0", "id": 5, "method": 12, "params": LOGIN}, 5),
        ({"jsonrpc": "2.0", "id": "x", "method": "login.user"}, "x"),
        ({"jsonrpc": "2.0", "id": "x", "method": "login.user", "params": [1, 2]}, "x"),
    ],
)
async def test_malformed_envelopes_are_invalid_requests(envelope: Any, echoed_id: Any) -> None:
    async with running_harness() as h:
        reply = await h.post(envelope)
        error = error_of(reply)
        assert error["code"] == -32600
        assert error["data"]["mnemonic"] == "invalid_request"
        assert error["message"] == "Invalid Request The JSON sent is not a valid Request object"
        assert reply["id"] == echoed_id
        assert_no_metadata(reply)


@pytest.mark.parametrize("body", [b'"just a string"', b"42", b"null"])
async def test_json_that_is_not_an_object_is_an_invalid_request(body: bytes) -> None:
    async with running_harness() as h:
        assert mnemonic_of((await h.post_raw(body)).json()) == "invalid_request"


async def test_string_and_number_ids_are_echoed() -> None:
    async with running_harness() as h:
        for request_id in ("req-1", 42, 3.5):
            reply = await h.post(
                {"jsonrpc": "2.0", "id": request_id, "method": "login.user", "params": LOGIN}
            )
            assert reply["id"] == request_id
            assert reply["jsonrpc"] == "2.0"
            assert "access_token" in data_of(reply)


async def test_unknown_method_is_method_not_found_without_metadata() -> None:
    async with running_harness() as h:
        reply = await h.rpc("get.employees", {"access_token": MANAGER_KEY})
        error = error_of(reply)
        assert error["code"] == -32601
        assert error["message"] == "The method does not exist / is not available"
        assert error["data"]["mnemonic"] == "method_not_found"
        assert_no_metadata(reply)
        # No listing methods beyond the real Call API (employees/tags come from the Data API).
        for missing in ("list.employees", "get.tags", "start.multi_call", "list.tags"):
            assert mnemonic_of(await h.call(missing)) == "method_not_found"


async def test_only_post_is_accepted() -> None:
    async with running_harness() as h:
        response = await h.client.get(h.server.url)
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
        assert response.json()["error"]["data"]["mnemonic"] == "invalid_request"
        put = await h.client.put(h.server.url, content=b"{}", headers=JSON_HEADERS)
        assert put.status_code == 405


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=windows-1251"],
)
async def test_wrong_content_type_is_refused_and_not_executed(content_type: str) -> None:
    async with running_harness() as h:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "login.user", "params": LOGIN})
        response = await h.post_raw(body.encode(), headers={"Content-Type": content_type})
        assert response.status_code == 200
        assert response.json()["error"]["data"]["mnemonic"] == "invalid_request"
        assert h.control.sessions() == []


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]
)
async def test_json_content_type_variants_are_accepted(content_type: str) -> None:
    async with running_harness() as h:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "login.user", "params": LOGIN})
        response = await h.post_raw(body.encode(), headers={"Content-Type": content_type})
        assert "result" in response.json()


async def test_a_body_without_content_length_is_refused() -> None:
    async with running_harness() as h:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "login.user", "params": LOGIN})

        async def chunks() -> Any:
            yield body.encode()

        response = await h.client.post(h.server.url, content=chunks(), headers=JSON_HEADERS)
        assert response.status_code == 411
        assert response.json()["error"]["data"]["mnemonic"] == "invalid_request"


async def test_missing_required_parameter_names_the_field_and_has_no_value() -> None:
    async with running_harness() as h:
        reply = await h.call(
            "start.employee_call", first_call="employee", contact=CONTACT, employee={"id": 101}
        )
        error = error_of(reply)
        assert error["code"] == -32602
        assert error["message"] == "The required parameter has been missed"
        assert error["data"]["mnemonic"] == "required_parameter_missed"
        assert error["data"]["field"] == "virtual_phone_number"
        assert "value" not in error["data"]
        assert error["data"]["params"] == {}
        assert error["data"]["extended_helper"] is None
        # Past authentication, so limits are reported.
        assert set(error["data"]["metadata"]["limits"]) == {
            "day_limit",
            "day_remaining",
            "day_reset",
            "minute_limit",
            "minute_remaining",
            "minute_reset",
        }


async def test_missing_nested_parameter_is_dotted() -> None:
    async with running_harness() as h:
        reply = await h.call(
            "start.employee_call",
            first_call="employee",
            contact=CONTACT,
            virtual_phone_number=VN,
            employee={"phone_number": "79160000101"},
        )
        assert error_of(reply)["data"]["field"] == "employee.id"
        assert mnemonic_of(reply) == "required_parameter_missed"


async def test_unexpected_parameter_is_refused_with_its_name_and_value() -> None:
    async with running_harness() as h:
        # start.vnumber_call does not list show_virtual_phone_number (its doc example sends it).
        reply = await h.call(
            "start.vnumber_call",
            first_call="employee",
            contact=CONTACT,
            virtual_phone_number=VN,
            show_virtual_phone_number=True,
        )
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32602, "unexpected_parameters")
        assert error["message"] == "Unexpected method parameter(s)"
        assert error["data"]["field"] == "show_virtual_phone_number"
        assert error["data"]["value"] is True
        nested = await h.call(
            "start.employee_call",
            first_call="employee",
            contact=CONTACT,
            virtual_phone_number=VN,
            employee={"id": 101, "name": "x"},
        )
        assert error_of(nested)["data"]["field"] == "employee.name"


@pytest.mark.parametrize(
    ("order", "expected"),
    [("credentials_first", "auth_error"), ("parameters_first", "unexpected_parameters")],
)
async def test_which_refusal_comes_first_is_an_option(order: str, expected: str) -> None:
    # The reference documents no order between the credential and the parameter checks.
    options = SimulatorOptions(parameter_check_order=order)  # type: ignore[arg-type]
    async with running_harness(options) as h:
        login = await h.rpc("login.user", {"login": "nobody", "password": "x", "extra": 1})
        assert mnemonic_of(login) == expected
        bad_key = await h.rpc("list.calls", {"access_token": "no-such-key", "extra": 1})
        assert mnemonic_of(bad_key) == (
            "access_token_invalid" if order == "credentials_first" else "unexpected_parameters"
        )
        # Valid credentials: the extra parameter is refused either way.
        assert mnemonic_of(await h.call("list.calls", extra=1)) == "unexpected_parameters"


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"first_call": 1}, "first_call", 1),
        ({"contact": 79031234567}, "contact", 79031234567),
        ({"employee": {"id": "101"}}, "employee.id", "101"),
        ({"employee": [101]}, "employee", [101]),
        ({"switch_at_once": "true"}, "switch_at_once", "true"),
        ({"employee": {"id": True}}, "employee.id", True),
    ],
)
async def test_wrong_json_types_are_data_type_errors(
    params: dict[str, Any], field: str, value: Any
) -> None:
    base = {
        "first_call": "employee",
        "contact": CONTACT,
        "virtual_phone_number": VN,
        "employee": {"id": 101},
    }
    async with running_harness() as h:
        reply = await h.call("start.employee_call", **{**base, **params})
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32602, "data_type_error")
        assert error["message"] == "Data supplied is of wrong type"
        assert error["data"]["field"] == field
        assert error["data"]["value"] == value


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"first_call": "boss"}, "first_call", "boss"),
        ({"direction": "sideways"}, "direction", "sideways"),
        ({"contact": "8(903)123-45-67"}, "contact", "8(903)123-45-67"),
        ({"contact": "+79031234567"}, "contact", "+79031234567"),
        ({"contact": "101"}, "contact", "101"),
        ({"dtmf_string": "12a"}, "dtmf_string", "12a"),
        ({"employee": {"id": 0}}, "employee.id", 0),
        ({"employee": {"id": 1.5}}, "employee.id", 1.5),
        ({"contact_message": {"type": "video", "value": "x"}}, "contact_message.type", "video"),
        ({"contact_message": {"type": "media", "value": "abc"}}, "contact_message.value", "abc"),
        ({"virtual_phone_usage_rule": "sticky"}, "virtual_phone_usage_rule", "sticky"),
    ],
)
async def test_values_outside_the_documented_set_are_invalid_parameter_values(
    params: dict[str, Any], field: str, value: Any
) -> None:
    base = {
        "first_call": "employee",
        "contact": CONTACT,
        "virtual_phone_number": VN,
        "employee": {"id": 101},
    }
    async with running_harness() as h:
        reply = await h.call("start.employee_call", **{**base, **params})
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32602, "invalid_parameter_value")
        assert error["message"] == "Invalid parameter value"
        assert error["data"]["field"] == field
        assert error["data"]["value"] == value
        assert error["data"]["params"] == {}
        assert h.control.calls() == []


async def test_informer_dialing_timeout_is_limited_to_120_seconds() -> None:
    async with running_harness() as h:
        base = {
            "virtual_phone_number": VN,
            "contact": CONTACT,
            "contact_message": {"type": "tts", "value": "Ваш заказ готов"},
        }
        too_long = await h.call("start.informer_call", dialing_timeout=121, **base)
        assert error_of(too_long)["data"]["field"] == "dialing_timeout"
        assert "call_session_id" in data_of(
            await h.call("start.informer_call", dialing_timeout=120, **base)
        )


async def test_send_dtmf_takes_exactly_one_key() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        for bad in ("12", "a", ""):
            reply = await h.call("send.dtmf", call_session_id=call_id, dtmf_string=bad)
            assert mnemonic_of(reply) == "invalid_parameter_value"
        for good in ("1", "*", "#"):
            assert data_of(await h.call("send.dtmf", call_session_id=call_id, dtmf_string=good))


async def test_plus_in_numbers_can_be_accepted_by_option() -> None:
    async with running_harness(SimulatorOptions(refuse_plus_in_numbers=False)) as h:
        call_id = await h.start_employee_call(contact="+79031234567")
        assert h.control.call(call_id)["contact_phone_number"] == "79031234567"


async def test_null_optional_parameters_count_as_absent() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call(external_id=None, contact_message=None)
        assert h.control.call(call_id)["external_id"] is None


async def test_metadata_sits_in_result_and_error_data_by_default() -> None:
    async with running_harness() as h:
        ok = await h.call("list.talk_options")
        assert ok["result"]["metadata"]["limits"]["minute_limit"] == 60
        assert "metadata" not in ok
        bad = await h.call("tag.call", call_session_id=1, tag_id=11)
        assert bad["error"]["data"]["metadata"]["limits"]["day_limit"] == 1000


async def test_metadata_can_sit_in_the_envelope() -> None:
    async with running_harness(SimulatorOptions(metadata_location="envelope")) as h:
        ok = await h.call("list.talk_options")
        assert ok["metadata"]["limits"]["minute_limit"] == 60
        assert "metadata" not in ok["result"]
        bad = await h.call("tag.call", call_session_id=1, tag_id=11)
        assert bad["metadata"]["limits"]["day_limit"] == 1000
        assert "metadata" not in bad["error"]["data"]


async def test_metadata_can_be_left_out() -> None:
    async with running_harness(SimulatorOptions(metadata_location="none")) as h:
        assert_no_metadata(await h.call("list.talk_options"))


async def test_deprecated_version_is_reported_in_metadata() -> None:
    async with running_harness(SimulatorOptions(api_version_deprecated=True)) as h:
        api_version = (await h.call("list.talk_options"))["result"]["metadata"]["api_version"]
        assert api_version["current_version_deprecated"] is True
        assert api_version["current_version"] == "v4.0"


@pytest.mark.parametrize(
    "params",
    [
        {"access_token": "nope"},
        {"access_token": "demo-key-expired-0003"},
        {"access_token": "demo-key-blocked-0004"},
    ],
)
async def test_auth_errors_carry_no_metadata(params: dict[str, Any]) -> None:
    async with running_harness() as h:
        reply = await h.rpc("list.calls", params)
        assert error_of(reply)["code"] == -32001
        assert_no_metadata(reply)


async def test_replies_are_utf8_json() -> None:
    async with running_harness() as h:
        response = await h.post_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "list.talk_options",
                    "params": {"access_token": MANAGER_KEY},
                }
            ).encode()
        )
        assert "Проставить тег".encode() in response.content
        names = [option["name"] for option in response.json()["result"]["data"]]
        assert "Проставить тег" in names


async def test_other_paths_are_not_the_api() -> None:
    async with running_harness() as h:
        response = await h.client.post(
            h.server.url.replace("/v4.0", "/v3.0"), content=b"{}", headers=JSON_HEADERS
        )
        assert response.status_code == 404
        assert isinstance(h.client, httpx.AsyncClient)


async def test_simple_call_operator_takes_digits_or_the_documented_object() -> None:
    async with running_harness() as h:
        common = {"first_call": "operator", "contact": CONTACT, "virtual_phone_number": VN}
        assert data_of(await h.call("start.simple_call", operator="79160000103", **common))
        as_object = {"id": 25, "phone_number": "79160000103"}
        assert data_of(await h.call("start.simple_call", operator=as_object, **common))
        bad = await h.call("start.simple_call", operator={"phone_number": "12x"}, **common)
        assert mnemonic_of(bad) == "invalid_parameter_value"
        assert error_of(bad)["data"]["field"] == "operator.phone_number"
        extra = await h.call(
            "start.simple_call", operator={"phone_number": "79160000103", "x": 1}, **common
        )
        assert error_of(extra)["data"]["field"] == "operator.x"
