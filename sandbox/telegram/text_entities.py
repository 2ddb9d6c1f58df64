"""Message entities: UTF-16 offsets, automatic detection, trimming.

Telegram measures entity offsets and lengths in UTF-16 code units, detects commands, mentions,
hashtags, links and e-mails on its own, and strips leading and trailing whitespace from text.
The helpers here reproduce that for both users' messages and the bot's messages.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

# A command is "/" + 1-32 letters, digits or underscores, optionally addressed "@botname"; it
# must not be glued to a preceding word or slash ("a/b" and "//x" are not commands).
_COMMAND = re.compile(r"(?<![\w/\\@.])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")
_URL = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL_TRAILING_PUNCTUATION = ".,;:!?)]}'\""

# Formatting that suppresses automatic detection inside it (a URL inside <code> stays code).
_OPAQUE_ENTITY_TYPES = frozenset({"code", "pre", "text_link", "url", "email", "text_mention"})


def utf16_length(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _utf16_offsets(text: str) -> list[int]:
    """offsets[i] = UTF-16 offset of text[i]; offsets[len(text)] = total length."""
    offsets = [0] * (len(text) + 1)
    position = 0
    for index, char in enumerate(text):
        offsets[index] = position
        position += 2 if ord(char) > 0xFFFF else 1
    offsets[len(text)] = position
    return offsets


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram adds by itself: bot_command, mention, hashtag, url, email."""
    found: list[tuple[int, int, str]] = []
    for entity_type, pattern in (
        ("url", _URL),
        ("email", _EMAIL),
        ("bot_command", _COMMAND),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            start, end = match.span()
            if entity_type == "url":
                while end > start and text[end - 1] in _URL_TRAILING_PUNCTUATION:
                    end -= 1
            if end > start:
                found.append((start, end, entity_type))
    # Earlier start wins; on a tie the longer match (a URL containing a mention) wins.
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    offsets = _utf16_offsets(text)
    entities: list[Entity] = []
    covered_until = 0
    for start, end, entity_type in found:
        if start < covered_until:
            continue
        covered_until = end
        entities.append(
            {
                "type": entity_type,
                "offset": offsets[start],
                "length": offsets[end] - offsets[start],
            }
        )
    return entities


def merge_detected_entities(text: str, explicit: list[Entity]) -> list[Entity]:
    """Explicit formatting plus detected entities that do not fall into code, pre or links."""
    opaque = [
        (entity["offset"], entity["offset"] + entity["length"])
        for entity in explicit
        if entity["type"] in _OPAQUE_ENTITY_TYPES
    ]
    merged = list(explicit)
    for entity in detect_entities(text):
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if any(start < opaque_end and opaque_start < end for opaque_start, opaque_end in opaque):
            continue
        merged.append(entity)
    return sort_entities(merged)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, outer (longer) entities before the ones nested in them."""
    return sorted(entities, key=lambda entity: (entity["offset"], -entity["length"]))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, moving and clipping entities with it."""
    stripped_start = len(text) - len(text.lstrip())
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_length(text[:stripped_start])
    limit = utf16_length(stripped)
    adjusted: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            adjusted.append({**entity, "offset": start, "length": end - start})
    return stripped, adjusted


def entity_text(text: str, entity: Entity) -> str:
    """The part of text an entity covers (offsets in UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = entity["offset"] * 2
    end = start + entity["length"] * 2
    return encoded[start:end].decode("utf-16-le")
