"""Text formatting like the Bot API: HTML and Markdown parsing, entities, UTF-16 offsets."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.telegram.errors import BotApiError
from sandbox.telegram.formatting import format_text
from sandbox.telegram.keyboards import parse_reply_markup
from sandbox.telegram.text_entities import detect_entities, entity_text, utf16_length

_MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!\\"
_VISIBLE = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))


def _types(entities: list[dict[str, object]]) -> list[object]:
    return [entity["type"] for entity in entities]


def test_html_tags_become_entities() -> None:
    text, entities = format_text(
        '<b>Call</b> <i>now</i> <a href="https://uiscom.ru/">site</a> &lt;ok&gt; AT&T',
        "HTML",
    )
    assert text == "Call now site <ok> AT&T"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 3},
        {"type": "text_link", "offset": 9, "length": 4, "url": "https://uiscom.ru/"},
    ]


def test_html_pre_with_language_and_spoilers() -> None:
    text, entities = format_text(
        '<pre><code class="language-json">{}</code></pre> <tg-spoiler>x</tg-spoiler>', "HTML"
    )
    assert text == "{} x"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 2, "language": "json"},
        {"type": "spoiler", "offset": 3, "length": 1},
    ]


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("stray</b>", "Unexpected end tag at byte offset 5"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("я <b", "Unclosed start tag at byte offset 3"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_malformed_html_is_refused_like_telegram(markup: str, reason: str) -> None:
    with pytest.raises(BotApiError) as refused:
        format_text(markup, "HTML")
    assert refused.value.error_code == 400
    assert refused.value.description == f"Bad Request: can't parse entities: {reason}"


def test_markdown_v2_requires_escaping_reserved_characters() -> None:
    with pytest.raises(BotApiError, match=r"Character '\.' is reserved"):
        format_text("Total: 1.5 RUB", "MarkdownV2")
    with pytest.raises(BotApiError, match="Can't find end of Bold entity at byte offset 0"):
        format_text("*open", "MarkdownV2")
    text, entities = format_text(
        r"*bold* _it_ __u__ ~s~ ||sp|| `c\`` [l](https://a.b) 1\.5", "MarkdownV2"
    )
    assert text == "bold it u s sp c` l 1.5"
    assert _types(entities) == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]


def test_legacy_markdown() -> None:
    text, entities = format_text("*b* _i_ `c` [site](http://a.b)", "Markdown")
    assert text == "b i c site"
    assert _types(entities) == ["bold", "italic", "code", "text_link"]
    with pytest.raises(BotApiError, match="Can't find end of the entity starting at byte offset 2"):
        format_text("a *b", "Markdown")


def test_unknown_parse_mode_is_refused() -> None:
    with pytest.raises(BotApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode")


def test_offsets_are_utf16_code_units() -> None:
    text, entities = format_text("😀 <b>é😀</b> /help", "HTML")
    assert text == "😀 é😀 /help"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "bot_command", "offset": 7, "length": 5},
    ]
    assert utf16_length(text) == 12


def test_detects_commands_mentions_hashtags_links_and_emails() -> None:
    text = "/start@uis_call_bot hi @ivan_p #lead see https://uiscom.ru/help, or a@b.co; a/b"
    found = {entity_text(text, entity): entity["type"] for entity in detect_entities(text)}
    assert found == {
        "/start@uis_call_bot": "bot_command",
        "@ivan_p": "mention",
        "#lead": "hashtag",
        "https://uiscom.ru/help": "url",
        "a@b.co": "email",
    }


def test_text_is_trimmed_with_its_entities() -> None:
    text, entities = format_text("  \n<b>Hi</b> there \n", "HTML")
    assert (text, entities) == ("Hi there", [{"type": "bold", "offset": 0, "length": 2}])


def test_explicit_entities_are_kept() -> None:
    text, entities = format_text("Hello", None, [{"type": "bold", "offset": 0, "length": 99}])
    assert (text, entities) == ("Hello", [{"type": "bold", "offset": 0, "length": 5}])


@settings(deadline=None)  # a loaded shared machine must not fail the property
@given(st.text())
def test_escaped_html_round_trips_to_the_same_text(raw: str) -> None:
    text, entities = format_text(html.escape(raw), "HTML")
    assert text == raw.strip()
    assert all(entity["type"] not in ("bold", "italic", "code") for entity in entities)


@settings(deadline=None)  # a loaded shared machine must not fail the property
@given(st.text())
def test_escaped_markdown_v2_round_trips_to_the_same_text(raw: str) -> None:
    escaped = "".join("\\" + char if char in _MARKDOWN_V2_RESERVED else char for char in raw)
    text, _ = format_text(escaped, "MarkdownV2")
    assert text == raw.strip()


@settings(deadline=None)  # a loaded shared machine must not fail the property
@given(st.text(_VISIBLE, min_size=1), st.text(_VISIBLE, min_size=1), st.text(_VISIBLE))
def test_bold_entity_covers_exactly_the_tagged_text(before: str, inner: str, after: str) -> None:
    text, entities = format_text(
        f"{html.escape(before)}<b>{html.escape(inner)}</b>{html.escape(after)}", "HTML"
    )
    bold = [entity for entity in entities if entity["type"] == "bold"]
    assert text == before + inner + after
    assert [entity_text(text, entity) for entity in bold] == [inner]


def test_callback_data_limit_counts_bytes() -> None:
    def markup(data: str) -> dict[str, object]:
        return {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}

    assert parse_reply_markup(markup("ж" * 32)) is not None
    for bad in ("", "ж" * 32 + "x"):
        with pytest.raises(BotApiError, match="BUTTON_DATA_INVALID"):
            parse_reply_markup(markup(bad))
    with pytest.raises(BotApiError, match="Text buttons are unallowed"):
        parse_reply_markup({"inline_keyboard": [[{"text": "plain"}]]})
    assert parse_reply_markup({"inline_keyboard": []}) is None
