"""login.user and logout.user."""

from __future__ import annotations

from pydantic import Field, StrictInt, StrictStr

from api.models.common import ParamsModel, ResultModel, SuccessResult

__all__ = [
    "LoginUserParams",
    "LoginUserResult",
    "LogoutUserParams",
    "LogoutUserResult",
]


class LoginUserParams(ParamsModel):
    """login.user: exchange a login and password for a one-hour session key."""

    login: StrictStr = Field(min_length=1)
    # repr=False and the base class hide_input_in_errors keep the password out of logs.
    password: StrictStr = Field(min_length=1, repr=False)


class LoginUserResult(ResultModel):
    """The session key and its expiry (Unix timestamp, seconds)."""

    access_token: StrictStr = Field(repr=False)
    expire_at: StrictInt | float


class LogoutUserParams(ParamsModel):
    """logout.user: delete a login.user session key (never a permanent key)."""

    access_token: StrictStr = Field(min_length=1, repr=False)


class LogoutUserResult(SuccessResult):
    """``{"success": true}`` (boolean in the docs example)."""
