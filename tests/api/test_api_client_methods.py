"""Every method through the client against the simulator, in success and in documented errors.

Run under each simulator option variant for the reference's unknowns (metadata location, leg
label language, success flag style, '+' handling, direction mnemonic, early_switching rule).
"""

from __future__ import annotations

from typing import Any

import pytest
from callapi_testkit import (
    ANSWERING_CONTACT,
    HOLD_MEDIA_ID,
    INTERNATIONAL_CONTACT,
    MANAGER_EMPLOYEE_ID,
    OPTION_VARIANTS,
    SECOND_VIRTUAL_NUMBER,
    VIRTUAL_NUMBER,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.errors import (
    AccessDeniedError,
    AccountError,
    CallForbiddenError,
    ComponentDisabledError,
    InvalidParamsError,
    InvalidStateError,
    ParamsValidationError,
    RequestRejectedError,
    VirtualNumberError,
)
from api.mnemonics import ErrorGroup
from api.models import CallSessionResult, LegState, Message
from api.observer import AttemptOutcome
from api.reply import Reply

pytestmark = pytest.mark.parametrize(
    "world", list(OPTION_VARIANTS.values()), ids=list(OPTION_VARIANTS), indirect=True
)


def _metadata_expected(world: World) -> bool:
    return world.sim.options.metadata_location != "none"


async def test_start_methods_send_direction_out_and_unique_external_ids(world: World) -> None:
    user = world.manager()
    common: dict[str, Any] = {"virtual_phone_number": VIRTUAL_NUMBER}
    replies: list[Reply[CallSessionResult]] = [
        await user.start_employee_call(
            **common,
            contact="+7 (903) 123-45-67",
            first_call="employee",
            employee={"id": MANAGER_EMPLOYEE_ID},
            contact_message=Message.tts("Соединяем с менеджером"),
            dtmf_string=".1.2",
        ),
        await user.start_scenario_call(
            **common, contact="8 903 123 45 68", first_call="contact", scenario_id=1
        ),
        await user.start_vnumber_call(**common, contact="9031234569", first_call="contact"),
        await user.start_informer_call(
            **common,
            contact=ANSWERING_CONTACT,
            contact_message=Message.media(502),
            dialing_timeout=60,
        ),
        await user.start_simple_call(
            **common,
            contact="79031234570",
            operator="79160000103",
            first_call="operator",
            operator_confirmation="any",
        ),
    ]
    external_ids = [reply.external_id for reply in replies]
    assert all(e is not None and e.startswith("cb-") for e in external_ids)
    assert len(set(external_ids)) == 5
    sent = [r for r in world.requests() if str(r["method"]).startswith("start.")]
    assert [r["params"]["direction"] for r in sent] == ["out"] * 5
    assert [r["params"]["external_id"] for r in sent] == external_ids
    # Normalised numbers, never '+', and nothing the caller did not set.
    assert sent[0]["params"]["contact"] == "79031234567"
    assert sent[1]["params"]["contact"] == "79031234568"
    assert "virtual_number_group" not in sent[0]["params"]
    assert "switch_at_once" not in sent[0]["params"]
    calls = await user.list_calls()
    assert {c.external_id for c in calls.data} == set(external_ids)
    for reply in replies:
        assert reply.data.call_session_id > 0
        assert (reply.limits is not None) is _metadata_expected(world)


async def test_caller_supplied_external_id_and_direction_are_kept(world: World) -> None:
    user = world.manager()
    reply = await user.start_employee_call(
        virtual_phone_number=VIRTUAL_NUMBER,
        contact=ANSWERING_CONTACT,
        first_call="contact",
        employee={"id": MANAGER_EMPLOYEE_ID, "phone_number": "101"},
        external_id="crm-42",
        direction="in",
    )
    assert reply.external_id == "crm-42"
    params = world.requests("start.employee_call")[-1]["params"]
    assert params["external_id"] == "crm-42"
    assert params["direction"] == "in"
    assert params["employee"] == {"id": MANAGER_EMPLOYEE_ID, "phone_number": "101"}
    found = await user.find_call_by_external_id("crm-42")
    assert found is not None
    assert found.call_session_id == reply.data.call_session_id


async def test_call_management_methods_succeed(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    options = await user.list_talk_options()
    assert [o.button for o in options.data] == ["1", "2", "3", "4"]
    assert all(o.is_known for o in options.data)

    assert (await user.tag_call(call_session_id=session, tag_id=11)).data.success
    assert (await user.record_call(call_session_id=session, action="on")).data.success
    assert (await user.record_call(call_session_id=session, action="off")).data.success
    assert (await user.send_dtmf(call_session_id=session, dtmf_string="5")).data.success
    assert (await user.call_talk_option(call_session_id=session, button="3")).data.success
    assert (
        await user.hold_call(call_session_id=session, contact_message=Message.media(HOLD_MEDIA_ID))
    ).data.success
    assert (await user.unhold_call(call_session_id=session)).data.success
    assert (await user.add_coach(call_session_id=session)).data.success

    calls = (await user.list_calls()).data
    call = calls.find_by_session(session)
    assert call is not None
    assert call.direction == "out"
    assert call.start_time is not None
    assert [t.tag_id for t in call.tags] == [11]
    operator = next(leg for leg in call.legs if leg.is_operator)
    assert operator.employee_id == MANAGER_EMPLOYEE_ID
    assert operator.state_kind is LegState.TALKING
    contact_leg = next(leg for leg in call.legs if leg.employee_id is None and not leg.is_operator)

    assert (await user.block_contact(call_session_id=session)).data.success
    assert ANSWERING_CONTACT in world.sim.control.blacklist()
    assert (await user.disconnect_leg(call_session_id=session, leg_id=contact_leg.leg_id)).data
    assert world.sim.control.call(session)["state"] == "ENDED"


async def test_release_and_logout(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    assert (await user.release_call(call_session_id=session)).data.success
    assert (await user.list_calls()).data.find_by_session(session) is None
    assert (await user.logout_user()).data.success
    assert world.sim.control.sessions() == []
    # The next call logs in again (the provider still holds the password).
    await user.list_talk_options()
    assert len(world.sim.control.sessions()) == 1


async def test_list_calls_filters(world: World) -> None:
    user = world.manager()
    await world.connected_call(user)
    assert len((await user.list_calls(direction="out")).data) == 1
    assert len((await user.list_calls(direction="in")).data) == 0
    assert len((await user.list_calls(virtual_phone_number="8 499 372 06 92")).data) == 1
    assert len((await user.list_calls(virtual_phone_number=SECOND_VIRTUAL_NUMBER)).data) == 0


async def test_leg_labels_map_to_states_in_either_language(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.tts("Подождите"))
    call = (await user.list_calls()).data.find_by_session(session)
    assert call is not None
    kinds = {leg.state_kind for leg in call.legs}
    assert LegState.UNKNOWN not in kinds
    assert LegState.ON_HOLD in kinds


async def test_invalid_state_errors(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    for action in (
        user.unhold_call(call_session_id=session),
        user.transfer_talk(call_session_id=session),
        user.restore_talk(call_session_id=session),
        user.make_call(call_session_id=session, to="102"),
    ):
        with pytest.raises(InvalidStateError) as caught:
            await action
        assert caught.value.mnemonic == "invalid_state"
        assert caught.value.code == -32004
        assert caught.value.info.group is ErrorGroup.INVALID_STATE
        assert (caught.value.metadata.limits is not None) is _metadata_expected(world)


async def test_session_leg_tag_record_errors(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    cases: list[tuple[Any, str, str | None]] = [
        (
            user.hold_call(call_session_id=999, contact_message=Message.media(501)),
            "call_session_not_found",
            "call_session_id",
        ),
        (user.tag_call(call_session_id=session, tag_id=99), "tag_not_found", "tag_id"),
        (user.disconnect_leg(call_session_id=session, leg_id=12345), "leg_not_found", "leg_id"),
        (
            user.record_call(call_session_id=session, action="off"),
            "record_already_stopped",
            "action",
        ),
        (
            user.call_talk_option(call_session_id=session, button="9"),
            "talk_option_not_found",
            "button",
        ),
        (
            user.hold_call(call_session_id=session, contact_message=Message.media(999)),
            "media_file_not_found",
            None,
        ),
    ]
    for action, mnemonic, field in cases:
        with pytest.raises(InvalidParamsError) as caught:
            await action
        assert caught.value.mnemonic == mnemonic
        if field is not None:
            assert caught.value.field == field
    await user.tag_call(call_session_id=session, tag_id=12)
    with pytest.raises(InvalidParamsError) as caught:
        await user.tag_call(call_session_id=session, tag_id=12)
    assert caught.value.mnemonic == "duplicate_tag"
    await user.record_call(call_session_id=session, action="on")
    with pytest.raises(InvalidParamsError) as caught:
        await user.record_call(call_session_id=session, action="on")
    assert caught.value.mnemonic == "record_already_started"
    await user.block_contact(call_session_id=session)
    with pytest.raises(InvalidParamsError) as caught:
        await user.block_contact(call_session_id=session)
    assert caught.value.mnemonic == "duplicate_contact"


async def test_coach_errors(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user, employee_id=103)  # 103 has no coach configured
    with pytest.raises(InvalidParamsError) as caught:
        await user.add_coach(call_session_id=session)
    assert caught.value.mnemonic == "coach_not_found"
    # make.call needs HOLD first; the state check comes before the number check.
    with pytest.raises(InvalidStateError):
        await user.make_call(call_session_id=session, to="109")
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    with pytest.raises(InvalidParamsError) as caught:
        await user.make_call(call_session_id=session, to="109")
    assert caught.value.mnemonic == "no_active_phone_number"


async def test_start_call_errors(world: World) -> None:
    user = world.manager()
    base: dict[str, Any] = {
        "virtual_phone_number": VIRTUAL_NUMBER,
        "contact": ANSWERING_CONTACT,
        "first_call": "employee",
        "employee": {"id": MANAGER_EMPLOYEE_ID},
    }
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_employee_call(**{**base, "employee": {"id": 999}})
    assert caught.value.mnemonic == "employee_not_found"
    assert caught.value.field == "employee.id"
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_employee_call(**{**base, "employee": {"id": 101, "phone_number": "102"}})
    assert caught.value.mnemonic == "no_active_phone_number"
    with pytest.raises(VirtualNumberError) as caught_vn:
        await user.start_employee_call(**{**base, "virtual_phone_number": "74990000000"})
    assert caught_vn.value.mnemonic == "virtual_phone_number_not_found"
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_employee_call(**{**base, "contact": SECOND_VIRTUAL_NUMBER})
    assert caught.value.mnemonic == "own_virtual_phone_number_not_allowed"
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_employee_call(**{**base, "contact_message": Message.tts("х" * 1001)})
    assert caught.value.mnemonic == "tts_text_exceeded"
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_employee_call(**{**base, "media_file_id": 777})
    assert caught.value.mnemonic == "media_file_not_found"
    with pytest.raises(InvalidParamsError) as caught:
        await user.start_scenario_call(
            virtual_phone_number=VIRTUAL_NUMBER,
            contact=ANSWERING_CONTACT,
            first_call="contact",
            scenario_id=77,
        )
    assert caught.value.mnemonic == "scenario_not_found"
    # early_switching: the two doc editions disagree; the server decides (both rules simulated).
    uis_rule = world.sim.options.early_switching_rule == "uis"
    forbidden_combo = {**base, "first_call": "contact", "early_switching": True}
    if uis_rule:
        with pytest.raises(InvalidParamsError) as caught:
            await user.start_employee_call(**forbidden_combo)
        assert caught.value.mnemonic == "invalid_parameters_combination"
    else:
        await user.start_employee_call(**forbidden_combo)


async def test_direction_rules_and_blacklist(world: World) -> None:
    user = world.manager()
    with pytest.raises(CallForbiddenError) as caught:
        await user.start_employee_call(
            virtual_phone_number=VIRTUAL_NUMBER,
            contact=INTERNATIONAL_CONTACT,
            first_call="employee",
            employee={"id": MANAGER_EMPLOYEE_ID},
        )
    error = caught.value
    assert error.code == -32002
    assert error.mnemonic == world.sim.options.direction_refusal_mnemonic
    # Whatever the (undocumented) mnemonic is, the group facts say what it means.
    assert error.info.group is ErrorGroup.DIRECTION
    session = await world.connected_call(user)
    await user.block_contact(call_session_id=session)
    with pytest.raises(CallForbiddenError) as caught:
        await user.start_employee_call(
            virtual_phone_number=VIRTUAL_NUMBER,
            contact=ANSWERING_CONTACT,
            first_call="employee",
            employee={"id": MANAGER_EMPLOYEE_ID},
        )
    assert caught.value.mnemonic == "contact_in_blacklist"
    # start.vnumber_call documents the same mnemonic under -32602.
    with pytest.raises(InvalidParamsError) as caught_params:
        await user.start_vnumber_call(
            virtual_phone_number=VIRTUAL_NUMBER, contact=ANSWERING_CONTACT, first_call="contact"
        )
    assert caught_params.value.mnemonic == "contact_in_blacklist"
    assert caught_params.value.info.group is ErrorGroup.DIRECTION


async def test_account_level_errors(world: World) -> None:
    user = world.manager()
    await user.list_talk_options()  # logged in
    world.sim.control.disable_component("Call management")
    with pytest.raises(ComponentDisabledError) as caught_component:
        await user.list_calls()
    assert caught_component.value.mnemonic == "component_disabled"
    world.sim.control.enable_component("Call management")
    users = world.sim.control.account()["users"]
    for account_user in users:
        account_user["call_api_access"] = account_user["login"] != "demo.manager"
    world.sim.control.patch_account({"users": users})
    with pytest.raises(AccessDeniedError) as caught_rights:
        await user.list_calls()
    assert caught_rights.value.mnemonic == "forbidden"
    world.sim.control.reset()
    world.sim.control.patch_account({"active": False})
    with pytest.raises(AccountError) as caught_account:
        await world.keyed().list_calls()
    assert caught_account.value.mnemonic == "account_inactive"
    world.sim.control.reset()
    world.sim.control.set_ip_whitelist(["10.0.0.1"])
    with pytest.raises(AccessDeniedError) as caught_ip:
        await world.keyed().list_calls()
    assert caught_ip.value.mnemonic == "ip_not_whitelisted"
    assert caught_ip.value.metadata.limits is None  # documented: no metadata for this one


async def test_server_side_validation_through_the_generic_call(world: World) -> None:
    user = world.keyed()
    with pytest.raises(RequestRejectedError) as caught_method:
        await user.call("start.multi_call", {}, validate=False)
    assert caught_method.value.mnemonic == "method_not_found"
    with pytest.raises(InvalidParamsError) as caught:
        await user.call("list.calls", {"direction": "sideways"}, validate=False)
    assert caught.value.mnemonic == "invalid_parameter_value"
    with pytest.raises(InvalidParamsError) as caught:
        await user.call("list.calls", {"colour": "red"}, validate=False)
    assert caught.value.mnemonic == "unexpected_parameters"
    with pytest.raises(InvalidParamsError) as caught:
        await user.call("tag.call", {"call_session_id": "1", "tag_id": 11}, validate=False)
    assert caught.value.mnemonic == "data_type_error"
    with pytest.raises(InvalidParamsError) as caught:
        await user.call("tag.call", {"tag_id": 11}, validate=False)
    assert caught.value.mnemonic == "required_parameter_missed"
    # The same mistakes never leave the client with validation on; nothing is sent.
    sent_before = len(world.requests())
    mistakes: list[tuple[str, dict[str, Any]]] = [
        ("list.calls", {"direction": "sideways"}),
        ("list.calls", {"colour": "red"}),
        ("tag.call", {"call_session_id": "1", "tag_id": 11}),
        ("tag.call", {"tag_id": 11}),
    ]
    for method, params in mistakes:
        with pytest.raises(ParamsValidationError):
            await user.call(method, params)
    assert len(world.requests()) == sent_before


async def test_plus_prefix_depends_on_the_server_but_the_client_never_sends_it(
    world: World,
) -> None:
    user = world.keyed()
    raw = {
        "virtual_phone_number": VIRTUAL_NUMBER,
        "contact": "+79031234567",
        "first_call": "employee",
        "employee": {"id": MANAGER_EMPLOYEE_ID},
        "external_id": "raw-plus",
        "direction": "out",
    }
    if world.sim.options.refuse_plus_in_numbers:
        with pytest.raises(InvalidParamsError) as caught:
            await user.call("start.employee_call", raw, validate=False)
        assert caught.value.mnemonic == "invalid_parameter_value"
        assert caught.value.field == "contact"
    else:
        await user.call("start.employee_call", raw, validate=False)
    reply = await user.call("start.employee_call", raw)  # validated: '+' normalised away
    assert reply.data.call_session_id > 0
    assert world.requests("start.employee_call")[-1]["params"]["contact"] == "79031234567"


async def test_observer_sees_every_attempt_with_context_and_no_secrets(world: World) -> None:
    user = world.manager(chat_id=77, update_id=5)
    await user.list_talk_options()
    with pytest.raises(InvalidParamsError):
        await user.tag_call(call_session_id=1, tag_id=11)
    methods = [(r.method, r.outcome) for r in world.records]
    assert methods == [
        ("login.user", AttemptOutcome.OK),
        ("list.talk_options", AttemptOutcome.OK),
        ("tag.call", AttemptOutcome.API_ERROR),
    ]
    for record in world.records:
        assert dict(record.context) == {"chat_id": 77, "update_id": 5}
        assert "access_token" not in record.params
        assert record.request_id is not None
        assert record.latency_seconds >= 0
    assert world.records[0].params == {"login": "demo.manager", "password": "***"}
    assert world.records[2].mnemonic == "call_session_not_found"
    assert world.records[2].error_code == -32602
    ids = [r.request_id for r in world.records]
    assert len(set(ids)) == len(ids)
    assert [r["id"] for r in world.requests()] == ids


async def test_simple_call_operator_in_its_documented_object_form(world: World) -> None:
    # The documentation's request example sends the operator as {"id", "phone_number"}.
    user = world.manager()
    reply = await user.start_simple_call(
        virtual_phone_number=VIRTUAL_NUMBER,
        contact="79031234570",
        operator={"id": 25, "phone_number": "+7 916 000-01-03"},
        first_call="operator",
    )
    (sent,) = world.requests("start.simple_call")
    assert sent["params"]["operator"] == {"id": 25, "phone_number": "79160000103"}
    legs = world.sim.control.call(reply.data.call_session_id)["legs"]
    assert [leg["number"] for leg in legs] == ["79160000103"]


async def test_list_calls_reads_a_lone_call_sent_as_an_array_or_as_the_object(
    world: World,
) -> None:
    # One variant's simulator answers a lone call as the object itself (single_call_as_object).
    user = world.manager()
    session = await world.connected_call(user)
    reply = await user.list_calls()
    assert [call.call_session_id for call in reply.data] == [session]
    assert reply.data.find_by_session(session) is not None
