"""Facts about every documented error mnemonic: code group, retryable?, final for auth?

Branch on ``mnemonic``, never on the message text (RU and EN docs word messages differently). The
English ``explanation`` / ``action`` strings are defaults for logs and developers; the bot shows
its own translated texts keyed by mnemonic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "BATCH_NOT_SUPPORTED_MNEMONICS",
    "CODE_GROUPS",
    "MNEMONICS",
    "ErrorGroup",
    "MnemonicInfo",
    "describe_error",
    "group_for_code",
]


class ErrorGroup(StrEnum):
    """Error code groups of methods.json ``error_code_groups``."""

    PARSE_ERROR = "parse_error"  # -32700
    INVALID_REQUEST = "invalid_request"  # -32600
    METHOD_NOT_FOUND = "method_not_found"  # -32601
    INVALID_PARAMS = "invalid_params"  # -32602
    INTERNAL = "internal"  # -32603
    AUTH = "auth"  # -32001
    DIRECTION = "direction"  # -32002: direction security rules and blacklist
    FORBIDDEN = "forbidden"  # -32003: IP whitelist, user rights
    INVALID_STATE = "invalid_state"  # -32004
    VIRTUAL_NUMBER = "virtual_number"  # -32007
    COMPONENT = "component"  # -32008
    ACCOUNT = "account"  # -32009
    LIMITS = "limits"  # -32029
    UNSUPPORTED = "unsupported"  # -32099: batches, notifications
    UNKNOWN = "unknown"  # a code outside the documented groups


CODE_GROUPS: Final[Mapping[int, ErrorGroup]] = MappingProxyType(
    {
        -32700: ErrorGroup.PARSE_ERROR,
        -32600: ErrorGroup.INVALID_REQUEST,
        -32601: ErrorGroup.METHOD_NOT_FOUND,
        -32602: ErrorGroup.INVALID_PARAMS,
        -32603: ErrorGroup.INTERNAL,
        -32001: ErrorGroup.AUTH,
        -32002: ErrorGroup.DIRECTION,
        -32003: ErrorGroup.FORBIDDEN,
        -32004: ErrorGroup.INVALID_STATE,
        -32007: ErrorGroup.VIRTUAL_NUMBER,
        -32008: ErrorGroup.COMPONENT,
        -32009: ErrorGroup.ACCOUNT,
        -32029: ErrorGroup.LIMITS,
        -32099: ErrorGroup.UNSUPPORTED,
    }
)

# The RU docs spell it "opreations" (sic); the EN docs fix the typo. Wire value unknown.
BATCH_NOT_SUPPORTED_MNEMONICS: Final = frozenset(
    {"batch_opreations_not_supported", "batch_operations_not_supported"}
)


def group_for_code(code: int | None) -> ErrorGroup:
    """The documented group of an error code; UNKNOWN for anything else."""
    if code is None:
        return ErrorGroup.UNKNOWN
    return CODE_GROUPS.get(code, ErrorGroup.UNKNOWN)


@dataclass(frozen=True, slots=True)
class MnemonicInfo:
    """What an error means and what may be done about it.

    ``retryable``: the very same request may succeed later without changes (after the limit
    resets, after a server hiccup). Actions are still never re-sent automatically; this is advice
    for the user-facing layer. ``final_auth``: the credentials are dead and only a new key (or a
    correct password) helps. ``relogin``: a login.user session may log in again and resend once.
    """

    mnemonic: str
    group: ErrorGroup
    explanation: str
    action: str
    retryable: bool = False
    final_auth: bool = False
    relogin: bool = False


def _info(
    mnemonic: str,
    group: ErrorGroup,
    explanation: str,
    action: str,
    *,
    retryable: bool = False,
    final_auth: bool = False,
    relogin: bool = False,
) -> MnemonicInfo:
    return MnemonicInfo(mnemonic, group, explanation, action, retryable, final_auth, relogin)


_G = ErrorGroup
_TABLE: Final = (
    # Protocol level
    _info(
        "parse_error",
        _G.PARSE_ERROR,
        "The server could not parse the request JSON.",
        "A client bug; report it with the request id.",
    ),
    _info(
        "invalid_request",
        _G.INVALID_REQUEST,
        "The JSON-RPC envelope was invalid.",
        "A client bug; report it with the request id.",
    ),
    _info(
        "method_not_found",
        _G.METHOD_NOT_FOUND,
        "The method does not exist or is not available.",
        "Check the method name and the API version in the base URL.",
    ),
    _info(
        "batch_opreations_not_supported",
        _G.UNSUPPORTED,
        "Batch requests are not supported.",
        "Send one request at a time.",
    ),
    _info(
        "batch_operations_not_supported",
        _G.UNSUPPORTED,
        "Batch requests are not supported.",
        "Send one request at a time.",
    ),
    _info(
        "notifications_not_supported",
        _G.UNSUPPORTED,
        "JSON-RPC notifications (requests without id) are not supported.",
        "Send every request with an id.",
    ),
    # Authentication
    _info(
        "access_token_expired",
        _G.AUTH,
        "The permanent API key has expired.",
        "Generate a new API key in the UIS account (user settings, 'Access by key').",
        final_auth=True,
    ),
    _info(
        "access_token_blocked",
        _G.AUTH,
        "The permanent API key has been blocked.",
        "Generate a new API key in the UIS account or ask the administrator to unblock it.",
        final_auth=True,
    ),
    _info(
        "access_token_invalid",
        _G.AUTH,
        "The access token is unknown, or the one-hour login session has ended.",
        "Log in again (a login session does this automatically once); a permanent key must be"
        " replaced.",
        relogin=True,
    ),
    _info(
        "auth_error",
        _G.AUTH,
        "The login or password is wrong.",
        "Enter the correct Call API login and password.",
        final_auth=True,
    ),
    # Access rights
    _info(
        "ip_not_whitelisted",
        _G.FORBIDDEN,
        "The server's IP address is not in the Call API whitelist.",
        "Add the bot's IP address in the UIS account: Administrator -> Account -> Security"
        " (tab API).",
    ),
    _info(
        "forbidden",
        _G.FORBIDDEN,
        "Permission denied for this user or action.",
        "Ask the administrator for the 'Access to Call API' right, or do not switch off recording"
        " that is enabled globally.",
    ),
    # Account, component, limits
    _info(
        "account_inactive",
        _G.ACCOUNT,
        "The UIS account is disabled.",
        "Contact UIS support.",
    ),
    _info(
        "component_disabled",
        _G.COMPONENT,
        "The Call API component for this method is not enabled.",
        "Ask the administrator to enable the component in the UIS account.",
    ),
    _info(
        "limit_exceeded",
        _G.LIMITS,
        "The Call API points limit (per minute or per day) is used up.",
        "Wait until the limit resets.",
        retryable=True,
    ),
    # Server side
    _info(
        "internal_error",
        _G.INTERNAL,
        "Internal error on the UIS side.",
        "Try again later; if it repeats, contact UIS support with the request id and time.",
        retryable=True,
    ),
    # Parameter validation
    _info(
        "data_type_error",
        _G.INVALID_PARAMS,
        "A parameter had the wrong JSON type.",
        "A client bug; report it with the request id.",
    ),
    _info(
        "required_parameter_missed",
        _G.INVALID_PARAMS,
        "A required parameter was missing.",
        "A client bug; report it with the request id.",
    ),
    _info(
        "invalid_parameter_value",
        _G.INVALID_PARAMS,
        "A parameter value is not allowed or malformed.",
        "Check the value named in the error (for example the phone number).",
    ),
    _info(
        "unexpected_parameters",
        _G.INVALID_PARAMS,
        "The request carried a parameter the method does not define.",
        "A client bug; report it with the request id.",
    ),
    _info(
        "invalid_parameters_combination",
        _G.INVALID_PARAMS,
        "This combination of parameters is not permitted (early_switching).",
        "Change the call options (early switching / switch at once / who is called first).",
    ),
    _info(
        "character_encoding_not_allowed",
        _G.INVALID_PARAMS,
        "The text was not valid UTF-8.",
        "Re-enter the text.",
    ),
    _info(
        "call_session_not_found",
        _G.INVALID_PARAMS,
        "The call is over or unknown.",
        "Refresh the list of calls.",
    ),
    _info(
        "tts_text_exceeded",
        _G.INVALID_PARAMS,
        "The text-to-speech message is longer than the account allows.",
        "Shorten the message.",
    ),
    _info(
        "media_file_not_found",
        _G.INVALID_PARAMS,
        "The media file does not exist.",
        "Choose another media file.",
    ),
    _info(
        "employee_not_found",
        _G.INVALID_PARAMS,
        "The employee does not exist in the account.",
        "Check the employee id in the user's settings.",
    ),
    _info(
        "no_active_phone_number",
        _G.INVALID_PARAMS,
        "The employee's phone number does not exist or is not active.",
        "Activate a phone number for the employee in the UIS account.",
    ),
    _info(
        "own_virtual_phone_number_not_allowed",
        _G.INVALID_PARAMS,
        "The number to call is one of the account's own virtual numbers.",
        "Call a different number.",
    ),
    _info(
        "scenario_not_found",
        _G.INVALID_PARAMS,
        "The scenario does not exist (or the virtual number has no scenario).",
        "Choose another scenario or attach one to the virtual number.",
    ),
    _info("tag_not_found", _G.INVALID_PARAMS, "The tag does not exist.", "Choose another tag."),
    _info("duplicate_tag", _G.INVALID_PARAMS, "The call already has this tag.", "Nothing to do."),
    _info(
        "leg_not_found",
        _G.INVALID_PARAMS,
        "That participant is no longer in the call.",
        "Refresh the call.",
    ),
    _info(
        "coach_not_found",
        _G.INVALID_PARAMS,
        "No coach is configured.",
        "Give the coach's number or configure a coach in the UIS account.",
    ),
    _info(
        "record_already_started",
        _G.INVALID_PARAMS,
        "Recording is already on.",
        "Nothing to do.",
    ),
    _info(
        "record_already_stopped",
        _G.INVALID_PARAMS,
        "Recording is not on.",
        "Nothing to do.",
    ),
    _info(
        "duplicate_contact",
        _G.INVALID_PARAMS,
        "The number is already in the blacklist.",
        "Nothing to do.",
    ),
    _info(
        "talk_option_not_found",
        _G.INVALID_PARAMS,
        "No talk option is bound to that key.",
        "Refresh the talk options.",
    ),
    # Call state, numbers, direction rules
    _info(
        "invalid_state",
        _G.INVALID_STATE,
        "The call is not in a state that allows this action.",
        "Refresh the call and choose an action that fits its state.",
    ),
    _info(
        "virtual_phone_number_not_found",
        _G.VIRTUAL_NUMBER,
        "The virtual number is not rented by this account.",
        "Choose one of the account's virtual numbers.",
    ),
    _info(
        "contact_in_blacklist",
        _G.DIRECTION,
        "The number is in the account's blacklist.",
        "Remove it from the blacklist in the UIS account or call another number.",
    ),
    # -32002 violations of the direction rules have no documented mnemonic; "unknown" is what
    # methods.json records for them.
    _info(
        "unknown",
        _G.DIRECTION,
        "Calls in this direction are forbidden by the security rules.",
        "Ask the administrator to allow the direction (mobile / long-distance / international).",
    ),
)

MNEMONICS: Final[Mapping[str, MnemonicInfo]] = MappingProxyType(
    {info.mnemonic: info for info in _TABLE}
)

_GROUP_FALLBACK: Final[Mapping[ErrorGroup, tuple[str, str, bool]]] = MappingProxyType(
    {
        _G.DIRECTION: (
            "The call is forbidden by the account's security rules for this direction.",
            "Ask the administrator to allow the direction or call another number.",
            False,
        ),
        _G.AUTH: ("Authentication failed.", "Log in again or use a new API key.", False),
        _G.FORBIDDEN: ("Access denied.", "Check the user's rights and the IP whitelist.", False),
        _G.INVALID_STATE: ("The call is in the wrong state.", "Refresh the call.", False),
        _G.VIRTUAL_NUMBER: ("Virtual number problem.", "Check the virtual number.", False),
        _G.COMPONENT: ("A Call API component is disabled.", "Enable it in the account.", False),
        _G.ACCOUNT: ("Account problem.", "Contact UIS support.", False),
        _G.LIMITS: ("Points limit reached.", "Wait until the limit resets.", True),
        _G.INVALID_PARAMS: ("Invalid parameters.", "Check the values sent.", False),
        _G.INTERNAL: ("Internal error on the UIS side.", "Try again later.", True),
        _G.UNSUPPORTED: ("Unsupported JSON-RPC feature.", "A client bug.", False),
    }
)


def describe_error(mnemonic: str | None, code: int | None) -> MnemonicInfo:
    """Facts for a mnemonic; unknown mnemonics fall back to their code group."""
    if mnemonic is not None:
        known = MNEMONICS.get(mnemonic)
        # "unknown" is only meaningful inside the direction group it was recorded for.
        if known is not None and (mnemonic != "unknown" or group_for_code(code) is known.group):
            return known
    group = group_for_code(code)
    explanation, action, retryable = _GROUP_FALLBACK.get(
        group, ("Unexpected error from the Call API.", "Report it with the request id.", False)
    )
    return MnemonicInfo(
        mnemonic=mnemonic or "unknown",
        group=group,
        explanation=explanation,
        action=action,
        retryable=retryable,
    )
