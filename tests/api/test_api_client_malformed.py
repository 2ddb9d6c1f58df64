"""Replies the simulator does not produce, served by httpx.MockTransport (malformed replies only).

Everything else in these tests talks real loopback HTTP to the simulator.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.client import CallApiClient
from api.credentials import PermanentKeyCredentials
from api.errors import OutcomeUnknownError, TransportError, TransportErrorKind
from api.metadata import DeprecatedApiVersionWarning
from api.observer import AttemptRecord

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, records: list[AttemptRecord] | None = None) -> CallApiClient:
    async def no_sleep(seconds: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return CallApiClient(
        base_url="http://callapi.test/v4.0",
        http_client=http,
        credentials=PermanentKeyCredentials("demo-key-manager-0001"),
        observer=records.append if records is not None else None,
        sleep=no_sleep,
    )


def _reply(request: httpx.Request, envelope: dict[str, Any], status: int = 200) -> httpx.Response:
    request_id = json.loads(request.content)["id"]
    return httpx.Response(status, json={"jsonrpc": "2.0", "id": request_id, **envelope})


@pytest.mark.parametrize("key", ["current_version_depricated", "current_version_deprecated"])
async def test_deprecated_version_warns_once_under_either_spelling(
    key: str, caplog: pytest.LogCaptureFixture
) -> None:
    metadata = {"api_version": {key: True, "current_version": "v4.0", "latest_version": "v4.1"}}

    def handler(request: httpx.Request) -> httpx.Response:
        return _reply(request, {"result": {"data": [], "metadata": metadata}})

    async with _client(handler) as client:
        with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
            warnings.simplefilter("always")
            first = await client.list_calls()
            await client.list_calls()
        assert first.metadata.version_deprecated
        assert client.api_version_deprecated
        deprecations = [w for w in caught if issubclass(w.category, DeprecatedApiVersionWarning)]
        assert len(deprecations) == 1
        assert "v4.1" in str(deprecations[0].message)
        assert sum("deprecated" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"", 200, TransportErrorKind.NON_JSON_REPLY),
        (b"<html>502 Bad Gateway</html>", 502, TransportErrorKind.HTTP_STATUS),
        (b"OK", 200, TransportErrorKind.NON_JSON_REPLY),
        (b'{"jsonrpc":"2.0","id":"x","result":{"data":[]}}', 200, TransportErrorKind.INVALID_REPLY),
        (b'"just a string"', 200, TransportErrorKind.INVALID_REPLY),
    ],
)
async def test_unusable_replies_are_transport_errors(
    body: bytes, status: int, kind: TransportErrorKind
) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status, content=body)

    records: list[AttemptRecord] = []
    async with _client(handler, records) as client:
        with pytest.raises(TransportError) as read_error:
            await client.list_calls()
        assert read_error.value.kind is kind
        assert calls == 3  # read-only: retried
        with pytest.raises(OutcomeUnknownError) as action_error:
            await client.release_call(call_session_id=1)
        assert action_error.value.kind is kind
        assert calls == 4  # actions: never retried
    assert [r.transport_error_kind for r in records] == [kind.value] * 4


async def test_result_that_does_not_match_the_model() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return _reply(request, {"result": {"data": {"unexpected": 1}}})

    async with _client(handler) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.start_informer_call(
                virtual_phone_number="74993720692",
                contact="79031234567",
                contact_message={"type": "tts", "value": "Hi"},
            )
        assert caught.value.kind is TransportErrorKind.INVALID_REPLY
        assert caught.value.external_id is not None
        assert "call_session_id" in caught.value.detail


async def test_metadata_inside_data_is_found_and_stripped() -> None:
    limits = {"minute_remaining": 7, "minute_limit": 60, "minute_reset": 12}

    def handler(request: httpx.Request) -> httpx.Response:
        return _reply(
            request, {"result": {"data": {"success": True, "metadata": {"limits": limits}}}}
        )

    async with _client(handler) as client:
        reply = await client.hold_call(
            call_session_id=1, contact_message={"type": "media", "value": "501"}
        )
    assert reply.data.success
    assert reply.limits is not None
    assert reply.limits.minute_remaining == 7
    assert reply.metadata.location == "result.data.metadata"


async def test_error_with_batch_mnemonic_spellings() -> None:
    from api.errors import UnsupportedFeatureError

    for mnemonic in ("batch_opreations_not_supported", "batch_operations_not_supported"):

        def handler(request: httpx.Request, mnemonic: str = mnemonic) -> httpx.Response:
            error = {
                "code": -32099,
                "message": "Batch operations not supported",
                "data": {"mnemonic": mnemonic},
            }
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": None, "error": error})

        async with _client(handler) as client:
            with pytest.raises(UnsupportedFeatureError) as caught:
                await client.list_calls()
        assert caught.value.info.mnemonic == mnemonic
        assert caught.value.info.explanation == "Batch requests are not supported."


async def test_request_shape() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _reply(request, {"result": {"data": []}})

    async with _client(handler) as client:
        await client.list_calls()
        await client.list_calls()
    first = seen[0]
    assert first.method == "POST"
    assert str(first.url) == "http://callapi.test/v4.0"
    assert first.headers["content-type"] == "application/json; charset=UTF-8"
    assert int(first.headers["content-length"]) == len(first.content)
    bodies = [json.loads(r.content) for r in seen]
    assert bodies[0]["jsonrpc"] == "2.0"
    assert bodies[0]["method"] == "list.calls"
    assert bodies[0]["params"] == {"access_token": "demo-key-manager-0001"}
    assert bodies[0]["id"] != bodies[1]["id"]
