"""The monthly sheet (月度数据) read into plain period records: one row per 险种 × 口径 × 期间 of
the workbook's year, each figure by its column header (:data:`~jixiao.ingest.workbook.layout.PERIOD_SHEET`)."""

from __future__ import annotations

from typing import Any

from jixiao.ingest.workbook.book import Record, WorkbookReader
from jixiao.ingest.workbook.layout import PERIOD_SHEET, period_record_label
from jixiao.model.periods import parse_span


def _label(values: dict[str, Any]) -> str:
    span = str(values.get("span", ""))
    try:
        shown = parse_span(span).label
    except ValueError:
        shown = span
    return period_record_label(str(values.get("fund", "")), values.get("scope"), shown)


def read_period_sheet(r: WorkbookReader, periods: list[Record]) -> None:
    """Append a record to ``periods`` for every filled row of the monthly sheet (when the workbook
    has it); a row without its 险种 or 期间 is a problem, not a record."""
    ws = r.sheets.get(PERIOD_SHEET.name)
    columns = r.table_columns(ws, PERIOD_SHEET) if ws is not None else None
    if ws is None or columns is None:
        return
    for row in r.table_rows(ws, columns):
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for c in PERIOD_SHEET.columns:
            if c.key not in columns:
                continue
            v = r.value(ws, row, columns[c.key], c.field, f"{c.header}（第{row}行）")
            cells[c.key] = r.addr(ws, row, columns[c.key])
            if v is not None:
                values[c.key] = v
        missing = [c.header for c in PERIOD_SHEET.columns if c.required and c.key not in values]
        if missing:
            where = cells.get("fund" if "fund" not in values else "span", r.addr(ws, row, 1))
            r.problem("JX-WB-010", f"第{row}行缺少“{'”“'.join(missing)}”：每行写明险种和期间（如 1-6）", where)
            continue
        record = Record(("fund_periods", len(periods)), _label(values))
        for key, value in values.items():
            path = tuple(key.split("."))
            record.put(path, value)
            r.cells[(*record.loc, *path)] = cells[key]
        r.cells[record.loc] = r.addr(ws, row, 1)
        periods.append(record)


__all__ = ["read_period_sheet"]
