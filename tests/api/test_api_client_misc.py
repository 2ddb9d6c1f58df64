"""Client construction, local refusals, observer robustness, deprecated-version flag."""

from __future__ import annotations

import warnings

import pytest
from callapi_testkit import (
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.client import COMAGIC_BASE_URL, UIS_BASE_URL, CallApiClient, base_url_for
from api.errors import CredentialsUnavailableError, ParamsValidationError, UnknownMethodError
from api.metadata import DeprecatedApiVersionWarning
from api.observer import AttemptRecord
from api.transport import TransportChoice, create_http_client


def test_base_urls() -> None:
    assert UIS_BASE_URL == "https://callapi.uiscom.ru/v4.0"
    assert COMAGIC_BASE_URL == "https://callapi.comagic.ru/v4.0"
    assert base_url_for("comagic") == COMAGIC_BASE_URL
    assert base_url_for("uis", version="v4.1") == "https://callapi.uiscom.ru/v4.1"
    with pytest.raises(ValueError, match="http"):
        CallApiClient(base_url="callapi.uiscom.ru/v4.0")


async def test_default_client_targets_uis() -> None:
    async with CallApiClient() as client:
        assert client.base_url == UIS_BASE_URL


async def test_local_refusals_send_nothing(world: World) -> None:
    user = world.keyed()
    with pytest.raises(UnknownMethodError):
        await user.call("start.multi_call", {})
    with pytest.raises(ParamsValidationError) as caught:
        await user.call("list.calls", {"access_token": "other"})
    assert caught.value.fields == ("access_token",)
    with pytest.raises(CredentialsUnavailableError):
        await world.client.list_calls()  # the shared client has no default credentials
    with pytest.raises(ParamsValidationError) as bad_phone:
        await user.start_employee_call(
            virtual_phone_number="74993720692",
            contact="12345678",  # fits no numbering plan
            first_call="employee",
            employee={"id": 101, "phone_number": "not a number"},
        )
    assert set(bad_phone.value.fields) == {"contact", "employee.phone_number"}
    assert "12345678" in str(bad_phone.value)
    assert world.requests() == []


async def test_observer_failures_never_break_calls(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[AttemptRecord] = []

    def broken(record: AttemptRecord) -> None:
        seen.append(record)
        raise RuntimeError("audit database is down")

    async def broken_async(record: AttemptRecord) -> None:
        raise RuntimeError("async audit failed")

    for observer in (broken, broken_async):
        client = world.new_client(observer=observer)
        world.closers.append(client)
        user = client.bind(world.keyed().credentials)
        reply = await user.list_calls()
        assert reply.data is not None
    assert len(seen) == 1
    assert sum("observer failed" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.parametrize("world", [{"api_version_deprecated": True}], indirect=True)
async def test_deprecated_version_from_the_simulator(world: World) -> None:
    user = world.keyed()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reply = await user.list_calls()
        await user.list_calls()
    assert reply.metadata.version_deprecated
    assert world.client.api_version_deprecated
    assert [w.category for w in caught].count(DeprecatedApiVersionWarning) == 1


async def test_bound_views_share_the_client_and_budget(world: World) -> None:
    first = world.manager(chat=1)
    second = world.keyed(chat=2)
    assert first.client is second.client is world.client
    await first.list_calls()
    await second.list_calls()
    snapshot = world.client.budget.snapshot()
    assert snapshot.minute.remaining == 57  # login + two lists from one account budget
    assert [dict(r.context) for r in world.records] == [{"chat": 1}, {"chat": 1}, {"chat": 2}]
    assert "demo-key" not in repr(second)


@pytest.mark.parametrize("transport", list(TransportChoice))
async def test_the_shared_http_client_keeps_no_cookies(transport: TransportChoice) -> None:
    """UIS authenticates by token; a Set-Cookie must neither be parsed nor sent back."""
    from aiohttp import web

    seen_cookies: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        seen_cookies.append(request.headers.get("Cookie"))
        response = web.json_response({"jsonrpc": "2.0", "id": 1, "result": {}})
        response.set_cookie("session", "secret-value")
        return response

    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = create_http_client(transport=transport)
    try:
        for _ in range(2):
            reply = await client.post(f"http://127.0.0.1:{port}/", json={})
            assert reply.headers.get("set-cookie", "").startswith("session=")
        assert list(client.cookies.jar) == []
        assert seen_cookies == [None, None]
    finally:
        await client.aclose()
        await runner.cleanup()


async def test_a_view_keeping_exit_points_is_the_same_user(world: World) -> None:
    user = world.keyed(chat=1)
    view = user.keeping_exit_points(3)
    assert view is not user
    assert (view.client, view.credentials, view.context) == (
        user.client,
        user.credentials,
        user.context,
    )
    reply = await view.list_calls()  # sent through the shared client with the same key
    assert reply.data.root == []
    assert [record.context for record in world.records] == [{"chat": 1}]
