"""A workbook's package checked before it is opened: bounded work for any upload.

openpyxl builds every cell of every sheet in memory (about 0.7 KB a cell here) and reads each
XML part whole, so a 7 MB upload whose one sheet unzips to 100 MB of XML cost 1.6 GB and half a
minute. A fill-in form is small — a few thousand cells — so the package is measured first, from
the zip's directory and one streaming pass over each sheet, in constant memory:

* every part, and all of them together, within an unzipped size (the zip reader stops at the
  declared size, so a part cannot lie its way past it);
* every sheet within a number of cells, counted while streaming its XML;
* no XML part with a document type declaration (``<!DOCTYPE``/``<!ENTITY``): Excel and WPS never
  write one, and it is how entity-expansion attacks start (it also made the XML parser fail
  with an uncaught error).

Each refusal is a :class:`~jixiao.problems.Problem` with one Chinese sentence, before any of
that memory is spent.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from jixiao.problems import Problem

#: one XML part unzipped (a sheet of a fill-in form is well under 1 MB)
MAX_PART_BYTES = 16 * 1024 * 1024
#: every part together, unzipped
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: cells in one sheet (a fill-in form has a few thousand; openpyxl needs ~0.7 KB each)
MAX_CELLS = 100_000
MAX_PARTS = 2000
_CHUNK = 1024 * 1024
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Cells (``<c`` elements) in a sheet's XML, counted while streaming it; stops past the limit."""
    count = 0
    tail = b""
    with archive.open(info) as stream:
        while count <= MAX_CELLS:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            window = tail + chunk
            count += window.count(b"<c ") + window.count(b"<c>") - tail.count(b"<c ") - tail.count(b"<c>")
            tail = window[-3:]
    return count


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A DOCTYPE can only stand in the prolog, before the root element: the head is enough."""
    with archive.open(info) as stream:
        head = stream.read(4096)
    return any(mark in head for mark in _DTD_MARKS)


def check_package(file: Path | bytes, source: str) -> list[Problem]:
    """Problems that forbid opening the workbook at all (empty: go ahead)."""
    def refuse(code: str, message: str) -> list[Problem]:
        return [Problem(code, message, source=source)]

    try:
        with zipfile.ZipFile(io.BytesIO(file) if isinstance(file, bytes) else file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                return refuse("JX-WB-011", f"工作簿内含 {len(infos)} 个部件，超过上限 {MAX_PARTS}，不是填报工作簿")
            total = sum(i.file_size for i in infos)
            if total > MAX_TOTAL_BYTES:
                return refuse("JX-WB-011", f"工作簿解压后有 {_mb(total)}，超过上限 {_mb(MAX_TOTAL_BYTES)}，"
                                           "不是填报工作簿（是否含有大量空行、格式或图片？）")
            for info in infos:
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                if info.file_size > MAX_PART_BYTES:
                    return refuse("JX-WB-011", f"工作簿的部件 {info.filename} 解压后有 {_mb(info.file_size)}，"
                                               f"超过上限 {_mb(MAX_PART_BYTES)}"
                                               "（填报表不会这么大，是否含有大量空行或格式？）")
                if _has_dtd(archive, info):
                    return refuse("JX-WB-001", f"无法打开工作簿：部件 {info.filename} 含有文档类型声明（DTD），"
                                               "Excel 和 WPS 保存的文件不会有，拒绝读取")
                if info.filename.startswith("xl/worksheets/") and (cells := _cells(archive, info)) > MAX_CELLS:
                    return refuse("JX-WB-011", f"工作簿的工作表 {info.filename} 有超过 {MAX_CELLS} 个单元格"
                                               f"（已数到 {cells} 个），不是填报表，拒绝读取")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        return refuse("JX-WB-001", f"无法打开工作簿：不是有效的 .xlsx 文件（{type(exc).__name__}）")
    return []


__all__ = ["MAX_CELLS", "MAX_PART_BYTES", "MAX_TOTAL_BYTES", "check_package"]
