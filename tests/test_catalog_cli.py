"""`callbot catalog import FILE`: the admin's /catalog from the server's shell."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import callbot

from db import catalog as catalog_store
from db.engine import create_engine, session_factory

CSV_CATALOG = """\
section,id,name,phones
employee,101,Иван Петров,79160000101;101
employee,102,Мария Иванова,79160000102
virtual_number,74993720692,Продажи,
scenario,7,Перезвон,
tag,11,Горячий клиент,
media_file,501,Музыка ожидания,
"""


async def test_import_stores_every_section_of_a_csv_file(tmp_path: Path) -> None:
    assert callbot(tmp_path, "migrate").returncode == 0
    (tmp_path / "catalog.csv").write_text(CSV_CATALOG, encoding="utf-8")
    imported = callbot(tmp_path, "catalog", "import", "catalog.csv")
    assert imported.returncode == 0, imported.stderr
    assert "employees: +2" in imported.stdout
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callbot.sqlite3'}")
    try:
        async with session_factory(engine)() as session:
            employees = await catalog_store.list_employees(session)
            numbers = await catalog_store.list_virtual_numbers(session)
            tags = await catalog_store.list_tags(session)
    finally:
        await engine.dispose()
    assert {row.id: row.full_name for row in employees} == {
        101: "Иван Петров",
        102: "Мария Иванова",
    }
    assert [row.number for row in numbers] == ["74993720692"]
    assert [(row.id, row.name) for row in tags] == [(11, "Горячий клиент")]


def test_a_broken_file_is_refused_with_its_line_and_field(tmp_path: Path) -> None:
    assert callbot(tmp_path, "migrate").returncode == 0
    broken = CSV_CATALOG.replace("employee,102,", "employee,abc,")
    (tmp_path / "catalog.csv").write_text(broken, encoding="utf-8")
    refused = callbot(tmp_path, "catalog", "import", "catalog.csv")
    assert refused.returncode == 2
    assert "catalog.csv: row 3, field 'id'" in refused.stderr
    assert "nothing imported" in refused.stderr

    document = {"employees": [{"id": 101, "full_name": "Иван Петров", "phones": ["x"]}]}
    (tmp_path / "catalog.json").write_text(json.dumps(document), encoding="utf-8")
    refused_json = callbot(tmp_path, "catalog", "import", "catalog.json")
    assert refused_json.returncode == 2
    assert "catalog.json: employees[0], field 'phones'" in refused_json.stderr


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = callbot(tmp_path, "catalog", "import", "nowhere.csv")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "nowhere.csv" in missing.stderr
