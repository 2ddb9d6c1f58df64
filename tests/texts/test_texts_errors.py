"""Error explanations: every documented mnemonic in both languages, context, fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from texts_testkit import assert_telegram_html, sample_params

from api.errors import TransportErrorKind
from api.mnemonics import MNEMONICS as API_MNEMONICS
from bot.texts import ERROR_MNEMONICS, ErrorExplanation, Lang, explain_error, t
from bot.texts.catalog import ErrorEntry, Template, catalog
from bot.texts.errors import MNEMONIC_ALIASES

REPO_ROOT = Path(__file__).resolve().parents[2]
# The shared reference sits beside the repository (also in CI); the simulator ships a faithful
# extract of it, used when the shared copy is not there.
REFERENCES = (
    REPO_ROOT.parent / "shared" / "callapi" / "methods.json",
    Path("/work/shared/callapi/methods.json"),
    REPO_ROOT / "sandbox" / "uis" / "data" / "reference.json",
)
CLIENT_SIDE_MNEMONICS = frozenset(
    {
        "transport_timeout",
        "transport_connection_refused",
        "transport_bad_reply",
        "outcome_unknown",
        "budget_refused",
        "budget_reserve",
        "budget_exit_reserve",
        "token_missing",
        "login_required_again",
        "unknown",
    }
)
FIELDS = ("title", "explanation", "action")
LANGS = list(Lang)
ERROR_CATALOGS = {lang: catalog(lang).errors for lang in LANGS}


def _reference() -> dict[str, Any]:
    path = next(candidate for candidate in REFERENCES if candidate.exists())
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def documented_mnemonics(reference: dict[str, Any]) -> set[str]:
    """Every mnemonic methods.json names, with both spellings of the batch error."""
    found: set[str] = set()
    entries: list[dict[str, str]] = []
    for section in ("common_errors", "other_error_mnemonics"):
        entries.extend(reference[section])
    for method in reference["methods"]:
        entries.extend(method.get("errors", []))
    for entry in entries:
        found.add(entry["mnemonic"])
        if "mnemonic_callgear_en" in entry:
            found.add(entry["mnemonic_callgear_en"])
    return found


def methods_with_error(reference: dict[str, Any], mnemonic: str) -> set[str]:
    return {
        method["name"]
        for method in reference["methods"]
        if any(error["mnemonic"] == mnemonic for error in method.get("errors", []))
    }


def variants(value: tuple[Template, ...]) -> tuple[Template, ...]:
    return value


def fields_of(template: Template) -> set[str]:
    return set(template.variables)


def test_every_documented_mnemonic_is_explained() -> None:
    documented = documented_mnemonics(_reference())
    assert {"batch_opreations_not_supported", "batch_operations_not_supported"} <= documented
    assert len(documented) > 30  # the parse really walked the reference
    assert sorted(documented - ERROR_MNEMONICS) == []
    for lang in LANGS:
        for mnemonic in documented:
            assert explain_error(lang, mnemonic).known, mnemonic


def test_client_side_mnemonics_are_explained() -> None:
    assert sorted(CLIENT_SIDE_MNEMONICS - ERROR_MNEMONICS) == []


def test_every_mnemonic_the_api_client_knows_is_explained() -> None:
    assert sorted(set(API_MNEMONICS) - ERROR_MNEMONICS) == []


def test_every_transport_failure_kind_is_explained() -> None:
    for kind in TransportErrorKind:
        mnemonic = f"transport_{kind.value}"
        assert mnemonic in MNEMONIC_ALIASES or mnemonic in ERROR_MNEMONICS, mnemonic
        explained = explain_error(Lang.RU, mnemonic)
        assert explained.known
        assert explained.mnemonic == mnemonic
    assert set(MNEMONIC_ALIASES.values()) <= ERROR_MNEMONICS
    timeout = explain_error(Lang.EN, "transport_read_timeout", seconds=10)
    assert (
        timeout.explanation == explain_error(Lang.EN, "transport_timeout", seconds=10).explanation
    )
    assert "<code>transport_read_timeout</code>" in timeout.title
    status = explain_error(Lang.EN, "transport_http_status", http_status=502)
    assert "HTTP 502" in status.explanation


def test_both_languages_have_the_same_entries() -> None:
    assert set(ERROR_CATALOGS[Lang.RU]) == set(ERROR_CATALOGS[Lang.EN])


@pytest.mark.parametrize("key", sorted(ERROR_CATALOGS[Lang.RU]))
def test_entry_shape_matches_between_languages(key: str) -> None:
    ru, en = ERROR_CATALOGS[Lang.RU][key], ERROR_CATALOGS[Lang.EN][key]
    for field in FIELDS:
        ru_variants = variants(getattr(ru, field))
        en_variants = variants(getattr(en, field))
        assert len(ru_variants) == len(en_variants), f"{key}.{field}"
        for ru_text, en_text in zip(ru_variants, en_variants, strict=True):
            assert fields_of(ru_text) == fields_of(en_text), f"{key}.{field}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", sorted(ERROR_CATALOGS[Lang.RU]))
def test_entries_always_have_a_context_free_variant(lang: Lang, key: str) -> None:
    entry: ErrorEntry = ERROR_CATALOGS[lang][key]
    if "@" in key:
        base_key = key.split("@", 1)[0]
        assert base_key in ERROR_CATALOGS[lang], f"refinement {key} without a base entry"
    for field in FIELDS:
        options = variants(getattr(entry, field))
        if "@" not in key:
            assert options, f"{key} has no {field}"
        if options:
            assert fields_of(options[-1]) <= {"mnemonic"}, f"{key}.{field}: last variant"


def test_invalid_state_is_refined_for_every_method_that_returns_it() -> None:
    reference = _reference()
    for method in methods_with_error(reference, "invalid_state"):
        for lang in LANGS:
            assert f"invalid_state@{method}" in ERROR_CATALOGS[lang], method
    explanations = {
        method: explain_error(Lang.RU, "invalid_state", method=method).explanation
        for method in methods_with_error(reference, "invalid_state")
    }
    assert len(set(explanations.values())) == len(explanations)  # each says what is missing


def _all_selections() -> list[tuple[str, dict[str, object]]]:
    """(mnemonic, context) pairs that reach every entry and refinement."""
    selections: list[tuple[str, dict[str, object]]] = []
    for key in sorted(ERROR_CATALOGS[Lang.RU]):
        mnemonic, _, selector = key.partition("@")
        context: dict[str, object] = {}
        if selector.lstrip("-").isdigit():
            context["code"] = int(selector)
        elif selector in ("minute", "day"):
            context["limit_type"] = selector
        elif selector:
            context["method"] = selector if "." in selector else f"{selector}.employee_call"
        selections.append((mnemonic, context))
    return selections


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("mnemonic", "selector"), _all_selections())
def test_explanations_render_with_and_without_context(
    lang: Lang, mnemonic: str, selector: dict[str, object]
) -> None:
    entry_fields: set[str] = set()
    for entry in ERROR_CATALOGS[lang].values():
        for field in FIELDS:
            for template in variants(getattr(entry, field)):
                entry_fields |= fields_of(template)
    full_context: dict[str, object] = {**sample_params(entry_fields), "seconds_to_reset": 42}
    full_context.pop("reset_in", None)
    for context in (selector, {**full_context, **selector}):
        explained = explain_error(lang, mnemonic, **context)
        assert explained.known
        for text in (explained.title, explained.explanation, explained.action):
            assert text
            assert "{" not in text
            assert "}" not in text
            assert_telegram_html(text)
        assert explained.title.startswith(f"<code>{mnemonic}</code> — ")
        assert "<" not in explained.plain_title
        assert_telegram_html(explained.render())


def test_unknown_mnemonic_falls_back_and_is_shown() -> None:
    for lang in LANGS:
        explained = explain_error(lang, "brand_new_error_2031")
        assert not explained.known
        assert explained.mnemonic == "brand_new_error_2031"
        assert "<code>brand_new_error_2031</code>" in explained.title
        generic = explain_error(lang, "another_new_one")
        assert explained.explanation == generic.explanation


def test_unknown_mnemonic_with_server_message_shows_it_escaped() -> None:
    explained = explain_error(Lang.EN, "weird<b>", message="Broken & <i>gone</i>")
    assert "<code>weird&lt;b&gt;</code>" in explained.title
    assert "Broken &amp; &lt;i&gt;gone&lt;/i&gt;" in explained.explanation
    assert explained.plain_title.endswith(" · weird<b>")
    assert_telegram_html(explained.render())


def test_direction_refusal_without_a_documented_mnemonic() -> None:
    """-32002 has no documented mnemonic: "unknown" (as in the reference) or any new name."""
    documented = explain_error(Lang.RU, "unknown", code=-32002)
    undocumented = explain_error(Lang.RU, "direction_denied", code=-32002)
    simulator = explain_error(Lang.RU, "call_direction_forbidden")
    assert "направлении" in documented.explanation
    assert documented.explanation == undocumented.explanation == simulator.explanation
    assert "<code>direction_denied</code>" in undocumented.title
    assert "направлении" not in explain_error(Lang.RU, "unknown").explanation


def test_ip_not_whitelisted_names_the_ip_and_the_place_to_add_it() -> None:
    ru = explain_error(Lang.RU, "ip_not_whitelisted", ip="203.0.113.7")
    assert "<code>203.0.113.7</code>" in ru.action
    assert "Администратор → Аккаунт → Правила и настройки безопасности → вкладка API" in ru.action
    en = explain_error(Lang.EN, "ip_not_whitelisted", ip="203.0.113.7")
    assert "Administrator → Account → Security rules → API tab" in en.action
    without_ip = explain_error(Lang.EN, "ip_not_whitelisted")
    assert "203.0.113.7" not in without_ip.action
    assert "Security rules" in without_ip.action


def test_invalid_state_says_which_step_is_missing() -> None:
    make_call = explain_error(Lang.EN, "invalid_state", method="make.call")
    assert "on hold" in make_call.explanation
    assert "Hold" in make_call.action
    unhold = explain_error(Lang.RU, "invalid_state", method="unhold.call")
    assert "на удержании" in unhold.explanation
    transfer = explain_error(Lang.RU, "invalid_state", method="transfer.talk")
    assert "третий участник" in transfer.explanation
    generic = explain_error(Lang.RU, "invalid_state")
    assert generic.explanation != make_call.explanation
    assert generic.title == explain_error(Lang.RU, "invalid_state", method="hold.call").title


def test_limit_exceeded_says_when_points_come_back() -> None:
    minute = explain_error(Lang.RU, "limit_exceeded", limit_type="minute", seconds_to_reset=42)
    assert "42 с" in minute.explanation
    assert "42 с" in minute.action
    day = explain_error(
        Lang.EN, "limit_exceeded", limit_type="day", seconds_to_reset=3725, limit_max_value=1000
    )
    assert "1 h 3 min" in day.explanation
    assert "1000" in day.explanation
    assert day.title != minute.title
    unknown_time = explain_error(Lang.EN, "limit_exceeded", limit_type="minute")
    assert "within a minute" in unknown_time.explanation


def test_call_api_error_params_are_understood() -> None:
    """error.data.params of the Call API can be passed as they come."""
    tts = explain_error(
        Lang.RU, "tts_text_exceeded", tts_message_max_length=1000, sent_tts_message_length=1234
    )
    assert "1000" in tts.explanation
    assert "1234" in tts.explanation
    assert "1000" in tts.action
    component = explain_error(Lang.RU, "component_disabled", component_name="Call management")
    assert "«Call API Управление вызовами»" in component.action
    english = explain_error(Lang.EN, "component_disabled", component="Call API Вызов сценария")
    assert "“Call API Call scenario”" in english.action
    other = explain_error(Lang.EN, "component_disabled", component="Fax gateway")
    assert "Fax gateway" in other.explanation
    number = explain_error(Lang.EN, "virtual_phone_number_not_found", virtual_phone_number="7499")
    assert "7499" in number.explanation
    blacklisted = explain_error(Lang.RU, "duplicate_contact", contact_phone_number="79031234567")
    assert "79031234567" in blacklisted.explanation


def test_context_specific_guidance() -> None:
    assert "/settings" in explain_error(Lang.RU, "virtual_phone_number_not_found").action
    assert "/login" in explain_error(Lang.EN, "access_token_expired").action
    assert "/login" in explain_error(Lang.RU, "access_token_blocked").action
    blacklist = explain_error(Lang.RU, "contact_in_blacklist", contact="79031234567")
    assert "79031234567" in blacklist.explanation
    assert "администратор аккаунта" in blacklist.action
    started = explain_error(
        Lang.RU, "outcome_unknown", method="start.employee_call", external_id="tg-1-2"
    )
    assert "<code>tg-1-2</code>" in started.action
    assert started.explanation != explain_error(Lang.RU, "outcome_unknown").explanation
    budget = explain_error(Lang.EN, "budget_refused", seconds_to_reset=75)
    assert "1 min 15 s" in budget.action
    assert explain_error(Lang.RU, "auth_error").title.endswith("Неверный логин или пароль")


def test_context_values_are_escaped_unless_raw() -> None:
    explained = explain_error(Lang.EN, "invalid_parameter_value", field="contact", value="<x>&")
    assert "<code>&lt;x&gt;&amp;</code>" in explained.explanation
    assert_telegram_html(explained.render())


def test_render_leads_with_the_explanation_and_ends_with_the_mnemonic() -> None:
    explained: ErrorExplanation = explain_error(Lang.RU, "duplicate_tag")
    rendered = explained.render()
    message = t(
        Lang.RU,
        "error.message_explained",
        title=explained.human_title,
        explanation=explained.explanation,
        action=explained.action,
    )
    assert rendered == message + "\n" + t(Lang.RU, "error.mnemonic_line", mnemonic="duplicate_tag")
    assert rendered.index(explained.explanation) < rendered.index(explained.action)
    assert rendered.index(explained.action) < rendered.index("duplicate_tag")
    assert explained.plain_title == f"{explained.human_title} · duplicate_tag"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "mnemonic", ["budget_refused", "budget_reserve", "token_missing", "transport_read_timeout"]
)
def test_toasts_never_show_the_bots_own_codes(lang: Lang, mnemonic: str) -> None:
    explained = explain_error(lang, mnemonic, method="hold.call", seconds_to_reset=30)
    assert mnemonic not in explained.plain_title
    assert explained.render().endswith(t(lang, "error.mnemonic_line", mnemonic=mnemonic))


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_errors_speak_of_signing_in(lang: Lang) -> None:
    card_read = explain_error(lang, "access_token_invalid", method="list.calls")
    pasted_key = explain_error(lang, "access_token_invalid", method="login.key")
    assert pasted_key.explanation != card_read.explanation
    assert "1" not in pasted_key.explanation  # not "the session lives 1 hour"
    for mnemonic in ("transport_bad_reply", "transport_read_timeout", "transport_connect_refused"):
        for method in ("login.key", "login.user"):
            at_sign_in = explain_error(lang, mnemonic, method=method, http_status=502)
            elsewhere = explain_error(lang, mnemonic, method="hold.call", http_status=502)
            assert at_sign_in.action != elsewhere.action
            assert at_sign_in.human_title != elsewhere.human_title


def test_language_is_validated() -> None:
    assert explain_error("en", "auth_error").lang is Lang.EN
    with pytest.raises(ValueError, match="de"):
        explain_error("de", "auth_error")
