"""t(), lang_for(), escaping, durations and the per-role command lists."""

from __future__ import annotations

import pytest
from texts_testkit import assert_telegram_html

from bot.texts import (
    ADMIN_COMMANDS,
    USER_COMMANDS,
    Lang,
    MissingTextError,
    Raw,
    TextParamError,
    bot_commands,
    command_help,
    commands_for,
    format_clock,
    format_duration,
    lang_for,
    t,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, Lang.RU),
        ("", Lang.RU),
        ("ru", Lang.RU),
        ("uk", Lang.RU),
        ("de", Lang.RU),
        ("en", Lang.EN),
        ("en-US", Lang.EN),
        ("EN-gb", Lang.EN),
    ],
)
def test_lang_for(code: str | None, expected: Lang) -> None:
    assert lang_for(code) is expected


def test_lang_values_are_the_catalog_names() -> None:
    assert [lang.value for lang in Lang] == ["ru", "en"]
    assert t("ru", "btn.hold") == t(Lang.RU, "btn.hold")


def test_params_are_html_escaped() -> None:
    rendered = t(Lang.RU, "card.contact", contact="<b>Ann</b> & Co")
    assert rendered == "Клиент: &lt;b&gt;Ann&lt;/b&gt; &amp; Co"
    assert isinstance(rendered, Raw)


def test_raw_params_are_kept() -> None:
    rendered = t(Lang.EN, "card.contact", contact=Raw("<i>Ann</i>"))
    assert rendered == "Client: <i>Ann</i>"


def test_nested_texts_are_not_escaped_twice() -> None:
    phase = t(Lang.EN, "card.phase.hold")
    title = t(Lang.EN, "card.title", phase=phase)
    assert title == f"<b>{phase}</b>"
    contact = t(Lang.EN, "card.contact", contact="A&B")
    wrapped = t(Lang.EN, "card.title", phase=contact)
    assert wrapped == "<b>Client: A&amp;B</b>"
    assert_telegram_html(wrapped)


def test_plain_text_keys_are_not_escaped() -> None:
    label = t(Lang.RU, "btn.start_call", number="+7 999 <1> & 2")
    assert label == "📞 Позвонить +7 999 <1> & 2"
    assert not isinstance(label, Raw)
    done = t(Lang.EN, "done.tag", tag="R&D")
    assert done == "Tag “R&D” added"
    # A plain text nested into an HTML text is escaped there.
    assert t(Lang.EN, "call.action_done", action=done) == "✅ Tag “R&amp;D” added"


def test_missing_key_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError) as raised:
        t(Lang.RU, "no.such.key")
    assert isinstance(raised.value, MissingTextError)
    assert str(raised.value) == "no text 'no.such.key' in the 'ru' catalog"


def test_missing_param_is_named() -> None:
    with pytest.raises(TextParamError) as raised:
        t(Lang.EN, "call.started")
    assert raised.value.param == "call_id"
    assert "call_id" in str(raised.value)
    assert "call.started" in str(raised.value)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        t("fr", "btn.hold")


def test_extra_params_are_ignored() -> None:
    assert t(Lang.EN, "btn.hold", unused="x") == t(Lang.EN, "btn.hold")


@pytest.mark.parametrize(
    ("seconds", "ru", "en"),
    [
        (0, "0 с", "0 s"),
        (0.2, "1 с", "1 s"),
        (-5, "0 с", "0 s"),
        (42, "42 с", "42 s"),
        (60, "1 мин", "1 min"),
        (200, "3 мин 20 с", "3 min 20 s"),
        (3600, "1 ч", "1 h"),
        (3725, "1 ч 3 мин", "1 h 3 min"),
        (7200, "2 ч", "2 h"),
        (86399, "24 ч", "24 h"),
    ],
)
def test_format_duration(seconds: float, ru: str, en: str) -> None:
    assert format_duration(Lang.RU, seconds) == ru
    assert format_duration(Lang.EN, seconds) == en


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "00:00"), (7, "00:07"), (205, "03:25"), (3725, "1:02:05"), (-3, "00:00")],
)
def test_format_clock(seconds: float, expected: str) -> None:
    assert format_clock(seconds) == expected


def test_commands_per_role() -> None:
    assert "call" not in commands_for("pending")
    assert "help" in commands_for("pending")
    assert commands_for("user") == USER_COMMANDS
    assert "users" not in commands_for("user")
    assert commands_for("admin") == USER_COMMANDS + ADMIN_COMMANDS
    assert [command for command, _ in bot_commands(Lang.EN, "admin")] == list(
        USER_COMMANDS + ADMIN_COMMANDS
    )
    assert dict(bot_commands(Lang.RU, "user"))["limits"] == "Остаток баллов Call API"


@pytest.mark.parametrize("lang", list(Lang))
def test_help_lists_the_commands_of_the_role(lang: Lang) -> None:
    pending = command_help(lang, "pending")
    user = command_help(lang, "user")
    admin = command_help(lang, "admin")
    for text in (pending, user, admin):
        assert_telegram_html(text)
        assert len(text) <= 4096
    assert "/call" not in pending
    assert "/call —" in user
    assert "/users" not in user
    assert "/users —" in admin
    assert "/audit —" in admin
    assert t(lang, "help.about") in pending
