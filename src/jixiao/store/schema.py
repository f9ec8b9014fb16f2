"""Every table of the database, in one place (one metadata, one Alembic history).

Data (migration 0001 and later):

* ``imports``, ``units``, ``fund_years``, ``department_years``, ``projects`` — each record is a
  JSON document of its pydantic model plus indexed key columns. Why documents: the model is
  deep (a fund year has ~80 optional figures in nested groups) and grows with every report
  format met; a column per figure would need a migration per field and would still have to
  keep each figure's unit and written precision beside its value. The JSON document keeps every
  figure exactly as the pydantic model serialises it (``"655.50万元"``, ``"1.8067万人"``), so
  reading back gives the same :class:`~jixiao.numbers.Quantity`, digits and all. What is
  queried — unit, year, fund, scope, project name — is in real indexed columns.
* ``fund_periods`` — monthly and quarterly fund figures (migration 0010), documents like the
  annual records, keyed by unit, year, fund, scope and span.
* ``indicator_records``, ``indicator_values``, ``record_warnings`` — the engine's results kept
  beside each record (:mod:`jixiao.store.indicator_store`, migration 0003).
* ``data_revision`` — one row changed by triggers on every data write (:mod:`jixiao.store.revision`).

People (migration 0002): ``users``, ``web_sessions``, ``api_tokens``, ``login_attempts`` and the
change log ``audit_log`` (:mod:`jixiao.store.users`, :mod:`jixiao.store.changelog`). Secrets are
never stored in the clear: passwords as argon2 hashes, session ids and API tokens as SHA-256
digests of the random value the browser or script holds. The change log is append-only:
triggers created by the migration refuse UPDATE and DELETE on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime

#: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ImportRow(Base):
    """One input file as loaded: path, content hash, when, and what it held."""

    __tablename__ = "imports"
    __table_args__ = (UniqueConstraint("file", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(String(1000), nullable=True)  # the report transcribed
    units: Mapped[int] = mapped_column(Integer, default=0)
    fund_years: Mapped[int] = mapped_column(Integer, default=0)
    departments: Mapped[int] = mapped_column(Integer, default=0)
    projects: Mapped[int] = mapped_column(Integer, default=0)


class UnitRow(Base):
    """单位, a tree by ``parent``."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    parent: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True, index=True)
    region: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ruleset: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: the parent's (0005)
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class FundYearRow(Base):
    """基金年度数据: unit × year × fund × scope."""

    __tablename__ = "fund_years"
    __table_args__ = (
        UniqueConstraint("unit", "year", "fund", "scope"),
        Index(None, "year", "fund"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(40))
    #: 口径; '' when the file gives none (NULLs would not be unique in the key)
    scope: Mapped[str] = mapped_column(String(40), default="")
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class FundPeriodRow(Base):
    """基金月度、季度数据: unit × year × fund × scope × span (migration 0010), beside the annual
    records and versioned with them per unit-year."""

    __tablename__ = "fund_periods"
    __table_args__ = (
        UniqueConstraint("unit", "year", "fund", "scope", "span"),
        Index(None, "year", "fund"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(40), default="")
    #: the months covered as the model writes them: "1-6", "6", "4-6"
    span: Mapped[str] = mapped_column(String(10))
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class DepartmentYearRow(Base):
    """部门整体支出: unit × year."""

    __tablename__ = "department_years"
    __table_args__ = (UniqueConstraint("unit", "year"), Index(None, "year"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class ProjectRow(Base):
    """项目: unit × year × name."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("unit", "year", "name"), Index(None, "year"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


# --------------------------------------------------------------------------------------------
# The engine's results kept beside each record
# --------------------------------------------------------------------------------------------


class IndicatorRecordRow(Base):
    """One stored record whose indicators are in ``indicator_values``."""

    __tablename__ = "indicator_records"
    __table_args__ = (
        UniqueConstraint("kind", "unit", "year", "fund", "scope", "project"),
        # (year, kind, fund) and the columns a reader needs: a covering index, read in one range
        Index("ix_indicator_records_year_kind_fund", "year", "kind", "fund", "unit", "scope", "project", "engine",
              "stamp"),
        Index(None, "unit", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(40), default="")
    scope: Mapped[str] = mapped_column(String(40), default="")
    project: Mapped[str] = mapped_column(String(300), default="")
    #: sha256 of the record's stored JSON (and its fund siblings'), see :func:`record_digest`
    digest: Mapped[str] = mapped_column(String(64))
    #: :func:`engine_version` that computed the values
    engine: Mapped[str] = mapped_column(String(80))
    #: a random 40-bit number drawn at every write of the record's values: count and sum of the
    #: stamps of a set of records change whenever any of them is rewritten (:func:`records_token`)
    stamp: Mapped[int] = mapped_column(BigInteger)


class IndicatorValueRow(Base):
    """One indicator of one record, as the engine computed it."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("record_id", "indicator_id"),
        # the comparison's one query (year, indicator, kind, fund), covering what it reads
        Index("ix_indicator_values_year_indicator_id_record_kind_fund", "year", "indicator_id", "record_kind", "fund",
              "record_id", "value", "display"),
        Index(None, "unit", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("indicator_records.id", ondelete="CASCADE"))
    record_kind: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(40), default="")
    scope: Mapped[str] = mapped_column(String(40), default="")
    project: Mapped[str] = mapped_column(String(300), default="")
    indicator_id: Mapped[str] = mapped_column(String(80))
    #: the full-precision Decimal as text; NULL when not computable
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: IndicatorResult.display(): '15.30%' or '不可计算：缺少：支出预算'
    display: Mapped[str] = mapped_column(Text)
    value_unit: Mapped[str] = mapped_column(String(20))


class RecordWarningsRow(Base):
    """The warnings of one record under one rule set (JSON list, possibly empty)."""

    __tablename__ = "record_warnings"
    __table_args__ = (UniqueConstraint("record_id", "ruleset"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("indicator_records.id", ondelete="CASCADE"))
    #: :func:`ruleset_key`
    ruleset: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer, default=0)
    worst: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: [{"rule_id", "code", "severity", "message"}, ...], most serious first
    warnings: Mapped[str] = mapped_column(Text)


class DataRevisionRow(Base):
    """The single row (id 1) holding the current data revision."""

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# --------------------------------------------------------------------------------------------
# People: users, sessions, tokens, login attempts, the change log
# --------------------------------------------------------------------------------------------


class UserRow(Base):
    """用户: a login with one role; operators and reviewers are tied to a unit."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True, index=True)
    display_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A browser session. ``id_hash`` is SHA-256 of the cookie value; ``user_id`` is NULL before login."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    flashes: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class ApiTokenRow(Base):
    """An API token for scripts (``Authorization: Bearer ...``); acts as the user who made it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a token in lists
    #: "read" (只读) or "write" (读写), migration 0007; tokens made before it keep "write"
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginAttemptRow(Base):
    """One login attempt (for throttling): who tried, from where, whether it worked. A try refused
    by the throttle is not recorded."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "username", "at"), Index(None, "ip", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class UnitYearRow(Base):
    """One unit's year of data as a whole (migration 0007): ``version`` moves on with every write
    of its records, so a form, API call or workbook based on an older version is refused instead
    of overwriting what was saved meanwhile. ``status`` is where it stands in the workflow
    (migration 0008, :mod:`jixiao.model.workflow`): only a draft or a returned year is written."""

    __tablename__ = "unit_years"
    __table_args__ = (Index(None, "year", "status"),)

    unit: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    changed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class StatusEventRow(Base):
    """One move of a unit-year's status (migration 0008): who, when, from which status to which,
    at which data version, with the comment given. Append-only, like the change log."""

    __tablename__ = "unit_year_events"
    __table_args__ = (Index(None, "unit", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no FK: the history outlives users
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(12))
    status_from: Mapped[str] = mapped_column(String(12))
    status_to: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewCommentRow(Base):
    """A reviewer's comment on one item of a unit-year (a figure, a record or a report part),
    made with a status event (migration 0008). Append-only."""

    __tablename__ = "review_comments"
    __table_args__ = (Index(None, "unit", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("unit_year_events.id"), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    #: "figure:<record key>|<field path>", "record:<record key>" or "report:<part>"
    item: Mapped[str] = mapped_column(String(400))
    label: Mapped[str] = mapped_column(String(400))
    comment: Mapped[str] = mapped_column(Text)


class PendingImportRow(Base):
    """An uploaded workbook waiting for its uploader to confirm it after the preview (migration
    0008): kept server-side, tied to the user and to the versions it was previewed against,
    until it is confirmed, cancelled or expires."""

    __tablename__ = "pending_imports"

    #: SHA-256 of the random token the preview page holds
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: [[unit, year, version], ...]: the versions the preview was made against (0: no data then)
    versions: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WorkbookImportRow(Base):
    """A workbook imported on the web (migration 0008): the versions it made and the records it
    replaced, so that it can be undone while nothing has changed since."""

    __tablename__ = "workbook_imports"
    __table_args__ = (Index(None, "unit", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    #: {"unit/year": version made}
    made: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: [{"entity", "key", "old"}]: each record the import changed, as it was before (old null: new)
    replaced: Mapped[list[Any]] = mapped_column(JSON)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class KeptDashboardRow(Base):
    """A unit-year's dashboard as the engine made it (migration 0009), kept so that showing it
    costs a read instead of computing every record: the page's JSON, zlib-compressed, under the
    ``key`` of everything it was made from (:mod:`jixiao.store.pages`). Derived data: not in
    backups, not watched by the data revision; a row whose key no longer matches is stale."""

    __tablename__ = "kept_dashboards"

    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: :func:`jixiao.store.indicator_store.ruleset_key` of the rule set it was judged by
    ruleset: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    doc: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeptDashboardHtmlRow(Base):
    """A unit-year's dashboard content as the web rendered it (migration 0012), for one ``view``
    of it (the rule set shown, whether the viewer may edit), under the ``key`` of everything it
    shows: a first view in any process is then a read, not a render of 115 indicators. Derived
    data like :class:`KeptDashboardRow`: not in backups, made again when missing or stale."""

    __tablename__ = "kept_dashboard_html"

    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    view: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    html: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeptRollupRow(Base):
    """A parent unit's roll-up of a year as made (migration 0011), under the ``key`` of its whole
    subtree's records (:func:`jixiao.store.pages.subtree_content`): derived data like
    :class:`KeptDashboardRow`, made again when missing or stale."""

    __tablename__ = "kept_rollups"

    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the fund the children's figures are shown for; '' for the default choice
    fund: Mapped[str] = mapped_column(String(40), primary_key=True)
    ruleset: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    doc: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChangeLogRow(Base):
    """修改记录 (the change log, table ``audit_log``): who changed what, when, from which value to
    which. Append-only. An entry about a unit-year's data names it and the version its write
    made (migration 0007), so what changed after a given version is one query."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity", "key"), Index("ix_audit_log_unit_year_version", "unit", "year", "version"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no FK: the log outlives users
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    old: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    new: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)



#: the people tables
AUTH_TABLES = (UserRow, SessionRow, ApiTokenRow, LoginAttemptRow, ChangeLogRow)

#: data tables in dependency order (parents first)
TABLES = (ImportRow, UnitRow, FundYearRow, FundPeriodRow, DepartmentYearRow, ProjectRow)
#: the tables of stored indicator values
INDEX_TABLES = (IndicatorRecordRow, IndicatorValueRow, RecordWarningsRow)
RECORDS = cast(Table, IndicatorRecordRow.__table__)
VALUES = cast(Table, IndicatorValueRow.__table__)
WARNINGS = cast(Table, RecordWarningsRow.__table__)
