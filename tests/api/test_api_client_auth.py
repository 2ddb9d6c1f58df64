"""Permanent keys and login sessions: final errors, one re-login, no dead-token retries."""

from __future__ import annotations

import asyncio

import pytest
from callapi_testkit import (
    BLOCKED_KEY,
    EXPIRED_KEY,
    MANAGER_KEY,
    MANAGER_LOGIN,
    MANAGER_PASSWORD,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.credentials import (
    CredentialKind,
    LoginFunction,
    LoginSessionCredentials,
    PermanentKeyCredentials,
)
from api.errors import AuthError, CredentialsUnavailableError, PermanentKeyLogoutError
from api.observer import AttemptOutcome, AttemptTrigger

SESSION_SECONDS = 3600


def _methods(world: World) -> list[str]:
    return [str(r["method"]) for r in world.requests()]


async def test_permanent_key_works_without_login(world: World) -> None:
    user = world.keyed()
    await user.list_calls()
    assert _methods(world) == ["list.calls"]


@pytest.mark.parametrize(
    ("key", "mnemonic"),
    [(EXPIRED_KEY, "access_token_expired"), (BLOCKED_KEY, "access_token_blocked")],
)
async def test_expired_or_blocked_key_is_final(world: World, key: str, mnemonic: str) -> None:
    user = world.keyed(key)
    with pytest.raises(AuthError) as caught:
        await user.list_calls()
    error = caught.value
    assert error.mnemonic == mnemonic
    assert error.final
    assert "new API key" in error.info.action
    assert error.metadata.limits is None  # auth errors carry no metadata (documented)
    assert _methods(world) == ["list.calls"]  # no retry, no login attempt


async def test_unknown_permanent_key_is_final(world: World) -> None:
    user = world.keyed("demo-key-unknown-9999")
    with pytest.raises(AuthError) as caught:
        await user.list_calls()
    assert caught.value.mnemonic == "access_token_invalid"
    assert caught.value.final
    assert _methods(world) == ["list.calls"]


async def test_logout_with_a_permanent_key_is_refused_locally(world: World) -> None:
    user = world.keyed()
    with pytest.raises(PermanentKeyLogoutError):
        await user.logout_user()
    with pytest.raises(PermanentKeyLogoutError):
        await user.call("logout.user")
    assert _methods(world) == []


async def test_wrong_password_is_final(world: World) -> None:
    user = world.client.bind(LoginSessionCredentials(MANAGER_LOGIN, "wrong-password"))
    with pytest.raises(AuthError) as caught:
        await user.list_calls()
    assert caught.value.mnemonic == "auth_error"
    assert caught.value.final
    assert "wrong-password" not in str(caught.value)
    assert _methods(world) == ["login.user"]


async def test_expired_session_logs_in_again_once_and_resends(world: World) -> None:
    # Real clocks on our side: the provider believes its token is fresh; the server disagrees.
    user = world.client.bind(LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD))
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS + 1)
    reply = await user.list_calls()
    assert reply.attempts == 2
    assert _methods(world) == ["login.user", "list.calls", "list.calls", "login.user", "list.calls"]
    outcomes = [(r.method, r.outcome, r.trigger, r.mnemonic) for r in world.records]
    assert outcomes[2] == (
        "list.calls",
        AttemptOutcome.API_ERROR,
        AttemptTrigger.FIRST,
        "access_token_invalid",
    )
    assert outcomes[4] == ("list.calls", AttemptOutcome.OK, AttemptTrigger.RELOGIN, None)
    assert len(world.sim.control.sessions()) == 1  # the expired one is gone, the new one lives


async def test_session_is_renewed_before_it_expires(world: World) -> None:
    user = world.manager()  # the provider reads the simulator's clock
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS - 30)  # inside the renewal margin
    await user.list_calls()
    assert _methods(world) == ["login.user", "list.calls", "login.user", "list.calls"]
    assert all(r.outcome is AttemptOutcome.OK for r in world.records)


async def test_concurrent_rejections_share_one_login(world: World) -> None:
    user = world.client.bind(LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD))
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS + 1)
    replies = await asyncio.gather(*(user.list_talk_options() for _ in range(5)))
    assert all(len(reply.data) == 4 for reply in replies)
    assert _methods(world).count("login.user") == 2


async def test_session_without_password_cannot_renew(world: World) -> None:
    login = await world.client.login_user(login=MANAGER_LOGIN, password=MANAGER_PASSWORD)
    credentials = LoginSessionCredentials(
        MANAGER_LOGIN, access_token=login.data.access_token, expire_at=login.data.expire_at
    )
    assert not credentials.holds_password
    user = world.client.bind(credentials)
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS + 1)
    with pytest.raises(AuthError) as caught:
        await user.list_calls()
    assert caught.value.mnemonic == "access_token_invalid"
    assert caught.value.final
    with pytest.raises(CredentialsUnavailableError):
        await user.list_calls()  # refused locally: nothing left to send
    assert _methods(world) == ["login.user", "list.calls", "list.calls"]


class RecordingProvider:
    """A login session whose renewal hands out a token the server does not know."""

    def __init__(self) -> None:
        self.inner = LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD)
        self.rejected: list[str] = []

    @property
    def kind(self) -> CredentialKind:
        return CredentialKind.LOGIN_SESSION

    @property
    def holds_password(self) -> bool:
        return True

    async def get_token(self, login: LoginFunction) -> str:
        return await self.inner.get_token(login)

    async def renew_token(self, rejected_token: str, login: LoginFunction) -> str | None:
        self.rejected.append(rejected_token)
        return f"bogus-{len(self.rejected)}"

    async def discard_token(self, token: str) -> None:
        await self.inner.discard_token(token)


async def test_relogin_happens_at_most_once_per_call(world: World) -> None:
    provider = RecordingProvider()
    user = world.client.bind(provider)
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS + 1)
    with pytest.raises(AuthError) as caught:
        await user.list_calls()
    assert caught.value.final
    assert len(provider.rejected) == 1  # the dead token was reported once, never re-sent
    assert not provider.rejected[0].startswith("bogus")
    assert _methods(world) == ["login.user", "list.calls", "list.calls", "list.calls"]


async def test_logout_ends_the_session(world: World) -> None:
    credentials = LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD)
    user = world.client.bind(credentials)
    await user.list_calls()
    assert (await user.logout_user()).data.success
    assert world.sim.control.sessions() == []


def test_reprs_hide_secrets() -> None:
    key = PermanentKeyCredentials(MANAGER_KEY)
    session = LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD, access_token="tok-123")
    assert MANAGER_KEY not in repr(key)
    assert MANAGER_PASSWORD not in repr(session)
    assert "tok-123" not in repr(session)
