"""The simulated UIS account: users, keys, employees, numbers, scenarios, limits, rules.

An account is plain data loaded from JSON (see ``data/demo_account.json`` and the README for the
format). Runtime state that the API changes (the blacklist via block.contact) lives in the
account too, so the control interface can inspect and patch it like any other account setting.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

DEMO_CATALOG_RESOURCE = "demo_catalog.json"
DEMO_ACCOUNT_RESOURCE = "demo_account.json"


class AccountError(ValueError):
    """The account document is malformed."""


@dataclass
class User:
    """A personal-account user allowed (or not) to use the Call API."""

    login: str
    password: str = field(repr=False)
    employee_id: int | None = None
    call_api_access: bool = True


@dataclass
class PermanentKey:
    """A permanent access key ('Access by key' in the user settings)."""

    key: str = field(repr=False)
    login: str
    expires_at: float | None = None  # Unix seconds; None = no end date
    blocked: bool = False


@dataclass
class EmployeePhone:
    """One of an employee's phone numbers and whether it is 'Active'."""

    number: str
    active: bool = True


@dataclass
class Employee:
    """An employee of the account (get.employees in the Data API)."""

    id: int
    full_name: str
    phone_numbers: list[EmployeePhone]
    extension: str | None = None
    coach_employee_id: int | None = None
    # 'Record calls' switched on in the employee settings: record.call cannot turn it off.
    record_all_calls: bool = False

    def active_numbers(self) -> list[str]:
        """The employee's numbers in 'Active' status, in configured order."""
        return [phone.number for phone in self.phone_numbers if phone.active]


@dataclass
class VirtualNumber:
    """A rented virtual number and the scenario attached to it (None = no scenario)."""

    number: str
    scenario_id: int | None = None


@dataclass
class Scenario:
    """A PBX scenario; employee_ids is its forwarding list, rung one after another."""

    id: int
    name: str
    employee_ids: list[int] = field(default_factory=list)


@dataclass
class MediaFile:
    """A user or system audio file."""

    id: int
    name: str


@dataclass
class Tag:
    """A tag that can be put on calls."""

    id: int
    name: str


@dataclass
class TalkOption:
    """A talk option: the key the operator presses and what it does."""

    button: str
    mnemonic: str
    name: str
    button_value: dict[str, Any] | None = None  # {"id": ..., "value": ...} of a bound object


@dataclass
class Limits:
    """Tariff limits: Call API points per minute/day and the TTS message length."""

    points_per_minute: int
    points_per_day: int
    tts_message_max_length: int


@dataclass
class DirectionRules:
    """Call direction security rules (Account -> Security rules -> API)."""

    mobile: bool = True
    long_distance: bool = True
    international: bool = False  # forbidden by default per the docs


