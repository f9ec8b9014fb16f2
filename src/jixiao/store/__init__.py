"""Storage: SQLAlchemy 2 tables, Alembic migrations shipped in the package, repository functions.

Records are stored as JSON documents of the pydantic model (figures as the strings they were
written as, with their unit: ``"655.50万元"``) next to indexed key columns (unit, year, fund).
"""

from jixiao.store.db import DatabaseError, database_url, default_home, open_database
from jixiao.store.repository import (
    ImportOutcome,
    SaveCounts,
    find_unit,
    get_department,
    get_fund_years,
    get_projects,
    import_files,
    list_units,
    load_dataset,
    save_dataset,
)

__all__ = [
    "DatabaseError",
    "ImportOutcome",
    "SaveCounts",
    "database_url",
    "default_home",
    "find_unit",
    "get_department",
    "get_fund_years",
    "get_projects",
    "import_files",
    "list_units",
    "load_dataset",
    "open_database",
    "save_dataset",
]
