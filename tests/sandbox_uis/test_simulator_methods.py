"""Every documented method succeeds over HTTP and returns the documented result shape
(result.data fields and JSON types from the reference), charging its points."""

from __future__ import annotations

from typing import Any

import pytest
from simulator_harness import Harness, running_harness, valid_params

from sandbox.uis.methods import HANDLERS
from sandbox.uis.reference import packaged_reference

REFERENCE = packaged_reference()
METHODS = sorted(REFERENCE.methods)


def assert_field_type(value: Any, documented: str, where: str) -> None:
    if documented == "number":
        assert isinstance(value, int), where
        assert not isinstance(value, bool), where
    elif documented == "string":
        assert value is None or isinstance(value, str), where  # empty scalars are null
    elif documented == "boolean":
        assert isinstance(value, bool), where
    elif documented.startswith("string (documented examples) / boolean"):
        assert value in ("true", True), where
    elif documented == "array":
        assert isinstance(value, list), where
    elif documented.startswith("object"):
        assert value is None or isinstance(value, dict), where


def assert_documented_shape(method: str, data: Any) -> None:
    raw = next(m for m in REFERENCE.raw["methods"] if m["name"] == method)
    container = raw["result"]["container"]
    items = data if container.startswith("result.data (array") else [data]
    assert isinstance(items, list)
    for item in items:
        for field in raw["result"]["fields"]:
            assert field["name"] in item, f"{method}: result.data lacks {field['name']}"
            assert_field_type(item[field["name"]], field["type"], f"{method}.{field['name']}")


async def prepare_lists(h: Harness, method: str) -> None:
    """list.* methods return arrays; make sure they are not empty so the shape is checked."""
    if method == "list.calls":
        await h.talking_call()


def test_every_documented_method_has_a_handler_and_nothing_more() -> None:
    assert set(HANDLERS) == set(REFERENCE.methods)


@pytest.mark.parametrize("method", METHODS)
async def test_method_succeeds_with_the_documented_result(method: str) -> None:
    async with running_harness() as h:
        await prepare_lists(h, method)
        params = await valid_params(h, method)
        before = h.control.points()["day_used"]
        reply = await h.rpc(method, params)
        assert "result" in reply, reply
        data = reply["result"]["data"]
        assert_documented_shape(method, data)
        if isinstance(data, list):
            assert data, f"{method} returned an empty list"
        assert h.control.points()["day_used"] == before + 1
        assert h.control.requests(method)[-1]["outcome"] == "success"


async def test_list_calls_entry_has_every_documented_leg_field() -> None:
    async with running_harness() as h:
        await h.talking_call()
        (entry,) = await h.ok("list.calls")
        raw = next(m for m in REFERENCE.raw["methods"] if m["name"] == "list.calls")
        legs_spec = next(f for f in raw["result"]["fields"] if f["name"] == "legs")
        for leg in entry["legs"]:
            for field in legs_spec["fields"]:
                assert field["name"] in leg
                if leg[field["name"]] is None:
                    # Documented: employee_id/employee_full_name are null for non-employees.
                    assert field["name"].startswith("employee_")
                    continue
                assert_field_type(leg[field["name"]], field["type"], field["name"])
        assert entry["legs"][0]["state"] in REFERENCE.leg_labels["ru"]


async def test_start_methods_return_distinct_session_ids_above_int32() -> None:
    async with running_harness() as h:
        first = await h.start_employee_call()
        second = await h.start_employee_call(contact="79035550101")
        assert first != second
        assert min(first, second) > 2**31
