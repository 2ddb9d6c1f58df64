"""The bot's texts as Fluent files, compiled once per language on first use.

Files (shipped inside the package, found through importlib.resources)::

    bot/texts/locales/<lang>/*.ftl          texts for t(), split by area (card.ftl, login.ftl…)
    bot/texts/locales/<lang>/errors/*.ftl   explain_error's entries and component names

Message ids. Fluent ids cannot contain dots, so a text key maps to its id by replacing every
"." with "-": ``card.phase.talk`` <-> ``card-phase-talk``. Keys are made of a-z, 0-9, "_" and
".", so the mapping is one-to-one. In errors/*.ftl:

    invalid_state                  the entry of a mnemonic (as UIS spells it)
    invalid_state--make-call       its refinement for method "make.call" ("@" -> "--", "." -> "-")
    outcome_unknown--start         ... for a method group (every start.* method)
    limit_exceeded--day            ... for a limit type
    unknown--code-32002            ... for an error code ("code" before the number)
    component-basic_set            a component's name as the personal account shows it

An entry's texts are attributes: ``.title``, ``.explanation``, ``.action``; further variants
``.explanation-2``, ``.explanation-3``… follow in order, and explain_error uses the first whose
variables are all known (so the last one should need nothing but ``$mnemonic``). A refinement
may leave out an attribute to keep the base entry's text. Terms (``-bot-bug``) hold texts that
several entries share.

Variables reach Fluent as strings only: t() and explain_error escape (or str()) them first, so
Fluent never formats numbers by locale (1000 stays "1000") and, compiled with
``use_isolating=False``, never wraps them in bidi isolation marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.texts.lang import Lang

if TYPE_CHECKING:
    from fluent_compiler.resource import FtlResource

# A compiled message or attribute: (arguments, errors list) -> text.
Render = Callable[[Mapping[str, str], list[Exception]], str]

_ERRORS_FOLDER = "errors"
_COMPONENT_PREFIX = "component-"
_REFINEMENT = "--"
_CODE_SELECTOR = re.compile(r"code(-?\d+)")
_MESSAGE_ID = re.compile(r"^([a-zA-Z][a-zA-Z0-9_-]*) *=", re.MULTILINE)


def key_to_id(key: str) -> str:
    """Fluent message id of text ``key``: "card.phase.talk" -> "card-phase-talk"."""
    return key.replace(".", "-")


def id_to_key(message_id: str) -> str:
    """Text key of Fluent message id: "card-phase-talk" -> "card.phase.talk"."""
    return message_id.replace("-", ".")


def error_key_to_id(key: str) -> str:
    """Fluent id of an error entry: "invalid_state@make.call" -> "invalid_state--make-call"."""
    mnemonic, _, selector = key.partition("@")
    if not selector:
        return mnemonic
    if selector.lstrip("-").isdigit():
        return f"{mnemonic}{_REFINEMENT}code{selector}"
    return f"{mnemonic}{_REFINEMENT}{selector.replace('.', '-')}"


def error_id_to_key(message_id: str) -> str:
    """Error entry key of a Fluent id: "unknown--code-32002" -> "unknown@-32002"."""
    mnemonic, _, selector = message_id.partition(_REFINEMENT)
    if not selector:
        return mnemonic
    code = _CODE_SELECTOR.fullmatch(selector)
    return f"{mnemonic}@{code.group(1) if code else selector.replace('-', '.')}"


@dataclass(frozen=True, slots=True)
class Template:
    """One compiled pattern and the variables it uses (in order of first use)."""

    render: Render
    variables: tuple[str, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.variables)


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """Variants of the three texts of one error entry; an empty tuple = not set here."""

    title: tuple[Template, ...]
    explanation: tuple[Template, ...]
    action: tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything one language has: texts by key, error entries by key, component names."""

    lang: Lang
    texts: Mapping[str, Template]
    errors: Mapping[str, ErrorEntry]
    components: Mapping[str, str]


class CatalogError(ValueError):
    """A .ftl file that does not parse or compile: a broken deployment, not a user's fault."""


_CATALOGS: dict[Lang, Catalog] = {}


def catalog(lang: Lang) -> Catalog:
    """The compiled catalog of ``lang`` (compiled on the first call, then kept)."""
    loaded = _CATALOGS.get(lang)
    if loaded is None:
        loaded = _CATALOGS[lang] = _load(lang)
    return loaded


def locale_folder(lang: Lang | str) -> Traversable:
    """The folder with the .ftl files of ``lang``."""
    return resources.files("bot.texts").joinpath("locales", Lang(lang).value)


