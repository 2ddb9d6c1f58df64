"""Params models refuse what the reference forbids; result models accept what the docs show."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from api.models import (
    CallSessionResult,
    HoldCallParams,
    HoldCallResult,
    LegState,
    ListCallsParams,
    ListCallsResult,
    ListTalkOptionsResult,
    LoginUserParams,
    LogoutUserResult,
    MakeCallParams,
    Message,
    RecordCallParams,
    StartEmployeeCallParams,
    StartSimpleCallParams,
)

EMPLOYEE_CALL: dict[str, Any] = {
    "access_token": "tok",
    "first_call": "employee",
    "virtual_phone_number": "74993720692",
    "contact": "+7 (903) 123-45-67",
    "employee": {"id": 101},
}


def test_start_employee_call_normalises_and_serialises_only_what_was_set() -> None:
    params = StartEmployeeCallParams.model_validate(
        {**EMPLOYEE_CALL, "employee": {"id": 101, "phone_number": "8 916 000-01-01"}}
    )
    assert params.to_wire() == {
        "access_token": "tok",
        "first_call": "employee",
        "virtual_phone_number": "74993720692",
        "contact": "79031234567",
        "employee": {"id": 101, "phone_number": "79160000101"},
    }


def test_uncertain_param_is_sent_only_when_set() -> None:
    unset = StartEmployeeCallParams.model_validate(EMPLOYEE_CALL).to_wire()
    assert "virtual_number_group" not in unset
    explicit = StartEmployeeCallParams.model_validate({**EMPLOYEE_CALL, "virtual_number_group": 2})
    assert explicit.to_wire()["virtual_number_group"] == 2
    none = StartEmployeeCallParams.model_validate({**EMPLOYEE_CALL, "virtual_number_group": None})
    assert "virtual_number_group" not in none.to_wire()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unknown_param": 1}, "unknown_param"),
        ({"first_call": "boss"}, "first_call"),
        ({"direction": "sideways"}, "direction"),
        ({"virtual_phone_usage_rule": "roundrobin"}, "virtual_phone_usage_rule"),
        ({"contact": "12345678"}, "contact"),  # fits no numbering plan
        ({"contact": "101"}, "contact"),  # extensions are not allowed as contact
        ({"dtmf_string": "12x"}, "dtmf_string"),
        ({"switch_at_once": "yes"}, "switch_at_once"),
        ({"media_file_id": "501"}, "media_file_id"),
        ({"media_file_id": 0}, "media_file_id"),
        ({"employee": {"id": 101, "name": "x"}}, "employee.name"),
        ({"employee": {"phone_number": "101"}}, "employee.id"),
        ({"contact_message": {"type": "video", "value": "1"}}, "contact_message.type"),
        ({"contact_message": {"type": "media", "value": "hello"}}, "contact_message"),
        ({"contact_message": {"type": "tts", "value": ""}}, "contact_message.value"),
    ],
)
def test_start_employee_call_refuses(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        StartEmployeeCallParams.model_validate({**EMPLOYEE_CALL, **change})
    locations = {".".join(str(p) for p in error["loc"]) for error in caught.value.errors()}
    assert field in locations


def test_validation_errors_do_not_echo_secrets() -> None:
    with pytest.raises(ValidationError) as caught:
        LoginUserParams.model_validate({"login": "demo.manager", "password": "s3cret", "x": 1})
    assert "s3cret" not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        HoldCallParams.model_validate({"access_token": "tok-secret", "call_session_id": 1})
    assert "tok-secret" not in str(caught.value)
    params = LoginUserParams(login="demo.manager", password="s3cret")
    assert "s3cret" not in repr(params)
    assert "tok-secret" not in repr(
        HoldCallParams(
            access_token="tok-secret", call_session_id=1, contact_message=Message.media(501)
        )
    )


def test_make_call_accepts_extension_sip_and_phone() -> None:
    for target, expected in [
        ("102", "102"),
        ("sip:0012345@uiscom.ru", "sip:0012345@uiscom.ru"),
        ("+7 916 000 01 02", "79160000102"),
    ]:
        params = MakeCallParams(access_token="t", call_session_id=5, to=target)
        assert params.to == expected


def test_phone_region_comes_from_context() -> None:
    params = MakeCallParams.model_validate(
        {"access_token": "t", "call_session_id": 5, "to": "020 7123 4567"},
        context={"phone_region": "GB"},
    )
    assert params.to == "442071234567"


def test_list_calls_virtual_number_must_start_with_seven() -> None:
    assert ListCallsParams(access_token="t", virtual_phone_number="8 499 372-06-92").to_wire() == {
        "access_token": "t",
        "virtual_phone_number": "74993720692",
    }
    with pytest.raises(ValidationError, match="starting with 7"):
        ListCallsParams(access_token="t", virtual_phone_number="+44 20 7123 4567")


def test_simple_call_operator_confirmation_and_enum() -> None:
    base = {
        "access_token": "t",
        "first_call": "operator",
        "virtual_phone_number": "74993720692",
        "contact": "79031234567",
        "operator": "79160000100",
    }
    assert StartSimpleCallParams.model_validate({**base, "operator_confirmation": "any"})
    with pytest.raises(ValidationError):
        StartSimpleCallParams.model_validate({**base, "first_call": "employee"})


def test_record_call_action_enum() -> None:
    RecordCallParams(access_token="t", call_session_id=1, action="on")
    with pytest.raises(ValidationError):
        RecordCallParams.model_validate({"access_token": "t", "call_session_id": 1, "action": "1"})


@pytest.mark.parametrize("raw", [{"success": "true"}, {"success": True}, {"success": "TRUE"}])
def test_success_accepts_string_and_boolean(raw: dict[str, Any]) -> None:
    assert HoldCallResult.model_validate(raw).success is True
    assert LogoutUserResult.model_validate(raw).success is True


@pytest.mark.parametrize("raw", [{"success": "yes"}, {"success": 1}, {}])
def test_success_refuses_other_values(raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HoldCallResult.model_validate(raw)


def test_call_session_result() -> None:
    assert CallSessionResult.model_validate({"call_session_id": 123}).call_session_id == 123
    with pytest.raises(ValidationError):
        CallSessionResult.model_validate({"call_session_id": "123"})


def test_list_calls_example_from_the_docs_parses() -> None:
    # The documented example: nulls for non-employee legs, a DTMF tail, ISO-like start_time.
    data = [
        {
            "call_session_id": 1234567,
            "direction": "out",
            "start_time": "2016-10-19T12:26:48.418",
            "virtual_phone_number": "74950000000",
            "contact_phone_number": "74959268686",
            "external_id": None,
            "tags": [],
            "legs": [
                {
                    "leg_id": 1,
                    "calling_phone_number": "74950000000",
                    "called_phone_number": "74959268686...9.2.3.3",
                    "is_operator": False,
                    "employee_id": None,
                    "employee_full_name": None,
                    "record_call_enabled": False,
                    "state": "Разговор",
                },
                {
                    "leg_id": 2,
                    "calling_phone_number": None,
                    "called_phone_number": "79160000101",
                    "is_operator": True,
                    "employee_id": 101,
                    "employee_full_name": "Иван Петров",
                    "record_call_enabled": True,
                    "state": "Talking",
                },
            ],
        },
        {
            "call_session_id": 7,
            "direction": "in",
            "start_time": "2016-10-19 12:26:48",
            "virtual_phone_number": "74993720692",
            "contact_phone_number": "79031234567",
            "external_id": "cb-1",
            "tags": [{"tag_id": 11, "tag_name": "Горячий клиент"}],
            "legs": [],
        },
    ]
    calls = ListCallsResult.model_validate(data)
    assert len(calls) == 2
    first = calls[0]
    assert first.start_time is not None
    assert first.start_time.microsecond == 418000
    assert [leg.state_kind for leg in first.legs] == [LegState.TALKING, LegState.TALKING]
    assert calls.find_by_external_id("cb-1") is calls[1]
    assert calls.find_by_session(1234567) is first
    assert calls.find_by_external_id("nope") is None


def test_list_talk_options_keeps_unknown_mnemonics() -> None:
    options = ListTalkOptionsResult.model_validate(
        [
            {
                "button": "1",
                "mnemonic": "tag_call",
                "name": "Проставить тег",
                "button_value": {"id": 11, "value": "Горячий клиент"},
            },
            {"button": "9", "mnemonic": "future_option", "name": "New"},
        ]
    )
    assert [o.is_known for o in options] == [True, False]
    assert options[0].button_value is not None
    assert options[0].button_value.id == 11


def test_message_constructors() -> None:
    assert Message.media(501).model_dump() == {"type": "media", "value": "501"}
    assert Message.tts("Здравствуйте").model_dump() == {"type": "tts", "value": "Здравствуйте"}


def test_simple_call_operator_in_digits_or_in_the_documented_object_form() -> None:
    base = {
        "access_token": "t",
        "first_call": "operator",
        "virtual_phone_number": "74993720692",
        "contact": "79031234567",
    }
    digits = StartSimpleCallParams.model_validate({**base, "operator": "+971 2 123 4567"})
    assert digits.to_wire()["operator"] == "97121234567"
    # The documentation's request example: {"id": 25, "phone_number": "79260000001"}.
    documented = {"id": 25, "phone_number": "79260000001"}
    as_object = StartSimpleCallParams.model_validate({**base, "operator": documented})
    assert as_object.to_wire()["operator"] == documented
    with pytest.raises(ValidationError) as caught:
        StartSimpleCallParams.model_validate({**base, "operator": {"phone_number": "12345"}})
    assert [error["loc"][-1] for error in caught.value.errors()] == ["phone_number"]


def test_list_calls_data_as_one_object_is_a_list_of_one_call() -> None:
    # A public client's fixtures show `data` as the call object itself, not an array of one.
    one = {
        "call_session_id": 7,
        "direction": "in",
        "start_time": "2016-10-19 12:26:48",
        "virtual_phone_number": "74993720692",
        "contact_phone_number": "79031234567",
        "external_id": "cb-1",
        "tags": [],
        "legs": [],
    }
    calls = ListCallsResult.model_validate(one)
    assert len(calls) == 1
    assert calls.find_by_session(7) is calls[0]
    assert len(ListCallsResult.model_validate([one, {**one, "call_session_id": 8}])) == 2