@dataclass
class Account:
    """Everything the simulator knows about the one account it serves."""

    name: str
    active: bool
    components: list[str]
    ip_whitelist: list[str]
    limits: Limits
    direction_rules: DirectionRules
    users: list[User]
    permanent_keys: list[PermanentKey]
    employees: list[Employee]
    virtual_numbers: list[VirtualNumber]
    scenarios: list[Scenario]
    media_files: list[MediaFile]
    tags: list[Tag]
    talk_options: list[TalkOption]
    blacklist: list[str] = field(default_factory=list)
    never_answer: list[str] = field(default_factory=list)

    # -- lookups ---------------------------------------------------------------------------

    def user(self, login: str) -> User | None:
        """The user with this login."""
        return next((user for user in self.users if user.login == login), None)

    def permanent_key(self, key: str) -> PermanentKey | None:
        """The permanent key with this value."""
        return next((entry for entry in self.permanent_keys if entry.key == key), None)

    def employee(self, employee_id: int) -> Employee | None:
        """The employee with this id."""
        return next((emp for emp in self.employees if emp.id == employee_id), None)

    def employee_by_number(self, number: str) -> Employee | None:
        """The employee owning this phone number or extension (active or not)."""
        for emp in self.employees:
            if emp.extension == number or any(p.number == number for p in emp.phone_numbers):
                return emp
        return None

    def virtual_number(self, number: str) -> VirtualNumber | None:
        """The rented virtual number, if rented."""
        return next((vn for vn in self.virtual_numbers if vn.number == number), None)

    def scenario(self, scenario_id: int) -> Scenario | None:
        """The scenario with this id."""
        return next((sc for sc in self.scenarios if sc.id == scenario_id), None)

    def media_file(self, media_id: int) -> MediaFile | None:
        """The media file with this id."""
        return next((mf for mf in self.media_files if mf.id == media_id), None)

    def tag(self, tag_id: int) -> Tag | None:
        """The tag with this id."""
        return next((tag for tag in self.tags if tag.id == tag_id), None)

    def talk_option(self, button: str) -> TalkOption | None:
        """The talk option bound to this key."""
        return next((opt for opt in self.talk_options if opt.button == button), None)

    def ip_allowed(self, ip: str) -> bool:
        """Whether ``ip`` is covered by the whitelist (addresses or CIDR networks)."""
        try:
            address = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        for entry in self.ip_whitelist:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False

    # -- (de)serialisation -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The account as a JSON document (the same format :func:`load_account` reads)."""
        return {
            "name": self.name,
            "active": self.active,
            "components": list(self.components),
            "ip_whitelist": list(self.ip_whitelist),
            "limits": {
                "points_per_minute": self.limits.points_per_minute,
                "points_per_day": self.limits.points_per_day,
                "tts_message_max_length": self.limits.tts_message_max_length,
            },
            "direction_rules": {
                "mobile": self.direction_rules.mobile,
                "long_distance": self.direction_rules.long_distance,
                "international": self.direction_rules.international,
            },
            "users": [
                {
                    "login": u.login,
                    "password": u.password,
                    "employee_id": u.employee_id,
                    "call_api_access": u.call_api_access,
                }
                for u in self.users
            ],
            "permanent_keys": [
                {
                    "key": k.key,
                    "login": k.login,
                    "expires_at": _format_time(k.expires_at),
                    "blocked": k.blocked,
                }
                for k in self.permanent_keys
            ],
            "employees": [
                {
                    "id": e.id,
                    "full_name": e.full_name,
                    "extension": e.extension,
                    "phone_numbers": [
                        {"number": p.number, "active": p.active} for p in e.phone_numbers
                    ],
                    "coach_employee_id": e.coach_employee_id,
                    "record_all_calls": e.record_all_calls,
                }
                for e in self.employees
            ],
            "virtual_numbers": [
                {"number": v.number, "scenario_id": v.scenario_id} for v in self.virtual_numbers
            ],
            "scenarios": [
                {"id": s.id, "name": s.name, "employee_ids": list(s.employee_ids)}
                for s in self.scenarios
            ],
            "media_files": [{"id": m.id, "name": m.name} for m in self.media_files],
            "tags": [{"id": t.id, "name": t.name} for t in self.tags],
            "talk_options": [
                {
                    "button": o.button,
                    "mnemonic": o.mnemonic,
                    "name": o.name,
                    "button_value": copy.deepcopy(o.button_value),
                }
                for o in self.talk_options
            ],
            "blacklist": list(self.blacklist),
            "contacts": {"never_answer": list(self.never_answer)},
        }

    @classmethod
    def from_json(cls, doc: Any) -> Account:
        """Parse and check an account document; raises :class:`AccountError` when malformed."""
        try:
            return _parse_account(doc)
        except AccountError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise AccountError(f"malformed account document: {type(exc).__name__}: {exc}") from exc

    def copy(self) -> Account:
        """A deep, independent copy."""
        return Account.from_json(self.to_json())


