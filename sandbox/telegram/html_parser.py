"""parse_mode=HTML: Telegram's tag subset turned into plain text plus entities.

Follows tdlib's parser (the code behind the Bot API server) closely enough that the bot sees
the same acceptance and the same "can't parse entities" descriptions for malformed markup:
unsupported tags, unbalanced or mismatched tags, unclosed tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.telegram.text_entities import Entity, sort_entities, utf16_length


class EntityParseError(ValueError):
    """Markup the Bot API would refuse with "Bad Request: can't parse entities: <reason>"."""


# Tag name -> entity type. <span> is only valid as <span class="tg-spoiler">.
_TAG_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,4});")
_URL_WITH_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$|^tg://\S+$")
_BARE_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+(/\S*)?$")


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the produced text
    attributes: dict[str, str]
    code_language: str | None = None  # for <pre>: language of a nested <code class="language-x">


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_reference(source: str, index: int) -> tuple[str, int] | None:
    """(decoded text, characters consumed) for a character reference at index, if it is one."""
    match = _CHARACTER_REFERENCE.match(source, index)
    if match is None:
        return None
    body = match.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    elif body in _NAMED_CHARACTER_REFERENCES:
        return _NAMED_CHARACTER_REFERENCES[body], match.end() - index
    else:
        return None  # unknown named references stay literal text, as in tdlib
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end() - index


def _decode_text(value: str) -> str:
    parts: list[str] = []
    index = 0
    while index < len(value):
        if value[index] == "&" and (decoded := _decode_reference(value, index)) is not None:
            parts.append(decoded[0])
            index += decoded[1]
        else:
            parts.append(value[index])
            index += 1
    return "".join(parts)


def _parse_attributes(
    source: str, index: int, tag: str, tag_byte_offset: int
) -> tuple[dict[str, str], int]:
    """Attributes of a start tag beginning at index; returns them and the index after '>'."""
    attributes: dict[str, str] = {}
    length = len(source)
    while True:
        while index < length and source[index].isspace():
            index += 1
        if index >= length:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_byte_offset}")
        if source[index] == ">":
            return attributes, index + 1
        name_start = index
        while index < length and not source[index].isspace() and source[index] not in "=>":
            index += 1
        name = source[name_start:index].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {tag_byte_offset}'
            )
        while index < length and source[index].isspace():
            index += 1
        if index >= length:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_byte_offset}")
        if source[index] != "=":
            attributes[name] = ""  # a flag such as <blockquote expandable>
            continue
        index += 1
        while index < length and source[index].isspace():
            index += 1
        if index >= length:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_byte_offset}")
        quote = source[index]
        if quote in "\"'":
            end = source.find(quote, index + 1)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {tag_byte_offset}")
            raw_value = source[index + 1 : end]
            index = end + 1
        else:
            value_start = index
            while index < length and not source[index].isspace() and source[index] != ">":
                index += 1
            raw_value = source[value_start:index]
        attributes[name] = _decode_text(raw_value)


def _normalise_url(url: str) -> str | None:
    """The URL a text_link gets, or None when Telegram would drop the link as invalid."""
    url = url.strip()
    if _URL_WITH_SCHEME.match(url):
        return url
    if _BARE_DOMAIN.match(url):
        return f"http://{url}"
    return None


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities for an HTML-formatted message; raises EntityParseError."""
    parts: list[str] = []
    position = 0  # UTF-16 offset of the next produced character
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    index = 0
    length = len(source)
    while index < length:
        char = source[index]
        if char == "&" and (decoded := _decode_reference(source, index)) is not None:
            parts.append(decoded[0])
            position += utf16_length(decoded[0])
            index += decoded[1]
            continue
        if char != "<":
            parts.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
            index += 1
            continue
        tag_byte_offset = _byte_offset(source, index)
        if source.startswith("</", index):
            close = source.find(">", index)
            if close == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {tag_byte_offset}")
            name = source[index + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {tag_byte_offset}")
            open_tag = stack.pop()
            if name != open_tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {tag_byte_offset}, "
                    f'expected "</{open_tag.name}>", found "</{name}>"'
                )
            entity = _close_tag(open_tag, position, "".join(parts), stack)
            if entity is not None:
                entities.append(entity)
            index = close + 1
            continue
        name_end = index + 1
        while name_end < length and (
            (source[name_end].isascii() and source[name_end].isalnum()) or source[name_end] == "-"
        ):
            name_end += 1
        name = source[index + 1 : name_end].lower()
        if name not in _TAG_ENTITY_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {tag_byte_offset}'
            )
        attributes, index = _parse_attributes(source, name_end, name, tag_byte_offset)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        stack.append(_OpenTag(name=name, start=position, attributes=attributes))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(parts), sort_entities(entities)


def _close_tag(
    open_tag: _OpenTag, position: int, produced: str, stack: list[_OpenTag]
) -> Entity | None:
    """The entity a closed tag yields, or None (empty range, code merged into its <pre>)."""
    entity_type = _TAG_ENTITY_TYPES[open_tag.name]
    length = position - open_tag.start
    if entity_type == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        css_class = open_tag.attributes.get("class", "")
        if css_class.startswith("language-"):
            stack[-1].code_language = css_class.removeprefix("language-")
        return None
    if length <= 0:
        return None
    entity: Entity = {"type": entity_type, "offset": open_tag.start, "length": length}
    if entity_type == "text_link":
        href = open_tag.attributes.get("href")
        if href is None:
            href = produced.encode("utf-16-le")[open_tag.start * 2 :].decode("utf-16-le")
        url = _normalise_url(href)
        if url is None:
            return None
        entity["url"] = url
    elif entity_type == "pre" and open_tag.code_language:
        entity["language"] = open_tag.code_language
    elif entity_type == "blockquote" and "expandable" in open_tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif entity_type == "custom_emoji":
        emoji_id = open_tag.attributes.get("emoji-id", "")
        if not emoji_id.isdigit():
            return None
        entity["custom_emoji_id"] = emoji_id
    return entity
