"""The Fluent files themselves: both locales define the same messages with the same variables."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources.abc import Traversable

import pytest
from fluent.syntax import FluentParser, ast

from bot.texts import ERROR_MNEMONICS, TEXT_KEYS, Lang, t
from bot.texts.catalog import (
    catalog,
    error_files,
    error_id_to_key,
    error_key_to_id,
    id_to_key,
    key_to_id,
    text_files,
    variables_of,
)

LANGS = list(Lang)
# (file name, message or term id, attribute or "") -> variables, for one locale.
Shape = dict[tuple[str, str, str], frozenset[str]]


def _shape(files: list[Traversable]) -> Shape:
    parser = FluentParser(with_spans=False)
    shape: Shape = {}
    for file in files:
        resource = parser.parse(file.read_text(encoding="utf-8"))
        for entry in resource.body:
            assert not isinstance(entry, ast.Junk), f"{file.name}: {entry.content!r}"
            if not isinstance(entry, ast.Message | ast.Term):
                continue
            name = f"-{entry.id.name}" if isinstance(entry, ast.Term) else entry.id.name
            place = (file.name, name, "")
            assert place not in shape, f"{name} defined twice"
            if entry.value is not None:
                shape[place] = frozenset(variables_of(entry.value))
            for attribute in entry.attributes:
                shape[(file.name, name, attribute.id.name)] = frozenset(
                    variables_of(attribute.value)
                )
    return shape


@pytest.mark.parametrize("files", [text_files, error_files], ids=["texts", "errors"])
def test_both_locales_have_the_same_messages_and_variables(
    files: Callable[[Lang], list[Traversable]],
) -> None:
    ru, en = _shape(files(Lang.RU)), _shape(files(Lang.EN))
    assert sorted(set(ru) - set(en)) == [], "only in ru"
    assert sorted(set(en) - set(ru)) == [], "only in en"
    differ = {place: (ru[place], en[place]) for place in ru if ru[place] != en[place]}
    assert differ == {}


def test_message_ids_are_unique_across_files() -> None:
    for lang in LANGS:
        for files in (text_files(lang), error_files(lang)):
            ids = [name for _, name, attribute in _shape(files) if not attribute]
            assert len(ids) == len(set(ids)), lang


def test_the_cheap_key_scan_agrees_with_the_compiled_catalog() -> None:
    for lang in LANGS:
        assert set(catalog(lang).texts) == TEXT_KEYS
        mnemonics = {key for key in catalog(lang).errors if "@" not in key}
        assert mnemonics == ERROR_MNEMONICS


@pytest.mark.parametrize("key", sorted(TEXT_KEYS))
def test_key_and_id_map_one_to_one(key: str) -> None:
    assert id_to_key(key_to_id(key)) == key
    assert "-" not in key


@pytest.mark.parametrize(
    ("key", "message_id"),
    [
        ("invalid_state", "invalid_state"),
        ("invalid_state@make.call", "invalid_state--make-call"),
        ("outcome_unknown@start", "outcome_unknown--start"),
        ("limit_exceeded@day", "limit_exceeded--day"),
        ("unknown@-32002", "unknown--code-32002"),
        ("unknown@42", "unknown--code42"),
    ],
)
def test_error_key_and_id_map_one_to_one(key: str, message_id: str) -> None:
    assert error_key_to_id(key) == message_id
    assert error_id_to_key(message_id) == key


def test_every_error_entry_round_trips_through_its_id() -> None:
    for key in catalog(Lang.RU).errors:
        assert error_id_to_key(error_key_to_id(key)) == key


@pytest.mark.parametrize("lang", LANGS)
def test_no_bidi_isolation_marks_around_variables(lang: Lang) -> None:
    rendered = t(lang, "card.contact", contact="+7 999 123-45-67")
    assert "+7 999 123-45-67" in rendered
    assert not set(rendered) & {"\u2068", "\u2069"}


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_are_not_formatted_by_locale(lang: Lang) -> None:
    rendered = t(lang, "card.calls_from_number", count=1234567)
    assert "1234567" in rendered
