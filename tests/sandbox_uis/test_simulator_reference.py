"""The packaged reference still matches the shared methods.json; the demo account holds the
team's shared facts; account files load and refuse garbage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from simulator_harness import SHARED_METHODS_JSON, running_harness

from sandbox.uis import AccountError, demo_account, load_account
from sandbox.uis.reference import extract_reference, load_reference_json, packaged_reference


@pytest.mark.skipif(not SHARED_METHODS_JSON.exists(), reason="shared methods.json not present")
def test_packaged_reference_matches_shared_methods_json() -> None:
    shared = json.loads(SHARED_METHODS_JSON.read_text(encoding="utf-8"))
    assert load_reference_json() == extract_reference(shared), (
        "sandbox/uis/data/reference.json is out of date: regenerate it with "
        "sandbox.uis.reference.extract_reference(methods.json)"
    )


def test_reference_covers_all_documented_methods() -> None:
    reference = packaged_reference()
    assert len(reference.methods) == 22
    for component in reference.components.values():
        for method in component.methods:
            assert reference.methods[method].component == component.name
    # Per-method codes are kept (contact_in_blacklist differs between methods).
    assert reference.error("contact_in_blacklist", "start.employee_call").code == -32002
    assert reference.error("contact_in_blacklist", "start.scenario_call").code == -32602
    assert reference.error("scenario_not_found", "start.vnumber_call").code == -32007
    assert reference.common_errors["batch_opreations_not_supported"].mnemonic_callgear_en == (
        "batch_operations_not_supported"
    )
    assert reference.leg_labels["ru"][1] == "Разговор"
    assert reference.leg_labels["en"][5] == "On hold"


def test_demo_account_has_the_shared_facts() -> None:
    account = demo_account()
    assert account.name == "Demo Sales"
    assert account.ip_whitelist == ["127.0.0.1", "::1"]
    assert account.components == [
        "Basic set",
        "Call management",
        "Informer call",
        "Scenario call",
    ]
    assert (account.limits.points_per_minute, account.limits.points_per_day) == (60, 1000)
    assert account.limits.tts_message_max_length == 1000
    rules = account.direction_rules
    assert (rules.mobile, rules.long_distance, rules.international) == (True, True, False)
    users = {(u.login, u.password, u.employee_id) for u in account.users}
    assert users == {
        ("demo.manager", "demo-pass-manager", 101),
        ("demo.admin", "demo-pass-admin", 100),
    }
    keys = {k.key: k for k in account.permanent_keys}
    assert keys["demo-key-manager-0001"].login == "demo.manager"
    assert keys["demo-key-admin-0002"].login == "demo.admin"
    assert keys["demo-key-expired-0003"].expires_at is not None
    assert keys["demo-key-blocked-0004"].blocked
    employees = {(e.id, e.full_name, tuple(e.active_numbers())) for e in account.employees}
    assert employees == {
        (100, "Анна Смирнова", ("79160000100",)),
        (101, "Иван Петров", ("79160000101",)),
        (102, "Мария Иванова", ("79160000102",)),
        (103, "Олег Сидоров", ("79160000103",)),
    }
    assert [v.number for v in account.virtual_numbers] == ["74993720692", "74951234567"]
    assert [(s.id, s.name) for s in account.scenarios] == [
        (1, "Входящая линия продаж"),
        (2, "Опрос клиентов"),
    ]
    assert [(m.id, m.name) for m in account.media_files] == [
        (501, "Ожидание на линии"),
        (502, "Приветствие"),
    ]
    assert [(t.id, t.name) for t in account.tags] == [
        (11, "Горячий клиент"),
        (12, "Спам"),
        (13, "Перезвонить"),
    ]
    assert 2 <= len(account.talk_options) <= 4
    allowed = {
        "finish_conversation",
        "tag_call",
        "record_talk",
        "transfer_call",
        "run_scenario",
        "call_coach",
        "receive_fax",
        "save_numa",
    }
    assert {option.mnemonic for option in account.talk_options} <= allowed
    assert account.never_answer == ["79037654321"]


def test_demo_account_copies_are_independent() -> None:
    first, second = demo_account(), demo_account()
    first.blacklist.append("79031234567")
    assert second.blacklist == []


def test_account_round_trips_through_a_file(tmp_path: Path) -> None:
    account = demo_account()
    account.tags.append(type(account.tags[0])(id=14, name="VIP"))
    path = tmp_path / "account.json"
    path.write_text(json.dumps(account.to_json(), ensure_ascii=False), encoding="utf-8")
    loaded = load_account(path)
    assert loaded.to_json() == account.to_json()


@pytest.mark.parametrize(
    "document",
    [
        "[]",
        "{}",
        '{"name": 1}',
        "not json",
    ],
)
def test_bad_account_files_are_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "account.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(AccountError):
        load_account(path)


def test_permanent_key_of_unknown_user_is_refused() -> None:
    document = demo_account().to_json()
    document["permanent_keys"].append({"key": "k", "login": "ghost"})
    with pytest.raises(AccountError, match="ghost"):
        type(demo_account()).from_json(document)


async def test_list_talk_options_returns_the_documented_shape() -> None:
    async with running_harness() as h:
        options = await h.ok("list.talk_options")
        assert {"button", "mnemonic", "name", "button_value"} <= set(options[0])
        tag_option = next(o for o in options if o["mnemonic"] == "tag_call")
        assert tag_option["button_value"] == {"id": 11, "value": "Горячий клиент"}
