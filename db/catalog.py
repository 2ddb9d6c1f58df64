"""The account catalog the Call API cannot list: employees, virtual numbers, scenarios, tags,
media files (UIS keeps them behind its separate Data API).

Admins maintain it by importing a JSON or CSV file (each section present in the file replaces
that section; absent sections stay as they are) or entry by entry. The bot reads it for pickers
and to put names on ids.

JSON::

    {"employees": [{"id": 100, "full_name": "Анна Смирнова", "phones": ["79160000100"]}],
     "virtual_numbers": [{"number": "74993720692", "name": "Sales"}],
     "scenarios": [{"id": 1, "name": "..."}], "tags": [...], "media_files": [...]}

CSV (one file, header required; ``phones`` separated by ``;``; for virtual numbers ``id`` is
the number)::

    section,id,name,phones
    employee,100,Анна Смирнова,79160000100
    virtual_number,74993720692,Sales,
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Base,
    CatalogEmployee,
    CatalogMediaFile,
    CatalogScenario,
    CatalogTag,
    CatalogVirtualNumber,
    NamedCatalogRow,
)
from db.types import utcnow

MAX_NAME_LENGTH = 256
MAX_REPORTED_PROBLEMS = 50
_PHONE_DECORATION = re.compile(r"[\s()\-.]")


class CatalogSection(enum.StrEnum):
    EMPLOYEES = "employees"
    VIRTUAL_NUMBERS = "virtual_numbers"
    SCENARIOS = "scenarios"
    TAGS = "tags"
    MEDIA_FILES = "media_files"


# CSV ``section`` column values (singular) -> section.
CSV_SECTIONS = {
    "employee": CatalogSection.EMPLOYEES,
    "virtual_number": CatalogSection.VIRTUAL_NUMBERS,
    "scenario": CatalogSection.SCENARIOS,
    "tag": CatalogSection.TAGS,
    "media_file": CatalogSection.MEDIA_FILES,
}
CSV_COLUMNS = ("section", "id", "name", "phones")

_NAMED_MODELS: dict[CatalogSection, type[NamedCatalogRow]] = {
    CatalogSection.SCENARIOS: CatalogScenario,
    CatalogSection.TAGS: CatalogTag,
    CatalogSection.MEDIA_FILES: CatalogMediaFile,
}


@dataclass(frozen=True, slots=True)
class EmployeeEntry:
    id: int
    full_name: str
    phones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VirtualNumberEntry:
    number: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class NamedEntry:
    """A scenario, tag or media file: an id and a name."""

    id: int
    name: str


@dataclass(slots=True)
class Catalog:
    """A parsed catalog file; a ``None`` section was absent from the file."""

    employees: list[EmployeeEntry] | None = None
    virtual_numbers: list[VirtualNumberEntry] | None = None
    scenarios: list[NamedEntry] | None = None
    tags: list[NamedEntry] | None = None
    media_files: list[NamedEntry] | None = None


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    location: str  # "employees[2]" (JSON) or "row 5" (CSV; the header is row 1)
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}, field '{self.field}': {self.message}"


class CatalogImportError(ValueError):
    """The file is invalid; nothing was imported. ``problems`` says where and what."""

    def __init__(self, problems: Sequence[CatalogProblem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:MAX_REPORTED_PROBLEMS])
        more = len(self.problems) - MAX_REPORTED_PROBLEMS
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"catalog file rejected: {shown}{suffix}")


@dataclass(slots=True)
class SectionChanges:
    added: int = 0
    updated: int = 0
    removed: int = 0


@dataclass(slots=True)
class CatalogImportSummary:
    sections: dict[CatalogSection, SectionChanges] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(
            f"{section.value}: +{changes.added} ~{changes.updated} -{changes.removed}"
            for section, changes in self.sections.items()
        )


# ---------------------------------------------------------------------------------------
# Validation of single values (shared by JSON and CSV)


class _Invalid(Exception):
    pass


def normalize_phone(value: Any, *, min_digits: int = 3) -> str:
    """Digits only: '+7 (916) 000-01-00' -> '79160000100'. Raises ValueError if not a number."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("expected a phone number as text")
    text = _PHONE_DECORATION.sub("", str(value)).removeprefix("+")
    if not text.isdigit() or not min_digits <= len(text) <= 15:
        raise ValueError(f"expected a phone number of {min_digits} to 15 digits")
    return text


