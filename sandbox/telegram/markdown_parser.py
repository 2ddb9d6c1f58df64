"""parse_mode=MarkdownV2 and the legacy Markdown, turned into plain text plus entities.

Modelled on tdlib's parsers so that the emulator refuses the same texts with the same reasons,
most importantly unescaped reserved characters in MarkdownV2 ("Character '.' is reserved and
must be escaped with the preceding '\\'"), the most common bug of bots using that mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.telegram.html_parser import EntityParseError
from sandbox.telegram.text_entities import Entity, sort_entities, utf16_length

_RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")

# Names tdlib prints in "Can't find end of <Type> entity at byte offset N".
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _Open:
    entity_type: str
    start: int  # UTF-16 offset in produced text
    byte_offset: int
    text_index: int  # index in the produced character list, for links without a URL part
    language: str = ""


def _reserved_error(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _at(source: str, index: int) -> str:
    return source[index] if index < len(source) else ""


def _is_escapable(char: str) -> bool:
    return char != "" and 0 < ord(char) <= 126


class _Output:
    """Produced plain text with a running UTF-16 position."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.position = 0

    def append(self, char: str) -> None:
        self.chars.append(char)
        self.position += utf16_length(char)

    def text(self) -> str:
        return "".join(self.chars)


def _closes(open_entity: _Open, source: str, index: int) -> bool:
    char = source[index]
    entity_type = open_entity.entity_type
    if entity_type == "bold":
        return char == "*"
    if entity_type == "italic":
        return char == "_" and _at(source, index + 1) != "_"
    if entity_type == "underline":
        return char == "_" and _at(source, index + 1) == "_"
    if entity_type == "strikethrough":
        return char == "~"
    if entity_type == "spoiler":
        return char == "|" and _at(source, index + 1) == "|"
    if entity_type == "code":
        return char == "`"
    if entity_type == "pre":
        return source.startswith("```", index)
    return char == "]"  # text_link, custom_emoji


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities for a MarkdownV2 message; raises EntityParseError."""
    out = _Output()
    stack: list[_Open] = []
    entities: list[Entity] = []
    blockquote_start: int | None = None
    index = 0
    length = len(source)
    while index < length:
        char = source[index]
        at_line_start = index == 0 or source[index - 1] == "\n"
        if char == "\\" and _is_escapable(_at(source, index + 1)):
            out.append(source[index + 1])
            index += 2
            continue
        if char == "\n" and blockquote_start is not None and _at(source, index + 1) != ">":
            if out.position > blockquote_start:
                entities.append(
                    {
                        "type": "blockquote",
                        "offset": blockquote_start,
                        "length": out.position - blockquote_start,
                    }
                )
            blockquote_start = None
        inside_code = bool(stack) and stack[-1].entity_type in ("code", "pre")
        reserved = frozenset("`") if inside_code else _RESERVED_V2
        if char not in reserved:
            out.append(char)
            index += 1
            continue
        if char == ">" and at_line_start and not stack:
            if blockquote_start is None:
                blockquote_start = out.position
            index += 1
            continue
        if stack and _closes(stack[-1], source, index):
            index = _close_v2(source, index, stack.pop(), out, entities)
            continue
        index = _open_v2(source, index, out, stack)
    if blockquote_start is not None and out.position > blockquote_start:
        entities.append(
            {
                "type": "blockquote",
                "offset": blockquote_start,
                "length": out.position - blockquote_start,
            }
        )
    if stack:
        last = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_TYPE_NAMES[last.entity_type]} entity "
            f"at byte offset {last.byte_offset}"
        )
    return out.text(), sort_entities(entities)


def _open_v2(source: str, index: int, out: _Output, stack: list[_Open]) -> int:
    """Push the entity starting at index; returns the index after its opening marker."""
    char = source[index]
    byte_offset = len(source[:index].encode("utf-8"))
    language = ""
    if char == "_":
        if _at(source, index + 1) == "_":
            entity_type, index = "underline", index + 2
        else:
            entity_type, index = "italic", index + 1
    elif char == "*":
        entity_type, index = "bold", index + 1
    elif char == "~":
        entity_type, index = "strikethrough", index + 1
    elif char == "|":
        if _at(source, index + 1) != "|":
            raise _reserved_error(char)
        entity_type, index = "spoiler", index + 2
    elif char == "[":
        entity_type, index = "text_link", index + 1
    elif char == "!" and _at(source, index + 1) == "[":
        entity_type, index = "custom_emoji", index + 2
    elif char == "`":
        if source.startswith("```", index):
            entity_type, index = "pre", index + 3
            language_end = index
            while language_end < len(source) and not source[language_end].isspace():
                if source[language_end] == "`":
                    break
                language_end += 1
            if language_end < len(source) and source[language_end] != "`":
                language = source[index:language_end]
                index = language_end
            if _at(source, index) in ("\n", "\r"):
                index += 1
        else:
            entity_type, index = "code", index + 1
    else:
        raise _reserved_error(char)
    stack.append(
        _Open(
            entity_type=entity_type,
            start=out.position,
            byte_offset=byte_offset,
            text_index=len(out.chars),
            language=language,
        )
    )
    return index


def _close_v2(
    source: str, index: int, open_entity: _Open, out: _Output, entities: list[Entity]
) -> int:
    """Emit the entity closed at index; returns the index after its closing marker."""
    entity_type = open_entity.entity_type
    entity: Entity = {
        "type": entity_type,
        "offset": open_entity.start,
        "length": out.position - open_entity.start,
    }
    if entity_type in ("underline", "spoiler"):
        index += 2
    elif entity_type == "pre":
        index += 3
        if open_entity.language:
            entity["language"] = open_entity.language
    elif entity_type in ("text_link", "custom_emoji"):
        index += 1
        url: str
        if _at(source, index) == "(":
            url_start = index + 1
            index += 1
            url_chars: list[str] = []
            while index < len(source) and source[index] != ")":
                if source[index] == "\\" and _is_escapable(_at(source, index + 1)):
                    url_chars.append(source[index + 1])
                    index += 2
                    continue
                url_chars.append(source[index])
                index += 1
            if index >= len(source):
                raise EntityParseError(
                    "Can't find end of a URL at byte offset "
                    f"{len(source[:url_start].encode('utf-8'))}"
                )
            index += 1
            url = "".join(url_chars)
        else:
            url = "".join(out.chars[open_entity.text_index :])
        if entity_type == "custom_emoji":
            emoji_id = url.removeprefix("tg://emoji?id=")
            if not emoji_id.isdigit():
                return index
            entity["custom_emoji_id"] = emoji_id
        else:
            if "://" not in url and not url.startswith("tg:"):
                url = f"http://{url}"
            entity["url"] = url
    else:
        index += 1
    if entity["length"] > 0:
        entities.append(entity)
    return index


def parse_markdown_legacy(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities for the legacy parse_mode=Markdown; raises EntityParseError."""
    out = _Output()
    entities: list[Entity] = []
    index = 0
    length = len(source)
    while index < length:
        char = source[index]
        if char == "\\" and _at(source, index + 1) in ("_", "*", "`", "["):
            out.append(source[index + 1])
            index += 2
            continue
        if char not in "_*`[":
            out.append(char)
            index += 1
            continue
        begin_byte_offset = len(source[:index].encode("utf-8"))
        start = out.position
        language = ""
        if source.startswith("```", index):
            entity_type, end_marker = "pre", "```"
            index += 3
            language_end = index
            while language_end < length and source[language_end] not in " \n`":
                language_end += 1
            if language_end < length and source[language_end] == "\n":
                language = source[index:language_end]
                index = language_end + 1
        else:
            entity_type, end_marker = {
                "_": ("italic", "_"),
                "*": ("bold", "*"),
                "`": ("code", "`"),
                "[": ("text_link", "]"),
            }[char]
            index += 1
        end = source.find(end_marker, index)
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {begin_byte_offset}"
            )
        for inner in source[index:end]:
            out.append(inner)
        index = end + len(end_marker)
        entity: Entity = {"type": entity_type, "offset": start, "length": out.position - start}
        if entity_type == "pre" and language:
            entity["language"] = language
        if entity_type == "text_link":
            if _at(source, index) != "(":
                continue  # "[text]" without a URL is plain text in legacy Markdown
            url_end = source.find(")", index)
            if url_end == -1:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {begin_byte_offset}"
                )
            entity["url"] = source[index + 1 : url_end]
            index = url_end + 1
        if entity["length"] > 0:
            entities.append(entity)
    return out.text(), sort_entities(entities)