def _format_time(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")


def _parse_time(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise AccountError("expires_at must be an ISO 8601 string, a Unix timestamp or null")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise AccountError(f"expires_at {value!r} needs a time zone (e.g. Z)")
        return parsed.timestamp()
    raise AccountError("expires_at must be an ISO 8601 string, a Unix timestamp or null")


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise AccountError(f"{what} must be a string")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AccountError(f"{what} must be an integer")
    return value


def _opt_int(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise AccountError(f"{what} must be true or false")
    return value


def _parse_account(doc: Any) -> Account:
    if not isinstance(doc, dict):
        raise AccountError("an account document is a JSON object")
    limits = doc["limits"]
    rules = doc.get("direction_rules", {})
    contacts = doc.get("contacts", {})
    account = Account(
        name=_str(doc["name"], "name"),
        active=_bool(doc.get("active", True), "active"),
        components=[_str(c, "components[]") for c in doc["components"]],
        ip_whitelist=[_str(ip, "ip_whitelist[]") for ip in doc["ip_whitelist"]],
        limits=Limits(
            points_per_minute=_int(limits["points_per_minute"], "limits.points_per_minute"),
            points_per_day=_int(limits["points_per_day"], "limits.points_per_day"),
            tts_message_max_length=_int(
                limits["tts_message_max_length"], "limits.tts_message_max_length"
            ),
        ),
        direction_rules=DirectionRules(
            mobile=_bool(rules.get("mobile", True), "direction_rules.mobile"),
            long_distance=_bool(rules.get("long_distance", True), "direction_rules.long_distance"),
            international=_bool(rules.get("international", False), "direction_rules.international"),
        ),
        users=[
            User(
                login=_str(u["login"], "users[].login"),
                password=_str(u["password"], "users[].password"),
                employee_id=_opt_int(u.get("employee_id"), "users[].employee_id"),
                call_api_access=_bool(u.get("call_api_access", True), "users[].call_api_access"),
            )
            for u in doc.get("users", [])
        ],
        permanent_keys=[
            PermanentKey(
                key=_str(k["key"], "permanent_keys[].key"),
                login=_str(k["login"], "permanent_keys[].login"),
                expires_at=_parse_time(k.get("expires_at")),
                blocked=_bool(k.get("blocked", False), "permanent_keys[].blocked"),
            )
            for k in doc.get("permanent_keys", [])
        ],
        employees=[
            Employee(
                id=_int(e["id"], "employees[].id"),
                full_name=_str(e["full_name"], "employees[].full_name"),
                extension=None if e.get("extension") is None else _str(e["extension"], "extension"),
                phone_numbers=[
                    EmployeePhone(
                        number=_str(p["number"], "phone_numbers[].number"),
                        active=_bool(p.get("active", True), "phone_numbers[].active"),
                    )
                    for p in e.get("phone_numbers", [])
                ],
                coach_employee_id=_opt_int(e.get("coach_employee_id"), "coach_employee_id"),
                record_all_calls=_bool(e.get("record_all_calls", False), "record_all_calls"),
            )
            for e in doc.get("employees", [])
        ],
        virtual_numbers=[
            VirtualNumber(
                number=_str(v["number"], "virtual_numbers[].number"),
                scenario_id=_opt_int(v.get("scenario_id"), "virtual_numbers[].scenario_id"),
            )
            for v in doc.get("virtual_numbers", [])
        ],
        scenarios=[
            Scenario(
                id=_int(s["id"], "scenarios[].id"),
                name=_str(s["name"], "scenarios[].name"),
                employee_ids=[_int(i, "scenarios[].employee_ids[]") for i in s["employee_ids"]],
            )
            for s in doc.get("scenarios", [])
        ],
        media_files=[
            MediaFile(id=_int(m["id"], "media_files[].id"), name=_str(m["name"], "name"))
            for m in doc.get("media_files", [])
        ],
        tags=[
            Tag(id=_int(t["id"], "tags[].id"), name=_str(t["name"], "tags[].name"))
            for t in doc.get("tags", [])
        ],
        talk_options=[
            TalkOption(
                button=_str(o["button"], "talk_options[].button"),
                mnemonic=_str(o["mnemonic"], "talk_options[].mnemonic"),
                name=_str(o["name"], "talk_options[].name"),
                button_value=_parse_button_value(o.get("button_value")),
            )
            for o in doc.get("talk_options", [])
        ],
        blacklist=[_str(n, "blacklist[]") for n in doc.get("blacklist", [])],
        never_answer=[_str(n, "contacts.never_answer[]") for n in contacts.get("never_answer", [])],
    )
    for login in {key.login for key in account.permanent_keys}:
        if account.user(login) is None:
            raise AccountError(f"permanent key of unknown user {login!r}")
    return account


def _parse_button_value(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise AccountError("talk_options[].button_value must be an object or null")
    return {"id": _int(value["id"], "button_value.id"), "value": _str(value["value"], "value")}


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def load_account(path: str | Path) -> Account:
    """Load an account from a JSON file (format: see sandbox/uis/README.md)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccountError(f"{path}: not valid JSON: {exc}") from exc
    return Account.from_json(doc)


def demo_account() -> Account:
    """A fresh copy of the built-in demo account ("Demo Sales", see the team's common facts)."""
    text = resources.files("sandbox.uis").joinpath("data", DEMO_ACCOUNT_RESOURCE).read_text("utf-8")
    return Account.from_json(json.loads(text))


def demo_catalog_bytes() -> bytes:
    """The bot's catalog file (JSON) matching the built-in demo account: the sandbox imports it."""
    return resources.files("sandbox.uis").joinpath("data", DEMO_CATALOG_RESOURCE).read_bytes()