def _identifier(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Invalid("expected a positive integer")
    return value


def _name(value: Any, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Invalid("must not be empty")
        return None
    if not isinstance(value, str):
        raise _Invalid("expected text")
    stripped = value.strip()
    if len(stripped) > MAX_NAME_LENGTH:
        raise _Invalid(f"longer than {MAX_NAME_LENGTH} characters")
    return stripped


def _phone(value: Any, min_digits: int) -> str:
    try:
        return normalize_phone(value, min_digits=min_digits)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _phones(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: list[Any] = [item for item in re.split(r"[;,]", value) if item.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise _Invalid("expected a list of phone numbers")
    phones: list[str] = []
    for item in items:
        phone = _phone(item, 3)
        if phone not in phones:
            phones.append(phone)
    return tuple(phones)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[CatalogProblem] = []

    def field(self, location: str, name: str, check: Any, value: Any) -> Any:
        try:
            return check(value)
        except _Invalid as exc:
            self.problems.append(CatalogProblem(location, name, str(exc)))
            return None


def _build_entry(
    section: CatalogSection, location: str, fields: Mapping[str, Any], collector: _Collector
) -> EmployeeEntry | VirtualNumberEntry | NamedEntry | None:
    before = len(collector.problems)
    entry: EmployeeEntry | VirtualNumberEntry | NamedEntry
    if section is CatalogSection.EMPLOYEES:
        identifier = collector.field(location, "id", _identifier, fields.get("id"))
        name_key = "full_name" if "full_name" in fields else "name"
        full_name = collector.field(location, name_key, _name, fields.get(name_key))
        phones = collector.field(location, "phones", _phones, fields.get("phones"))
        entry = EmployeeEntry(identifier, full_name, phones)
    elif section is CatalogSection.VIRTUAL_NUMBERS:
        number_key = "number" if "number" in fields else "id"
        number = collector.field(
            location, number_key, lambda value: _phone(value, 10), fields.get(number_key)
        )
        name = collector.field(
            location, "name", lambda value: _name(value, required=False), fields.get("name")
        )
        entry = VirtualNumberEntry(number, name)
    else:
        identifier = collector.field(location, "id", _identifier, fields.get("id"))
        name = collector.field(location, "name", _name, fields.get("name"))
        entry = NamedEntry(identifier, name)
    return entry if len(collector.problems) == before else None


def _entry_key(entry: EmployeeEntry | VirtualNumberEntry | NamedEntry) -> int | str:
    return entry.number if isinstance(entry, VirtualNumberEntry) else entry.id


def _add(
    catalog: Catalog,
    section: CatalogSection,
    entry: EmployeeEntry | VirtualNumberEntry | NamedEntry,
) -> None:
    entries: list[Any] | None = getattr(catalog, section.value)
    if entries is None:
        entries = []
        setattr(catalog, section.value, entries)
    entries.append(entry)


def _check_duplicates(
    catalog: Catalog, locations: dict[tuple[CatalogSection, int | str], list[str]]
) -> list[CatalogProblem]:
    problems: list[CatalogProblem] = []
    for (section, key), places in locations.items():
        if len(places) > 1:
            key_field = "number" if section is CatalogSection.VIRTUAL_NUMBERS else "id"
            problems.extend(
                CatalogProblem(place, key_field, f"duplicate {key} in {section.value}")
                for place in places[1:]
            )
    return problems


# ---------------------------------------------------------------------------------------
# Parsing


def parse_catalog(data: bytes | str, *, filename: str | None = None) -> Catalog:
    """Validate a JSON or CSV catalog file; raises ``CatalogImportError`` listing every problem.

    The format follows the file name's extension; without one, content starting with ``{`` is
    JSON and anything else CSV.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CatalogImportError(
                [CatalogProblem("file", "encoding", "not UTF-8 text")]
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    suffix = (filename or "").lower().rsplit(".", 1)[-1] if filename and "." in filename else ""
    is_json = suffix == "json" or (suffix != "csv" and text.lstrip().startswith("{"))
    return _parse_json(text) if is_json else _parse_csv(text)


def _parse_json(text: str) -> Catalog:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogImportError(
            [CatalogProblem(f"line {exc.lineno}", "json", f"not valid JSON: {exc.msg}")]
        ) from None
    if not isinstance(document, dict):
        raise CatalogImportError([CatalogProblem("file", "json", "expected a JSON object")])
    collector = _Collector()
    catalog = Catalog()
    keys: dict[tuple[CatalogSection, int | str], list[str]] = {}
    known = {section.value for section in CatalogSection}
    for key, items in document.items():
        if key not in known:
            if key not in {"account", "comment", "exported_at"}:  # informational keys
                collector.problems.append(
                    CatalogProblem(
                        key, "section", f"unknown section; expected one of {sorted(known)}"
                    )
                )
            continue
        section = CatalogSection(key)
        if not isinstance(items, list):
            collector.problems.append(CatalogProblem(key, "section", "expected a list"))
            continue
        setattr(catalog, section.value, [])
        for index, item in enumerate(items):
            location = f"{key}[{index}]"
            if not isinstance(item, dict):
                collector.problems.append(CatalogProblem(location, "entry", "expected an object"))
                continue
            entry = _build_entry(section, location, item, collector)
            if entry is not None:
                _add(catalog, section, entry)
                keys.setdefault((section, _entry_key(entry)), []).append(location)
    problems = collector.problems + _check_duplicates(catalog, keys)
    if problems:
        raise CatalogImportError(problems)
    return catalog


def _parse_csv(text: str) -> Catalog:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise CatalogImportError([CatalogProblem("row 1", "header", "the file is empty")]) from None
    except csv.Error as exc:
        raise CatalogImportError([CatalogProblem("row 1", "header", str(exc))]) from None
    missing = [column for column in ("section", "id", "name") if column not in header]
    if missing:
        raise CatalogImportError(
            [
                CatalogProblem(
                    "row 1", "header", f"missing column(s) {missing}; expected {list(CSV_COLUMNS)}"
                )
            ]
        )
    collector = _Collector()
    catalog = Catalog()
    keys: dict[tuple[CatalogSection, int | str], list[str]] = {}
    try:
        for row_number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            location = f"row {row_number}"
            if len(values) > len(header):
                collector.problems.append(
                    CatalogProblem(
                        location, "columns", f"{len(values)} values, header has {len(header)}"
                    )
                )
                continue
            fields = dict(zip(header, (value.strip() for value in values), strict=False))
            section_name = fields.get("section", "").lower()
            section = CSV_SECTIONS.get(section_name)
            if section is None:
                collector.problems.append(
                    CatalogProblem(location, "section", f"expected one of {sorted(CSV_SECTIONS)}")
                )
                continue
            if section is CatalogSection.EMPLOYEES:
                fields = {**fields, "full_name": fields.get("name", "")}
            entry = _build_entry(section, location, fields, collector)
            if entry is not None:
                _add(catalog, section, entry)
                keys.setdefault((section, _entry_key(entry)), []).append(location)
    except csv.Error as exc:
        collector.problems.append(CatalogProblem(f"row {reader.line_num}", "csv", str(exc)))
    problems = collector.problems + _check_duplicates(catalog, keys)
    if problems:
        raise CatalogImportError(problems)
    return catalog


# ---------------------------------------------------------------------------------------
# Storing


async def apply_catalog(session: AsyncSession, catalog: Catalog) -> CatalogImportSummary:
    """Replace every section present in ``catalog`` with its entries."""
    summary = CatalogImportSummary()
    if catalog.employees is not None:
        summary.sections[CatalogSection.EMPLOYEES] = await _replace_employees(
            session, catalog.employees
        )
    if catalog.virtual_numbers is not None:
        summary.sections[CatalogSection.VIRTUAL_NUMBERS] = await _replace_virtual_numbers(
            session, catalog.virtual_numbers
        )
    for section in _NAMED_MODELS:
        entries: list[NamedEntry] | None = getattr(catalog, section.value)
        if entries is not None:
            summary.sections[section] = await _replace_named(session, section, entries)
    await session.flush()
    return summary


async def import_catalog(
    session: AsyncSession, data: bytes | str, *, filename: str | None = None
) -> CatalogImportSummary:
    """Parse and store a catalog file in the caller's transaction (all or nothing)."""
    return await apply_catalog(session, parse_catalog(data, filename=filename))


async def _replace_employees(
    session: AsyncSession, entries: Sequence[EmployeeEntry]
) -> SectionChanges:
    changes = SectionChanges()
    existing = {row.id: row for row in (await session.scalars(select(CatalogEmployee))).all()}
    now = utcnow()
    for entry in entries:
        row = existing.pop(entry.id, None)
        if row is None:
            session.add(
                CatalogEmployee(
                    id=entry.id,
                    full_name=entry.full_name,
                    phones=list(entry.phones),
                    updated_at=now,
                )
            )
            changes.added += 1
        elif row.full_name != entry.full_name or list(row.phones) != list(entry.phones):
            row.full_name = entry.full_name
            row.phones = list(entry.phones)
            changes.updated += 1
    for row in existing.values():
        await session.delete(row)
        changes.removed += 1
    return changes


async def _replace_virtual_numbers(
    session: AsyncSession, entries: Sequence[VirtualNumberEntry]
) -> SectionChanges:
    changes = SectionChanges()
    existing = {
        row.number: row for row in (await session.scalars(select(CatalogVirtualNumber))).all()
    }
    for entry in entries:
        row = existing.pop(entry.number, None)
        if row is None:
            session.add(CatalogVirtualNumber(number=entry.number, name=entry.name))
            changes.added += 1
        elif row.name != entry.name:
            row.name = entry.name
            changes.updated += 1
    for row in existing.values():
        await session.delete(row)
        changes.removed += 1
    return changes


async def _replace_named(
    session: AsyncSession, section: CatalogSection, entries: Sequence[NamedEntry]
) -> SectionChanges:
    model = _NAMED_MODELS[section]
    changes = SectionChanges()
    existing = {row.id: row for row in (await session.scalars(select(model))).all()}
    for entry in entries:
        row = existing.pop(entry.id, None)
        if row is None:
            session.add(model(id=entry.id, name=entry.name))
            changes.added += 1
        elif row.name != entry.name:
            row.name = entry.name
            changes.updated += 1
    for row in existing.values():
        await session.delete(row)
        changes.removed += 1
    return changes


# ---------------------------------------------------------------------------------------
# Reading


async def list_employees(session: AsyncSession) -> Sequence[CatalogEmployee]:
    return (
        await session.scalars(select(CatalogEmployee).order_by(CatalogEmployee.full_name))
    ).all()


async def list_virtual_numbers(session: AsyncSession) -> Sequence[CatalogVirtualNumber]:
    return (
        await session.scalars(select(CatalogVirtualNumber).order_by(CatalogVirtualNumber.number))
    ).all()


async def list_scenarios(session: AsyncSession) -> Sequence[CatalogScenario]:
    return (await session.scalars(select(CatalogScenario).order_by(CatalogScenario.id))).all()


async def list_tags(session: AsyncSession) -> Sequence[CatalogTag]:
    return (await session.scalars(select(CatalogTag).order_by(CatalogTag.id))).all()


async def list_media_files(session: AsyncSession) -> Sequence[CatalogMediaFile]:
    return (await session.scalars(select(CatalogMediaFile).order_by(CatalogMediaFile.id))).all()


async def get_employee(session: AsyncSession, employee_id: int) -> CatalogEmployee | None:
    return await session.get(CatalogEmployee, employee_id)


async def catalog_is_empty(session: AsyncSession) -> bool:
    models: tuple[type[Base], ...] = (
        CatalogEmployee,
        CatalogVirtualNumber,
        CatalogScenario,
        CatalogTag,
        CatalogMediaFile,
    )
    for model in models:
        if await session.scalar(select(model).limit(1)) is not None:
            return False
    return True
