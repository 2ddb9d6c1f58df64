"""The account's catalog (employees, numbers, scenarios, media, tags) as the chat uses it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.unit_of_work import Database
from db import catalog as catalog_store
from db.catalog import CatalogImportError, CatalogSection
from db.models import CatalogEmployee, CatalogMediaFile, CatalogScenario, CatalogVirtualNumber

__all__ = [
    "CatalogImportError",
    "CatalogService",
    "CatalogVirtualNumber",
    "ImportCounts",
]


@dataclass(frozen=True)
class ImportCounts:
    """Entries added or updated per section by one import."""

    employees: int
    virtual_numbers: int
    scenarios: int
    media_files: int
    tags: int


class CatalogService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = Database(sessions)
        # Cards name employees and numbers from a cached catalog: an import must void it.
        self._on_change = on_change

    async def virtual_numbers(self) -> Sequence[CatalogVirtualNumber]:
        async with self._db.unit() as session:
            return await catalog_store.list_virtual_numbers(session)

    async def scenarios(self) -> Sequence[CatalogScenario]:
        async with self._db.unit() as session:
            return await catalog_store.list_scenarios(session)

    async def media_files(self) -> Sequence[CatalogMediaFile]:
        async with self._db.unit() as session:
            return await catalog_store.list_media_files(session)

    async def employee(self, employee_id: int) -> CatalogEmployee | None:
        async with self._db.unit() as session:
            return await catalog_store.get_employee(session, employee_id)

    async def has_virtual_number(self, number: str) -> bool:
        return any(row.number == number for row in await self.virtual_numbers())

    async def has_scenario(self, scenario_id: int | None) -> bool:
        return scenario_id is not None and any(
            row.id == scenario_id for row in await self.scenarios()
        )

    async def has_media_file(self, media_id: int | None) -> bool:
        return media_id is not None and any(row.id == media_id for row in await self.media_files())

    async def import_file(self, content: bytes, filename: str | None) -> ImportCounts:
        """Replace the catalog with a CSV or JSON file; raises ``CatalogImportError``
        (nothing changed) with the problems found."""
        async with self._db.unit() as session:
            summary = await catalog_store.import_catalog(session, content, filename=filename)
        self._on_change()

        def count(section: CatalogSection) -> int:
            changes = summary.sections.get(section)
            return 0 if changes is None else changes.added + changes.updated

        return ImportCounts(
            employees=count(CatalogSection.EMPLOYEES),
            virtual_numbers=count(CatalogSection.VIRTUAL_NUMBERS),
            scenarios=count(CatalogSection.SCENARIOS),
            media_files=count(CatalogSection.MEDIA_FILES),
            tags=count(CatalogSection.TAGS),
        )