def text_files(lang: Lang | str) -> list[Traversable]:
    """The .ftl files of t()'s texts in ``lang``, by name."""
    return _ftl_files(locale_folder(lang))


def error_files(lang: Lang | str) -> list[Traversable]:
    """The .ftl files of explain_error's entries in ``lang``, by name."""
    return _ftl_files(locale_folder(lang).joinpath(_ERRORS_FOLDER))


def scan_text_keys(lang: Lang) -> frozenset[str]:
    """Text keys defined for ``lang``, read without compiling anything (cheap, for imports)."""
    return frozenset(
        id_to_key(match.group(1))
        for file in text_files(lang)
        for match in _MESSAGE_ID.finditer(file.read_text(encoding="utf-8"))
    )


def scan_error_keys(lang: Lang) -> frozenset[str]:
    """Error entry keys (not component names) defined for ``lang``, read without compiling."""
    return frozenset(
        error_id_to_key(match.group(1))
        for file in error_files(lang)
        for match in _MESSAGE_ID.finditer(file.read_text(encoding="utf-8"))
        if not match.group(1).startswith(_COMPONENT_PREFIX)
    )


def variables_of(pattern: ast.Pattern) -> tuple[str, ...]:
    """Names of the variables a pattern uses, in order of first use (terms see none)."""
    collector = _VariableCollector()
    collector.visit(pattern)
    return tuple(dict.fromkeys(collector.names))


class _VariableCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.append(node.id.name)


def _ftl_files(folder: Traversable) -> list[Traversable]:
    return sorted(
        (item for item in folder.iterdir() if item.is_file() and item.name.endswith(".ftl")),
        key=lambda item: item.name,
    )


def _parse(files: list[Traversable]) -> tuple[list[FtlResource], list[ast.Message]]:
    # Imported on first use: fluent_compiler pulls in babel, which importing bot.texts avoids.
    from fluent_compiler.resource import FtlResource

    parser = FluentParser(with_spans=False)
    ftl_resources: list[FtlResource] = []
    messages: list[ast.Message] = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        resource = parser.parse(text)
        for entry in resource.body:
            if isinstance(entry, ast.Junk):
                raise CatalogError(f"{file.name}: cannot parse {entry.content!r}")
            if isinstance(entry, ast.Message):
                messages.append(entry)
        ftl_resources.append(FtlResource(text=text, filename=str(file)))
    return ftl_resources, messages


def _compile(lang: Lang, ftl_resources: list[FtlResource]) -> Mapping[str, Render]:
    from fluent_compiler.compiler import compile_messages

    compiled = compile_messages(lang.value, ftl_resources, use_isolating=False)
    if compiled.errors:
        raise CatalogError(f"{lang.value}: {compiled.errors[0]!r}")
    functions: Mapping[str, Render] = compiled.message_functions
    return functions


def _load(lang: Lang) -> Catalog:
    text_resources, text_messages = _parse(text_files(lang))
    text_functions = _compile(lang, text_resources)
    texts: dict[str, Template] = {}
    for message in text_messages:
        if message.value is None:
            raise CatalogError(f"{lang.value}: text {message.id.name} has no value")
        texts[id_to_key(message.id.name)] = Template(
            text_functions[message.id.name], variables_of(message.value)
        )

    error_resources, error_messages = _parse(error_files(lang))
    error_functions = _compile(lang, error_resources)
    errors: dict[str, ErrorEntry] = {}
    components: dict[str, str] = {}
    for message in error_messages:
        message_id = message.id.name
        if message_id.startswith(_COMPONENT_PREFIX):
            name = message_id.removeprefix(_COMPONENT_PREFIX).replace("_", " ")
            components[name] = error_functions[message_id]({}, [])
            continue
        variants: dict[str, dict[int, Template]] = {"title": {}, "explanation": {}, "action": {}}
        for attribute in message.attributes:
            field, _, number = attribute.id.name.partition("-")
            if field not in variants or not (number or "1").isdigit():
                raise CatalogError(f"{lang.value}: {message_id}.{attribute.id.name}?")
            render = error_functions[f"{message_id}.{attribute.id.name}"]
            variants[field][int(number or 1)] = Template(render, variables_of(attribute.value))
        errors[error_id_to_key(message_id)] = ErrorEntry(
            *(tuple(found[n] for n in sorted(found)) for found in variants.values())
        )
    return Catalog(lang=lang, texts=texts, errors=errors, components=components)
