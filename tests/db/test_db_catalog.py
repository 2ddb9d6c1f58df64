"""Account catalog: JSON/CSV import with precise validation errors, admin edits, lookups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.catalog import (
    CatalogImportError,
    CatalogSection,
    catalog_is_empty,
    get_employee,
    import_catalog,
    list_employees,
    list_media_files,
    list_scenarios,
    list_tags,
    list_virtual_numbers,
    parse_catalog,
)
from sandbox.uis import demo_catalog_bytes

REPO = Path(__file__).resolve().parents[2]


def test_demo_catalog_file_matches_the_demo_account() -> None:
    assert (
        demo_catalog_bytes()
        == (REPO / "sandbox" / "uis" / "data" / "demo_catalog.json").read_bytes()
    )
    catalog = parse_catalog(demo_catalog_bytes(), filename="demo_catalog.json")
    assert catalog.employees is not None
    assert {(e.id, e.full_name, e.phones) for e in catalog.employees} == {
        (100, "Анна Смирнова", ("79160000100",)),
        (101, "Иван Петров", ("79160000101",)),
        (102, "Мария Иванова", ("79160000102",)),
        (103, "Олег Сидоров", ("79160000103",)),
    }
    assert [n.number for n in catalog.virtual_numbers or []] == ["74993720692", "74951234567"]
    assert {(s.id, s.name) for s in catalog.scenarios or []} == {
        (1, "Входящая линия продаж"),
        (2, "Опрос клиентов"),
    }
    assert {(t.id, t.name) for t in catalog.tags or []} == {
        (11, "Горячий клиент"),
        (12, "Спам"),
        (13, "Перезвонить"),
    }
    assert {(m.id, m.name) for m in catalog.media_files or []} == {
        (501, "Ожидание на линии"),
        (502, "Приветствие"),
    }


async def test_import_demo_catalog_then_look_things_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        assert await catalog_is_empty(session)
        summary = await import_catalog(session, demo_catalog_bytes(), filename="demo.json")
        assert summary.sections[CatalogSection.EMPLOYEES].added == 4
        assert "employees: +4" in str(summary)
    async with sessions() as session:
        assert not await catalog_is_empty(session)
        assert next(e.full_name for e in await list_employees(session)) == "Анна Смирнова"
        assert len(await list_virtual_numbers(session)) == 2
        assert [s.id for s in await list_scenarios(session)] == [1, 2]
        assert [t.id for t in await list_tags(session)] == [11, 12, 13]
        assert [m.id for m in await list_media_files(session)] == [501, 502]


async def test_reimport_replaces_present_sections_and_keeps_absent_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await import_catalog(session, demo_catalog_bytes(), filename="demo.json")
    update = {
        "employees": [
            {"id": 100, "full_name": "Анна Смирнова-Петрова", "phones": ["79160000100"]},
            {"id": 104, "full_name": "Новый Сотрудник", "phones": []},
        ]
    }
    async with sessions.begin() as session:
        summary = await import_catalog(session, json.dumps(update), filename="update.json")
        changes = summary.sections[CatalogSection.EMPLOYEES]
        assert (changes.added, changes.updated, changes.removed) == (1, 1, 3)
        assert CatalogSection.TAGS not in summary.sections
    async with sessions() as session:
        assert sorted(e.id for e in await list_employees(session)) == [100, 104]
        assert len(await list_tags(session)) == 3  # not in the file: untouched


def test_json_errors_say_where_and_what() -> None:
    document = {
        "employees": [
            {"id": 1, "full_name": "Ok", "phones": ["79160000100"]},
            {"id": "abc", "full_name": "", "phones": ["12"]},
            {"id": 1, "full_name": "Duplicate"},
        ],
        "virtual_numbers": [{"number": "123"}],
        "tagz": [],
    }
    with pytest.raises(CatalogImportError) as caught:
        parse_catalog(json.dumps(document), filename="catalog.json")
    problems = {(p.location, p.field) for p in caught.value.problems}
    assert problems == {
        ("employees[1]", "id"),
        ("employees[1]", "full_name"),
        ("employees[1]", "phones"),
        ("employees[2]", "id"),
        ("virtual_numbers[0]", "number"),
        ("tagz", "section"),
    }
    message = str(caught.value)
    assert "employees[1], field 'id': expected a positive integer" in message
    assert "employees[2], field 'id': duplicate 1 in employees" in message


def test_broken_json_reports_the_line() -> None:
    with pytest.raises(CatalogImportError, match="line 2"):
        parse_catalog('{"employees": [\n  {"id": 1,,}\n]}', filename="x.json")


CSV = """section,id,name,phones
employee,100,Анна Смирнова,79160000100
employee,101,Иван Петров,79160000101;+7 916 000-11-11
virtual_number,74993720692,Продажи,
scenario,1,Входящая линия продаж,
tag,11,Горячий клиент,
media_file,501,Ожидание на линии,
"""


async def test_csv_import(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        summary = await import_catalog(session, ("\ufeff" + CSV).encode(), filename="c.csv")
        assert set(summary.sections) == set(CatalogSection)
    async with sessions() as session:
        ivan = await get_employee(session, 101)
        assert ivan is not None
        assert ivan.phones == ["79160000101", "79160001111"]
        assert [n.name for n in await list_virtual_numbers(session)] == ["Продажи"]


def test_csv_errors_name_row_and_field() -> None:
    broken = (
        "section,id,name,phones\n"
        "employee,100,Анна,79160000100\n"
        "employee,x,Иван,\n"
        "planet,1,Mars,\n"
        "tag,11,,\n"
        "virtual_number,7499,Short,\n"
    )
    with pytest.raises(CatalogImportError) as caught:
        parse_catalog(broken, filename="catalog.csv")
    assert [str(problem) for problem in caught.value.problems] == [
        "row 3, field 'id': expected a positive integer",
        "row 4, field 'section': expected one of "
        "['employee', 'media_file', 'scenario', 'tag', 'virtual_number']",
        "row 5, field 'name': must not be empty",
        "row 6, field 'id': expected a phone number of 10 to 15 digits",
    ]
    with pytest.raises(CatalogImportError, match="missing column"):
        parse_catalog("kind,id\nemployee,1\n", filename="catalog.csv")
    with pytest.raises(CatalogImportError, match="not UTF-8"):
        parse_catalog(b"\xff\xfe\x00", filename="catalog.csv")
