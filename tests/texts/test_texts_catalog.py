"""The ru/en text catalogs: same keys, same placeholders, valid Telegram texts."""

from __future__ import annotations

import re

import pytest
from texts_testkit import assert_telegram_html, sample_params

from bot.texts import (
    ALL_COMMANDS,
    TEXT_KEYS,
    Lang,
    is_plain_text_key,
    t,
    text_variables,
)
from bot.texts.catalog import catalog

ALL_KEYS = sorted(TEXT_KEYS)

BUTTON_LABEL_MAX = 24  # our own rule: fits two buttons per row on a phone
BUTTON_LABEL_HARD_MAX = 64
ALERT_MAX = 200  # answerCallbackQuery text limit
MESSAGE_MAX = 4096  # sendMessage text limit


def test_both_languages_have_the_same_keys() -> None:
    ru_keys, en_keys = set(catalog(Lang.RU).texts), set(catalog(Lang.EN).texts)
    assert sorted(ru_keys - en_keys) == []
    assert sorted(en_keys - ru_keys) == []
    assert set(ALL_KEYS) == ru_keys


@pytest.mark.parametrize("key", ALL_KEYS)
def test_placeholders_match_between_languages(key: str) -> None:
    assert text_variables(Lang.RU, key) == text_variables(Lang.EN, key)


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("key", ALL_KEYS)
def test_placeholders_are_simple_names(lang: Lang, key: str) -> None:
    """Variables are simple names (t() passes them as keyword arguments)."""
    for name in text_variables(lang, key):
        assert re.fullmatch(r"[a-z_]+", name), f"{key}: placeholder {name!r}"


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_text_renders_completely(lang: Lang, key: str) -> None:
    rendered = t(lang, key, **sample_params(text_variables(lang, key)))
    assert "{" not in rendered, rendered
    assert "}" not in rendered, rendered
    assert rendered, f"{key} is empty"
    assert rendered.strip() == rendered, f"{key} has surrounding whitespace"
    if is_plain_text_key(key):
        assert "<" not in rendered, f"{key} is plain text"
        assert "&" not in rendered, f"{key} is plain text"
    else:
        assert_telegram_html(rendered)
        assert len(rendered) <= MESSAGE_MAX


@pytest.mark.parametrize("lang", list(Lang))
def test_button_labels_are_short(lang: Lang) -> None:
    for key in (k for k in ALL_KEYS if k.startswith("btn.")):
        fields = text_variables(lang, key)
        rendered = t(lang, key, **sample_params(fields))
        assert "\n" not in rendered
        if fields:
            assert len(rendered) <= BUTTON_LABEL_HARD_MAX, f"{key}: {rendered!r}"
        else:
            assert len(rendered) <= BUTTON_LABEL_MAX, f"{key}: {rendered!r} ({len(rendered)})"


@pytest.mark.parametrize("lang", list(Lang))
def test_alerts_fit_a_callback_answer(lang: Lang) -> None:
    for key in (k for k in ALL_KEYS if k.startswith(("alert.", "done."))):
        rendered = t(lang, key, **sample_params(text_variables(lang, key)))
        assert len(rendered) <= ALERT_MAX, f"{key}: {len(rendered)} characters"


@pytest.mark.parametrize("lang", list(Lang))
def test_command_descriptions_fit_the_command_menu(lang: Lang) -> None:
    described = {key.removeprefix("cmd.") for key in ALL_KEYS if key.startswith("cmd.")}
    assert described == set(ALL_COMMANDS)
    for command in ALL_COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        description = t(lang, f"cmd.{command}")
        assert 3 <= len(description) <= 256, f"/{command}: {len(description)} characters"
        assert "\n" not in description


def test_keys_the_brief_promises_exist() -> None:
    """A sample of the keys the bot's handlers are written against."""
    expected = {
        "access.pending",
        "access.blocked",
        "access.not_allowed",
        "access.approved",
        "access.admin_new_request",
        "login.choose_method",
        "login.ask_key",
        "login.ask_login",
        "login.ask_password",
        "login.private_only",
        "login.secret_deleted",
        "login.done_key",
        "login.done_key_no_expiry",
        "login.expiry_warning",
        "login.session_expired",
        "logout.done_key",
        "settings.summary",
        "settings.ask_virtual_number",
        "settings.ask_hold_message",
        "settings.ask_region",
        "settings.favourite_added",
        "settings.favourite_removed",
        "settings.employee_request_sent",
        "call.started",
        "call.missing_setting",
        "call.number_invalid",
        "btn.start_call",
        "card.transfer_now_warning",
        "card.block_confirm",
        "alert.not_your_call",
        "alert.stale",
        "call.progress",
        "call.action_done",
        "limits.footer",
        "limits.footer_unknown",
        "limits.full",
        "history.line",
        "calls.empty",
        "call.outcome_found",
        "call.outcome_not_found",
        "admin.user_line",
        "admin.approved",
        "admin.denied",
        "admin.employee_assigned",
        "admin.catalog_imported",
        "admin.key_bound",
        "admin.audit_caption",
    }
    phases = {"dialing", "talk", "hold", "waiting_input", "dialing_third", "consulting"}
    expected |= {f"card.phase.{phase}" for phase in phases | {"finished", "transferred"}}
    buttons = {
        "cancel", "refresh", "hold", "unhold", "record_on", "record_off", "tag", "keypad",
        "talk_options", "coach", "disconnect_leg", "block", "release", "transfer",
        "transfer_now", "restore", "complete_transfer", "back", "confirm", "cancel_action",
    }  # fmt: skip
    expected |= {f"btn.{button}" for button in buttons}
    assert sorted(expected - TEXT_KEYS) == []


def test_limits_footer_reads_as_specified() -> None:
    values = {"minute_remaining": 57, "minute_limit": 60, "day_remaining": 980, "day_limit": 1000}
    assert t(Lang.RU, "limits.footer", **values) == "минута 57/60 · день 980/1000"
    assert t(Lang.EN, "limits.footer", **values) == "minute 57/60 · day 980/1000"
    assert t(Lang.EN, "limits.footer_unknown") == "points: unknown yet"
