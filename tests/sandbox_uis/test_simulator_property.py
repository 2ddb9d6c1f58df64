"""Property: whatever arrives at /v4.0, the simulator answers with a documented JSON-RPC error
or a success - never a crash, never an HTTP 500 (no fault is injected here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simulator_harness import JSON_HEADERS, MANAGER_KEY, simulator_in_thread

from sandbox.uis import RunningServer, Simulator, SimulatorOptions, demo_account
from sandbox.uis.reference import ParamSpec, packaged_reference

REFERENCE = packaged_reference()
OPTIONS = SimulatorOptions(auto_answer_seconds=0)
DOCUMENTED = (
    set(REFERENCE.common_errors)
    | set(REFERENCE.other_errors)
    | {mnemonic for method in REFERENCE.methods.values() for mnemonic in method.errors}
    | {"batch_operations_not_supported", OPTIONS.direction_refusal_mnemonic}
) - {"unknown"}
PARAM_NAMES = sorted(
    {param.name for method in REFERENCE.methods.values() for param in method.params}
    | {
        field.name
        for method in REFERENCE.methods.values()
        for param in method.params
        for field in param.fields
    }
)
METHOD_NAMES = sorted(REFERENCE.methods)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "74993720692",
            "79031234567",
            "442071234567",
            "+79031234567",
            "101",
            "2500000001",
            "media",
            "tts",
            "on",
            "contact",
            "employee",
            "*",
        ]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(PARAM_NAMES) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
params_strategy = st.dictionaries(
    st.sampled_from(PARAM_NAMES) | st.text(max_size=10), json_values, max_size=8
)
with_token = params_strategy.map(lambda params: {"access_token": MANAGER_KEY, **params})
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "2.0", "2.0", "1.0"]) | json_scalars,
        "id": st.integers() | st.text(max_size=10) | json_scalars,
        "method": st.sampled_from(METHOD_NAMES) | st.text(max_size=20),
        "params": with_token | params_strategy | json_values,
    },
)
bodies = (
    envelopes.map(lambda envelope: json.dumps(envelope).encode())
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
    | st.lists(envelopes, max_size=3).map(lambda batch: json.dumps(batch).encode())
)


CONTACTS = [
    "79031234567",
    "79031234567",
    "79037654321",
    "74951112233",
    "442071234567",
    "74951234567",
    "+79031234567",
    "7495",
]
TARGETS = ["102", "103", "100", "79160000102", "79035550101", "442071234567", "109"]
VIRTUAL_NUMBERS = ["74993720692", "74993720692", "74951234567", "74950000000"]


def _string_values(name: str) -> st.SearchStrategy[Any]:
    by_name: dict[str, list[str]] = {
        "contact": CONTACTS,
        "operator": ["79165550101", "79165550101", "74993720692", "442071234567"],
        "virtual_phone_number": VIRTUAL_NUMBERS,
        "to": TARGETS,
        "phone_number": ["79160000101", "101", "79035550022", "109", "442071234567"],
        "value": ["501", "502", "999", "Здравствуйте", "x" * 1001],
        "button": ["1", "2", "3", "4", "9"],
        "login": ["demo.manager", "demo.admin", "nobody"],
        "password": ["demo-pass-manager", "demo-pass-admin", "wrong"],
    }
    if name in by_name:
        return st.sampled_from(by_name[name])
    return st.text(max_size=12)


def plausible(param: ParamSpec) -> st.SearchStrategy[Any]:
    """Mostly well-formed values for a documented parameter, sometimes junk."""
    if param.fields:
        good: st.SearchStrategy[Any] = st.fixed_dictionaries(
            {f.name: plausible(f) for f in param.fields if f.required},
            optional={f.name: plausible(f) for f in param.fields if not f.required},
        )
    elif param.allowed_values and not all(isinstance(v, bool) for v in param.allowed_values):
        literal = [v for v in param.allowed_values if not str(v).startswith("up to")]
        extras: list[Any] = ["1", "#", ".1", "12"] if "0-9" in literal else []
        good = st.sampled_from([*literal, *extras]) if literal else st.sampled_from([10, 30, 121])
    elif param.type == "number":
        good = st.sampled_from(
            [
                1,
                11,
                13,
                99,
                101,
                100,
                501,
                2_500_000_001,
                2_500_000_002,
                2_500_000_003,
                700_000_001,
                700_000_002,
                700_000_003,
            ]
        )
    elif param.type == "boolean":
        good = st.booleans()
    else:
        good = _string_values(param.name)
    # About one value in thirteen is junk of any JSON type.
    return st.tuples(st.integers(0, 12), good, json_values).map(
        lambda choice: choice[2] if choice[0] == 7 else choice[1]
    )


def method_params(method: str) -> st.SearchStrategy[dict[str, Any]]:
    specs = [p for p in REFERENCE.methods[method].params if p.name != "access_token"]
    documented = st.fixed_dictionaries(
        {p.name: plausible(p) for p in specs if p.required},
        optional={p.name: plausible(p) for p in specs if not p.required},
    )
    extra = st.dictionaries(st.text(max_size=8), json_values, max_size=1)
    token = st.sampled_from([MANAGER_KEY, MANAGER_KEY, MANAGER_KEY, "demo-key-expired-0003"])
    return st.tuples(documented, extra, token, st.integers(0, 9)).map(
        lambda parts: {**parts[0], **(parts[1] if parts[3] == 0 else {}), "access_token": parts[2]}
    )


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(headers=JSON_HEADERS, timeout=10) as shared:
        yield shared


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, RunningServer]]:
    account = demo_account()
    # Plenty of points: the manual clock never moves here, so the minute window never resets.
    account.limits.points_per_minute = account.limits.points_per_day = 1_000_000
    with simulator_in_thread(OPTIONS, account) as pair:
        yield pair


def check_reply(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    reply: dict[str, Any] = response.json()
    assert reply["jsonrpc"] == "2.0"
    assert ("result" in reply) != ("error" in reply)
    if "error" in reply:
        error = reply["error"]
        assert isinstance(error["code"], int)
        assert isinstance(error["message"], str)
        assert "{" not in error["message"]
        assert error["data"]["mnemonic"] in DOCUMENTED, error
    else:
        assert "data" in reply["result"]
    return reply


# Derandomized: test_the_storm_reached_deep_into_the_methods asserts what the storm reached,
# which must not depend on the luck of one run (it missed once in 3,000 tests).
@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(body=bodies)
def test_random_bodies_never_crash_the_simulator(
    served: tuple[Simulator, RunningServer], client: httpx.Client, body: bytes
) -> None:
    _, server = served
    response = client.post(server.url, content=body)
    check_reply(response)


@settings(
    max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_random_params_for_every_method_never_crash(
    served: tuple[Simulator, RunningServer], client: httpx.Client, data: st.DataObject
) -> None:
    _, server = served
    method = data.draw(st.sampled_from(METHOD_NAMES))
    params = data.draw(method_params(method))
    envelope = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    check_reply(client.post(server.url, content=json.dumps(envelope).encode()))


def test_a_valid_start_keeps_working_after_the_storm(
    served: tuple[Simulator, RunningServer], client: httpx.Client
) -> None:
    _, server = served
    envelope = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "list.talk_options",
        "params": {"access_token": "demo-key-admin-0002"},
    }
    assert "result" in check_reply(client.post(server.url, content=json.dumps(envelope).encode()))


def test_the_storm_reached_deep_into_the_methods(
    served: tuple[Simulator, RunningServer],
) -> None:
    sim, _ = served
    outcomes = [entry["outcome"] for entry in sim.control.requests()]
    distinct = set(outcomes)
    # Not only envelope errors: successes and method-level refusals were produced too.
    assert "success" in distinct
    assert {"data_type_error", "unexpected_parameters", "parse_error"} <= distinct
    assert len(distinct) >= 20
