"""Registry of the 22 Call API methods: wire name -> models and behaviour flags.

The flags drive the client's policy:

* ``read_only`` - may be retried after a transport error (list.calls, list.talk_options only);
* ``starts_call`` - a start.* method: the client sends ``direction="out"`` and a unique
  ``external_id`` so that a call whose reply was lost can be found again in list.calls;
* ``in_call_action`` - acts on a live conversation; the points budget lets these through its
  reserve, so a list refresh can never starve a transfer;
* ``points`` - cost per request (minute and day counters). The docs show 1/1 for the methods whose
  cost is visible and nothing for the rest; we assume 1 everywhere (``points_documented`` says
  which figures are documented).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel

from api import models

__all__ = [
    "LOGIN_METHOD",
    "LOGOUT_METHOD",
    "METHODS",
    "Component",
    "MethodGroup",
    "MethodSpec",
    "get_method",
]

LOGIN_METHOD: Final = "login.user"
LOGOUT_METHOD: Final = "logout.user"


class Component(StrEnum):
    """Call API component a method belongs to (must be enabled for the account)."""

    BASIC_SET = "Basic set"
    CALL_MANAGEMENT = "Call management"
    INFORMER_CALL = "Informer call"
    SCENARIO_CALL = "Scenario call"


class MethodGroup(StrEnum):
    """Documentation section of a method."""

    AUTH = "auth"
    CREATE_CALL = "create_call"
    CALL_MANAGEMENT = "call_management"


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """Everything the client needs to know about one method."""

    name: str
    python_name: str
    params_model: type[BaseModel]
    result_model: type[BaseModel]
    component: Component
    group: MethodGroup
    read_only: bool = False
    starts_call: bool = False
    in_call_action: bool = False
    # Takes the client out of a state only a later action ends (unhold, restore, release): UIS
    # charges points only for successful requests, so the budget never refuses these locally.
    recovery_action: bool = False
    # Leaves the client in such a state (hold, make.call): sent only while the budget keeps the
    # points for a way out (see PointsBudget.acquire's ``exit_reserve``).
    leaves_call_waiting: bool = False
    points: int = 1
    points_documented: bool = False

    @property
    def requires_token(self) -> bool:
        """Every method but login.user carries params.access_token."""
        return self.name != LOGIN_METHOD

    @property
    def retry_safe(self) -> bool:
        """May be sent again after a transport error (only read-only methods)."""
        return self.read_only


# Where the params models live says which documentation section a method belongs to.
_GROUP_OF_MODULE: Final = {
    "api.models.auth": MethodGroup.AUTH,
    "api.models.create_call": MethodGroup.CREATE_CALL,
    "api.models.manage_call": MethodGroup.CALL_MANAGEMENT,
}


def _model(name: str) -> type[BaseModel]:
    model = getattr(models, name, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise LookupError(f"api.models has no model {name}")
    return model


def _spec(
    name: str,
    component: Component,
    *,
    read_only: bool = False,
    starts_call: bool = False,
    in_call_action: bool = False,
    recovery_action: bool = False,
    leaves_call_waiting: bool = False,
    points_documented: bool = False,
) -> MethodSpec:
    """The spec of ``name``; its models are found by name (hold.call -> HoldCallParams and
    HoldCallResult) and its group by the module they live in."""
    stem = "".join(part.capitalize() for part in name.replace(".", "_").split("_"))
    params_model = _model(f"{stem}Params")
    return MethodSpec(
        name=name,
        python_name=name.replace(".", "_"),
        params_model=params_model,
        result_model=_model(f"{stem}Result"),
        component=component,
        group=_GROUP_OF_MODULE[params_model.__module__],
        read_only=read_only,
        starts_call=starts_call,
        in_call_action=in_call_action,
        recovery_action=recovery_action,
        leaves_call_waiting=leaves_call_waiting,
        points_documented=points_documented,
    )


_BASIC = Component.BASIC_SET
_MANAGE = Component.CALL_MANAGEMENT

_ALL: Final = (
    _spec(LOGIN_METHOD, _BASIC, points_documented=True),
    _spec(LOGOUT_METHOD, _BASIC, points_documented=True),
    _spec("start.employee_call", _BASIC, starts_call=True, points_documented=True),
    _spec("start.scenario_call", Component.SCENARIO_CALL, starts_call=True, points_documented=True),
    _spec("start.vnumber_call", _BASIC, starts_call=True, points_documented=True),
    _spec("start.informer_call", Component.INFORMER_CALL, starts_call=True, points_documented=True),
    _spec("start.simple_call", _BASIC, starts_call=True),
    _spec(
        "make.call",
        _MANAGE,
        in_call_action=True,
        leaves_call_waiting=True,
        points_documented=True,
    ),
    _spec("transfer.talk", _MANAGE, in_call_action=True, points_documented=True),
    _spec(
        "restore.talk",
        _MANAGE,
        in_call_action=True,
        recovery_action=True,
        points_documented=True,
    ),
    _spec("hold.call", _MANAGE, in_call_action=True, leaves_call_waiting=True),
    _spec("unhold.call", _MANAGE, in_call_action=True, recovery_action=True),
    _spec("tag.call", _MANAGE, in_call_action=True),
    _spec("disconnect.leg", _MANAGE, in_call_action=True),
    _spec("add.coach", _MANAGE, in_call_action=True),
    _spec("record.call", _MANAGE, in_call_action=True),
    _spec("block.contact", _MANAGE, in_call_action=True),
    _spec("call.talk_option", _MANAGE, in_call_action=True),
    _spec("send.dtmf", _MANAGE, in_call_action=True),
    _spec("list.talk_options", _MANAGE, read_only=True),
    _spec("list.calls", _MANAGE, read_only=True),
    _spec("release.call", _BASIC, in_call_action=True, recovery_action=True),
)

METHODS: Final = MappingProxyType({spec.name: spec for spec in _ALL})
"""Wire method name (e.g. ``"hold.call"``) -> :class:`MethodSpec`."""


def get_method(name: str) -> MethodSpec | None:
    """The spec of a wire method name, or None when the method is not in the reference."""
    return METHODS.get(name)
