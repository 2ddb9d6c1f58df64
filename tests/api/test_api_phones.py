"""Phone normaliser and free-text phone finder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.phones import (
    InvalidPhoneNumberError,
    PhoneKind,
    classify_dial_target,
    find_phone_numbers,
    is_phone_number,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 (999) 123-45-67", "79991234567"),
        ("8 999 123-45-67", "79991234567"),
        ("8 (999) 123 45 67", "79991234567"),
        ("9991234567", "79991234567"),
        ("79991234567", "79991234567"),
        ("+79991234567", "79991234567"),
        ("  7 999 123 45 67 ", "79991234567"),
        ("8 (495) 123-45-67", "74951234567"),
        ("74993720692", "74993720692"),
        ("+44 20 7123 4567", "442071234567"),
        ("442071234567", "442071234567"),
        ("7\u00a0999\u00a0123\u00a045\u00a067", "79991234567"),
    ],
)
def test_normalises_to_e164_digits(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "500100732259",  # a 12-digit INN: no country's plan has such a number
        "123456",  # an order number
        "12345678",
        "",
        "   ",
        "+7 999 123-45-6",  # one digit short
        "79991234567890123",  # too long
        "8-800-FLOWERS",
        "+7 999 +123 45 67",
        "phone: 79991234567",
    ],
)
def test_rejects_what_is_not_a_phone(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumberError) as caught:
        normalize_phone(raw, field="contact")
    assert caught.value.field == "contact"
    assert str(caught.value).startswith("contact: ")
    assert not is_phone_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # CallGear UAE virtual numbers: E.164 digits without '+', as the Call API takes them.
        ("97121234567", "97121234567"),
        ("+971 2 123 4567", "97121234567"),
        # A possible Russian number libphonenumber does not know as assigned (a new range):
        # whether it exists is for UIS to say, not for the client to refuse.
        ("7707083893", "77707083893"),
        ("+7 770 708 38 93", "77707083893"),
    ],
)
def test_accepts_every_possible_number_not_only_known_ranges(raw: str, expected: str) -> None:
    assert normalize_phone(raw, field="contact") == expected


def test_free_text_still_offers_only_assigned_numbers() -> None:
    # The chat's finder stays strict: an INN in a message is not offered as a call.
    assert find_phone_numbers("ИНН 7707083893") == []
    assert find_phone_numbers("7707083893") == []


def test_rejects_non_strings_naming_the_field() -> None:
    with pytest.raises(InvalidPhoneNumberError, match=r"^operator: must be a string"):
        normalize_phone(79991234567, field="operator")


def test_default_region_is_configurable() -> None:
    # Kazakhstan shares +7; its national form works with region KZ.
    assert normalize_phone("7012345678", region="KZ") == "77012345678"
    # A UK national number only makes sense with region GB.
    assert normalize_phone("020 7123 4567", region="GB") == "442071234567"
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone("020 7123 4567", region="RU")


def test_sip_and_extension_only_where_allowed() -> None:
    assert classify_dial_target("sip:0123456@uiscom.ru", allow_sip=True) == (
        PhoneKind.SIP,
        "sip:0123456@uiscom.ru",
    )
    assert classify_dial_target("101", allow_extension=True) == (PhoneKind.EXTENSION, "101")
    assert classify_dial_target("8 999 123 45 67", allow_sip=True, allow_extension=True) == (
        PhoneKind.E164,
        "79991234567",
    )
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone("sip:0123456@uiscom.ru")
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone("101")
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone("101", allow_sip=True)


def test_finds_numbers_in_free_text() -> None:
    text = (
        "Перезвоните клиенту +7 (999) 123-45-67 или 8 916 000 01 00. ИНН 7707083893, "
        "заказ № 9031234567, заказ 123456789, номер 79037654321 и ещё раз 89991234567."
    )
    assert find_phone_numbers(text) == ["79991234567", "79160000100", "79037654321"]


def test_finds_nothing_in_text_without_numbers() -> None:
    assert find_phone_numbers("Счёт 2016-10-19, ИНН 500100732259, сумма 12 345 руб.") == []


PHONE_ALPHABET = st.sampled_from(list("0123456789 +-()."))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=PHONE_ALPHABET, min_size=0, max_size=24))
def test_normaliser_never_returns_plus_or_non_digits(raw: str) -> None:
    try:
        result = normalize_phone(raw)
    except InvalidPhoneNumberError:
        return
    assert result.isdigit()
    assert "+" not in result
    assert 7 <= len(result) <= 15


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normaliser_on_arbitrary_text(raw: str) -> None:
    try:
        result = normalize_phone(raw)
    except InvalidPhoneNumberError:
        return
    assert result.isdigit()


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"9[0-9]{9}", fullmatch=True), st.sampled_from(["+7 ", "8 ", "7", ""]))
def test_russian_mobile_forms_agree(national: str, prefix: str) -> None:
    try:
        expected = normalize_phone("+7" + national)
    except InvalidPhoneNumberError:
        return
    assert normalize_phone(prefix + national) == expected == "7" + national


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_finder_returns_only_digits(text: str) -> None:
    for number in find_phone_numbers(text):
        assert number.isdigit()


def test_a_national_prefix_after_the_country_code_cannot_leave_a_too_short_number() -> None:
    # Found by the property test above: "+98" and zeros gave six digits.
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone("+9800000")
