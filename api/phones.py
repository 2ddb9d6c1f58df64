"""Phone-number normalisation: the one place that turns user input into Call API numbers.

The Call API shows E.164 digits WITHOUT '+' in every example (``74993720692``) and whether '+' is
accepted is unknown, so everything we send goes out as bare digits. Some parameters also accept a
SIP address (``contact``, ``make.call to``) or an internal extension (``employee.phone_number``,
``make.call to``); callers opt into those forms per field.

Interpretation of bare digits (no '+'):
1. as a number of the default region (RU by default: ``9991234567``, ``89991234567`` and
   ``79991234567`` all mean +7 999 123-45-67);
2. with at least 11 digits, as full international digits without '+' (``442071234567`` =
   +44 20 7123 4567), which is the form the docs use.
A reading libphonenumber knows as assigned (``is_valid_number``) is preferred; failing that, any
*possible* number (its length fits the country's plan) is accepted: the Call API takes E.164
digits, ranges are added faster than libphonenumber learns them (a CallGear UAE virtual number
9712xxxxxxx), and whether a number exists is for UIS to say. Anything else is rejected with
:class:`InvalidPhoneNumberError` naming the field. Finding numbers in free text
(:func:`find_phone_numbers`) stays strict: there an INN or an order number must not look like
a phone.
"""

from __future__ import annotations

import contextlib
import re
from enum import StrEnum
from typing import Final

import phonenumbers

__all__ = [
    "DEFAULT_REGION",
    "InvalidPhoneNumberError",
    "PhoneKind",
    "classify_dial_target",
    "find_phone_numbers",
    "is_phone_number",
    "normalize_phone",
]

DEFAULT_REGION: Final = "RU"

# Longest input we even look at; real numbers with formatting are far shorter.
_MAX_INPUT_LENGTH: Final = 64
# E.164 allows at most 15 digits; fewer than 7 cannot be a subscriber number anywhere we call.
_MIN_DIGITS: Final = 7
_MAX_DIGITS: Final = 15
# Internal (extension) numbers of the virtual PBX are short; UIS shows 2-6 digit extensions.
_EXTENSION_RE: Final = re.compile(r"\d{2,6}")
# Characters people type around phone digits: spaces (incl. non-breaking/thin), brackets, dashes,
# dots and a leading '+'.
_PHONE_CHARS_RE: Final = re.compile(r"[\d\s+().\-\u00a0\u2009\u202f]+")
_NON_DIGITS_RE: Final = re.compile(r"\D")
# sip:user@host[:port], user@host[:port] or sip:user. The user part of UIS SIP lines is usually a
# numeric login; we keep the address exactly as given (minus surrounding spaces).
_SIP_RE: Final = re.compile(
    r"(?:sip:)?[A-Za-z0-9._~+\-]+@[A-Za-z0-9.\-]+(?::\d{1,5})?|sip:[A-Za-z0-9._~+\-]+",
    re.IGNORECASE,
)
# Words that, right before a digit run in free text, mean "this is not a phone number".
_NOT_A_PHONE_PREFIX_RE: Final = re.compile(
    r"(?:инн|inn|огрн|ogrn|кпп|kpp|бик|bik|снилс|окпо|заказ\w*|order|счет\w*|счёт\w*|invoice|"
    r"договор\w*|contract|№|#|no\.)\s*[:.]?\s*$",
    re.IGNORECASE,
)
_PREFIX_WINDOW: Final = 24


class PhoneKind(StrEnum):
    """What kind of dial target a normalised value is."""

    E164 = "e164"
    SIP = "sip"
    EXTENSION = "extension"


class InvalidPhoneNumberError(ValueError):
    """A value is not an acceptable phone number for the field it was given for."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")


def _digits_to_number(digits: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Interpret bare digits: national form first, then international without '+'.

    A reading libphonenumber knows as assigned wins over a merely possible one, so a valid
    number keeps its usual meaning; a possible one (a new range, a CallGear virtual number
    libphonenumber does not list yet) is still accepted: UIS says whether it exists.
    """
    readings: list[phonenumbers.PhoneNumber] = []
    with contextlib.suppress(phonenumbers.NumberParseException):
        readings.append(phonenumbers.parse(digits, region))
    if len(digits) >= 11:
        with contextlib.suppress(phonenumbers.NumberParseException):
            readings.append(phonenumbers.parse("+" + digits, None))
    for acceptable in (phonenumbers.is_valid_number, _is_possible):
        for number in readings:
            if acceptable(number):
                return number
    return None


