"""The fill-in workbook (填报工作簿) as input: its layout (shared with the writer of the blank and
pre-filled workbook, :mod:`jixiao.write.workbook`), cell reading rules, and the reader."""

from jixiao.ingest.workbook.reader import read_loaded, read_workbook, read_workbook_bytes

__all__ = ["read_loaded", "read_workbook", "read_workbook_bytes"]
