"""Turn a text plus parse_mode / explicit entities into what Telegram stores and returns."""

from __future__ import annotations

from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.html_parser import EntityParseError, parse_html
from sandbox.telegram.markdown_parser import parse_markdown_legacy, parse_markdown_v2
from sandbox.telegram.text_entities import (
    Entity,
    merge_detected_entities,
    sort_entities,
    strip_text,
    utf16_length,
)

_ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)


def _explicit_entities(raw: Any, text: str) -> list[Entity]:
    """Validate the entities parameter (a JSON list of MessageEntity objects)."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    limit = utf16_length(text)
    entities: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity JSON object")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise bad_request("can't parse MessageEntity JSON object")
        if length <= 0 or offset >= limit:
            continue  # Telegram silently drops empty or out-of-text entities
        entities.append({**item, "length": min(length, limit - offset)})
    return sort_entities(entities)


def format_text(
    text: str, parse_mode: str | None, explicit_entities: Any = None
) -> tuple[str, list[Entity]]:
    """(plain text, entities) for a message or caption, as Telegram would store it.

    Raises BotApiError with "can't parse entities: ..." for malformed markup. The result is
    whitespace-trimmed and carries automatically detected commands, mentions and links.
    """
    if explicit_entities is not None:
        plain, entities = text, _explicit_entities(explicit_entities, text)
    elif parse_mode is None or parse_mode == "":
        plain, entities = text, []
    else:
        mode = parse_mode.lower()
        try:
            if mode == "html":
                plain, entities = parse_html(text)
            elif mode == "markdownv2":
                plain, entities = parse_markdown_v2(text)
            elif mode == "markdown":
                plain, entities = parse_markdown_legacy(text)
            else:
                raise bad_request("unsupported parse_mode")
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    plain, entities = strip_text(plain, entities)
    return plain, merge_detected_entities(plain, entities)