def _is_possible(number: phonenumbers.PhoneNumber) -> bool:
    """The length fits a numbering plan of a real country (libphonenumber's "possible")."""
    if number.country_code is None:
        return False
    region = phonenumbers.region_code_for_country_code(number.country_code)
    return region != phonenumbers.UNKNOWN_REGION and phonenumbers.is_possible_number(number)


def _e164_digits(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def classify_dial_target(
    value: object,
    *,
    field: str = "phone",
    region: str = DEFAULT_REGION,
    allow_sip: bool = False,
    allow_extension: bool = False,
) -> tuple[PhoneKind, str]:
    """Normalise ``value`` and say what it is.

    Returns ``(kind, normalised)``: E.164 numbers as digits without '+', extensions as digits,
    SIP addresses as given (trimmed). Raises :class:`InvalidPhoneNumberError` naming ``field``.
    """
    if not isinstance(value, str):
        raise InvalidPhoneNumberError(field, value, "must be a string")
    text = value.strip()
    if not text:
        raise InvalidPhoneNumberError(field, value, "is empty")
    if len(text) > _MAX_INPUT_LENGTH:
        raise InvalidPhoneNumberError(field, value, "is too long to be a phone number")
    if allow_sip and _SIP_RE.fullmatch(text):
        return PhoneKind.SIP, text
    if allow_extension and _EXTENSION_RE.fullmatch(text):
        return PhoneKind.EXTENSION, text
    if not _PHONE_CHARS_RE.fullmatch(text):
        raise InvalidPhoneNumberError(
            field, value, "contains characters that are not part of a phone number"
        )
    if "+" in text[1:]:
        raise InvalidPhoneNumberError(field, value, "'+' is only allowed at the start")
    digits = _NON_DIGITS_RE.sub("", text)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        raise InvalidPhoneNumberError(
            field, value, f"must have {_MIN_DIGITS}-{_MAX_DIGITS} digits, has {len(digits)}"
        )
    number: phonenumbers.PhoneNumber | None
    if text.startswith("+"):
        try:
            number = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and not _is_possible(number):
            number = None
    else:
        number = _digits_to_number(digits, region)
    if number is None:
        raise InvalidPhoneNumberError(
            field, value, f"is not a possible phone number (default region {region})"
        )
    normalised = _e164_digits(number)
    if not _MIN_DIGITS <= len(normalised) <= _MAX_DIGITS:
        # libphonenumber drops a national prefix after the country code ("+98 00000" is
        # 98 + "0000"): what is left is too short to dial.
        raise InvalidPhoneNumberError(
            field, value, f"is not a possible phone number (default region {region})"
        )
    return PhoneKind.E164, normalised


def normalize_phone(
    value: object,
    *,
    field: str = "phone",
    region: str = DEFAULT_REGION,
    allow_sip: bool = False,
    allow_extension: bool = False,
) -> str:
    """Return the Call API form of a phone number: E.164 digits without '+'.

    ``"+7 (999) 123-45-67"``, ``"8 999 123 45 67"`` and ``"9991234567"`` all give
    ``"79991234567"``. With ``allow_sip``/``allow_extension`` a SIP address or a short internal
    number is passed through. Raises :class:`InvalidPhoneNumberError` (a ``ValueError``) naming
    ``field`` for anything else.
    """
    return classify_dial_target(
        value, field=field, region=region, allow_sip=allow_sip, allow_extension=allow_extension
    )[1]


def is_phone_number(value: object, *, region: str = DEFAULT_REGION) -> bool:
    """True when ``value`` normalises to an E.164 number."""
    try:
        normalize_phone(value, region=region)
    except InvalidPhoneNumberError:
        return False
    return True


def find_phone_numbers(text: str, *, region: str = DEFAULT_REGION) -> list[str]:
    """Find phone numbers in free text; return them normalised, de-duplicated, in order.

    Uses libphonenumber's matcher (valid numbers only), so INNs, order numbers and dates are not
    picked up; digit runs introduced by words such as "ИНН", "заказ", "order", "№" are skipped too.
    """
    found: list[str] = []
    seen: set[str] = set()
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        before = text[max(0, match.start - _PREFIX_WINDOW) : match.start]
        if _NOT_A_PHONE_PREFIX_RE.search(before):
            continue
        normalised = _e164_digits(match.number)
        if normalised not in seen:
            seen.add(normalised)
            found.append(normalised)
    return found
