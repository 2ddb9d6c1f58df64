"""Envelope encoding and reply classification (pure functions, no HTTP)."""

from __future__ import annotations

import json

import pytest

from api.envelope import (
    ErrorReply,
    MalformedReply,
    RequestIdFactory,
    SuccessReply,
    encode_request,
    parse_reply,
)
from api.errors import TransportErrorKind
from api.metadata import parse_metadata
from api.models import Message


def test_request_ids_are_unique_and_prefixed() -> None:
    ids = RequestIdFactory()
    other = RequestIdFactory()
    generated = {ids() for _ in range(1000)} | {other() for _ in range(1000)}
    assert len(generated) == 2000


def test_encode_request_is_a_single_jsonrpc_object() -> None:
    body = encode_request(
        "hold.call",
        {"call_session_id": 1, "contact_message": Message.tts("Ждите")},
        "abc-1",
    )
    assert json.loads(body) == {
        "jsonrpc": "2.0",
        "id": "abc-1",
        "method": "hold.call",
        "params": {"call_session_id": 1, "contact_message": {"type": "tts", "value": "Ждите"}},
    }
    assert "Ждите".encode() in body  # UTF-8, not \u escapes


LIMITS = {"minute_remaining": 5, "minute_limit": 60, "minute_reset": 30}


@pytest.mark.parametrize(
    ("envelope", "location"),
    [
        (
            {"result": {"data": {"success": "true"}, "metadata": {"limits": LIMITS}}},
            "result.metadata",
        ),
        ({"result": {"data": {"success": "true"}}, "metadata": {"limits": LIMITS}}, "metadata"),
        (
            {"result": {"data": {"success": "true", "metadata": {"limits": LIMITS}}}},
            "result.data.metadata",
        ),
    ],
)
def test_success_metadata_anywhere(envelope: dict[str, object], location: str) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": "r-1", **envelope}).encode()
    reply = parse_reply(body, 200, "r-1")
    assert isinstance(reply, SuccessReply)
    assert reply.data == {"success": "true"}
    assert reply.metadata.location == location
    assert reply.metadata.limits is not None
    assert reply.metadata.limits.minute_remaining == 5


@pytest.mark.parametrize("status", [200, 400, 401, 500])
@pytest.mark.parametrize("where", ["data", "error", "envelope"])
def test_error_reply_with_any_status_and_metadata_location(status: int, where: str) -> None:
    error: dict[str, object] = {
        "code": -32004,
        "message": "m",
        "data": {"mnemonic": "invalid_state"},
    }
    envelope: dict[str, object] = {"jsonrpc": "2.0", "id": None, "error": error}
    meta = {"limits": LIMITS}
    if where == "data":
        error["data"] = {"mnemonic": "invalid_state", "metadata": meta}
    elif where == "error":
        error["metadata"] = meta
    else:
        envelope["metadata"] = meta
    reply = parse_reply(json.dumps(envelope).encode(), status, "r-1")
    assert isinstance(reply, ErrorReply)
    assert reply.error["code"] == -32004
    assert reply.metadata.limits is not None


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"", 200, TransportErrorKind.NON_JSON_REPLY),
        (b"", 502, TransportErrorKind.HTTP_STATUS),
        (b"<html>Bad gateway</html>", 502, TransportErrorKind.HTTP_STATUS),
        (b"OK", 200, TransportErrorKind.NON_JSON_REPLY),
        (b'{"jsonrpc":"2.0","id":"r-1","result":{"da', 200, TransportErrorKind.TRUNCATED_REPLY),
        (b"[1,2]", 200, TransportErrorKind.INVALID_REPLY),
        (
            b'{"jsonrpc":"2.0","id":"other","result":{"data":{}}}',
            200,
            TransportErrorKind.INVALID_REPLY,
        ),
        (b'{"jsonrpc":"2.0","id":"r-1","result":{}}', 200, TransportErrorKind.INVALID_REPLY),
        (b'{"jsonrpc":"2.0","id":"r-1"}', 200, TransportErrorKind.INVALID_REPLY),
        (b'{"message":"upstream failed"}', 503, TransportErrorKind.HTTP_STATUS),
        (b"\xff\xfe garbage", 200, TransportErrorKind.NON_JSON_REPLY),
    ],
)
def test_malformed_replies_say_what_happened(
    body: bytes, status: int, kind: TransportErrorKind
) -> None:
    reply = parse_reply(body, status, "r-1")
    assert isinstance(reply, MalformedReply)
    assert reply.kind is kind
    assert reply.detail


@pytest.mark.parametrize("key", ["current_version_deprecated", "current_version_depricated"])
def test_deprecated_flag_under_both_spellings(key: str) -> None:
    meta = parse_metadata(
        {"api_version": {key: True, "current_version": "v4.0", "latest_version": "v4.1"}}
    )
    assert meta.version_deprecated
    assert meta.api_version is not None
    assert meta.api_version.latest_version == "v4.1"
    assert not parse_metadata({"api_version": {key: False}}).version_deprecated
    assert not parse_metadata({"limits": LIMITS}).version_deprecated


def test_numeric_request_id_echo_is_accepted() -> None:
    reply = parse_reply(b'{"jsonrpc":"2.0","id":17,"result":{"data":[]}}', 200, "17")
    assert isinstance(reply, SuccessReply)
