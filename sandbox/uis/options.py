"""Behaviour switches of the simulator, mostly for the points the reference marks *unknown*.

Each default is the behaviour we consider most likely on the live UIS server; the comment on
each field says why. Tests and demos flip them to check that a client copes with the
alternatives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

MetadataLocation = Literal["result", "envelope", "none"]
LegLabelLanguage = Literal["ru", "en"]
EarlySwitchingRule = Literal["uis", "callgear"]
StartTimeFormat = Literal["example", "table"]
SuccessFlagStyle = Literal["string", "boolean"]
ParameterCheckOrder = Literal["credentials_first", "parameters_first"]
NotificationValues = Literal["json", "raw"]
NotificationEmpty = Literal["null", "nothing"]
NotificationLists = Literal["array", "string"]

# Allowed values of the Literal options that are checked when options are built.
_CHOICES: dict[str, tuple[str, ...]] = {
    "notification_values": ("json", "raw"),
    "notification_empty": ("null", "nothing"),
    "notification_lists": ("array", "string"),
}


@dataclass
class SimulatorOptions:
    """Tunable behaviour of a :class:`~sandbox.uis.Simulator`."""

    # Seconds after which a ringing party answers by itself; None = only when told through the
    # control interface. Numbers listed in the account's contacts.never_answer never answer.
    auto_answer_seconds: float | None = None

    # How long a party rings before the attempt fails (call_failed). The reference gives 30 s as
    # the default dialing_timeout of start.informer_call; we use it for every ringing leg.
    dialing_timeout_seconds: float = 30.0

    # How long an informer call plays its message after the contact answers before hanging up.
    # The real length depends on the media file / TTS text, which the simulator cannot render.
    informer_playback_seconds: float = 5.0

    # Where metadata (limits) sits. Unknown in the Call API docs; the vendor's Data API puts it
    # at result.metadata on success and error.data.metadata on errors, so that is the default
    # ("result"). "envelope" = a top-level "metadata" member next to result/error. "none" = never.
    metadata_location: MetadataLocation = "result"

    # Language of list.calls legs[].state labels. Unknown on the wire (apparently localized);
    # a UIS (Russian) account most likely gets the Russian labels, as in the UIS example.
    leg_label_language: LegLabelLanguage = "ru"

    # Whether a leading '+' in phone numbers is refused (invalid_parameter_value). Unknown; every
    # documented example uses bare E.164 digits and list.calls says the number "must start with
    # 7", so a strict refusal is the most likely behaviour. False = strip the '+' and accept.
    refuse_plus_in_numbers: bool = True

    # Mnemonic/message for a call refused by the account's direction rules (e.g. international).
    # The docs give only the error group -32002; mnemonic and text are undocumented, so these are
    # our guess. Tests should branch on the code/group, not on this name.
    direction_refusal_mnemonic: str = "call_direction_forbidden"
    direction_refusal_message: str = "Calls in this direction are forbidden by the security rules"

    # early_switching=true constraint: the UIS/CoMagic RU docs allow it ONLY with
    # first_call=employee|operator and switch_at_once=true ("uis", the primary docs); the CallGear
    # EN docs allow it EXCEPT in that combination ("callgear").
    early_switching_rule: EarlySwitchingRule = "uis"

    # list.calls start_time: the docs' table says 'YYYY-MM-DD hh:mm:ss' while the example shows
    # '2016-10-19T12:26:48.418'. Examples are copied from real replies, so "example" is default.
    start_time_format: StartTimeFormat = "example"

    # data.success of call-management methods: the documented examples show the string "true"
    # (logout.user shows a JSON boolean, which the simulator always sends for logout.user).
    management_success: SuccessFlagStyle = "string"

    # Pretend v4.0 is deprecated: replies then carry metadata.api_version (RU docs spell the flag
    # current_version_depricated; we send the EN/Data API spelling current_version_deprecated).
    api_version_deprecated: bool = False

    # list.calls `data` with exactly one call in progress: the reference shows an array; a
    # public client's fixtures show the call object itself. True answers a lone call that way.
    single_call_as_object: bool = False

    # Which is refused first, a request with bad credentials or one with an undocumented
    # parameter (e.g. login.user with a wrong password and an extra parameter): auth_error or
    # unexpected_parameters. The reference documents no order. "credentials_first" follows
    # the docs' list of replies without metadata (credentials before limits before the
    # parameters); "parameters_first" checks parameter names right after the method.
    parameter_check_order: ParameterCheckOrder = "credentials_first"

    # Lifetime of a login.user session key (documented: 1 hour).
    session_lifetime_seconds: float = 3600.0

    # UTC offset of the account's local time: UIS accounts live on Moscow time (UTC+3, no DST),
    # which sets the daily points reset and list.calls start_time (which has no zone).
    utc_offset_hours: float = 3.0

    # How often the background ticker fires due events when the clock is a real clock.
    tick_interval_seconds: float = 0.05

    # How long after a recorded call ends its recording is ready (the call_recording_ready
    # event). Unknown; UIS needs some seconds to process a recording. 0 = at once.
    recording_ready_seconds: float = 5.0

    # How event notification templates render their {{placeholders}} (a subscription may
    # override each): "json" substitutes JSON-encoded values (strings arrive quoted; the guides
    # leave placeholders unquoted, which suggests this), "raw" inserts the text as it is.
    notification_values: NotificationValues = "json"
    # An empty value (no employee, no external_id): "null", or "nothing" (empty text).
    notification_empty: NotificationEmpty = "null"
    # leg_ids, employee_ids, tag_ids, tag_names: a JSON "array" or a "1,2" comma "string".
    notification_lists: NotificationLists = "array"
    # Seconds one notification POST may take before it counts as failed (never retried).
    notification_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {list(allowed)}")

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a JSON-compatible dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SimulatorOptions:
        """Build options from a dict, refusing unknown keys."""
        known = {field.name for field in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown simulator options: {sorted(unknown)}")
        return cls(**values)
