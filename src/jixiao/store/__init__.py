"""Storage: SQLAlchemy 2 tables (:mod:`~jixiao.store.schema`), Alembic migrations shipped in the
package, repository functions.

Records are stored as JSON documents of the pydantic model (figures as the strings they were
written as, with their unit: ``"655.50万元"``) next to indexed key columns (unit, year, fund).
Nothing here commits on its own behalf except where a function says so: the use case that calls
it owns the transaction (:mod:`jixiao.app`).
"""
