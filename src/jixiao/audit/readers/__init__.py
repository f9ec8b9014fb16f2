"""Read a report file (txt, md, html, docx, pdf) into a :class:`~jixiao.audit.document.Document`.

:func:`read_document` is the only entry point. It never lets a library exception escape: any
input that cannot be read becomes a :class:`~jixiao.audit.document.ReadError` whose Chinese
message says which file and why (not found, too large, zip bomb, corrupt, scanned PDF...).

One module per job: :mod:`.dispatch` opens the file within its limits and tells its format;
:mod:`.encoding` decodes text files; :mod:`.text_reader` (with :mod:`.text_tables`),
:mod:`.html_reader`, :mod:`.docx_reader` and :mod:`.pdf_reader` read one format each;
:mod:`.table_unit` finds the unit a table declares (all formats); :mod:`.limits` holds the
size limits that keep a hostile file from exhausting memory.

What each format gives (``Document.blocks`` holds every piece of text once, in reading order):

* **txt / md** — one :class:`Block` per line of the file (``line`` 1-based, also for empty
  lines, so ``blocks[i].line == i + 1``), ``source_text`` the line as decoded, ``text`` the
  normalised line. Encoding: BOM (UTF-8/16/32), UTF-16 without BOM (recognised by its NUL
  bytes), strict UTF-8, strict GB18030, then charset-normalizer. Tab-separated lines forming a
  grid (seed 001: one row per line; seed 003: one cell per line with a leading tab, rows
  separated by blank lines) and Markdown pipe tables are *also* exposed as :class:`Table`\\ s
  whose cells are extra ``kind="cell"`` blocks (``line`` = the line they stand on,
  ``source_text`` = that whole line, ``origin`` = offsets in it); these cell blocks are not
  repeated in ``Document.blocks``, which keep the lines. Empty cells are ``None``.
* **html** — parsed with the standard library parser: one block per source line holding the
  text that stands on that line (tags removed, entities decoded, ``<script>``/``<style>``
  dropped, cell boundaries become a tab); ``<table>`` rows and cells become :class:`Table`\\ s of
  extra cell blocks (``colspan``/``rowspan`` honoured: a merged cell appears once, at its
  top-left, covered positions are ``None``).
* **docx** — paragraphs and tables in body order (the ``w:body`` children, content controls
  included). A non-empty paragraph is a block with ``paragraph`` = its index among non-empty
  body paragraphs (0-based; headings get ``kind="heading"``). Each table cell is a
  ``kind="cell"`` block *in* ``Document.blocks`` (there is no other copy of its text) and in
  its :class:`Table`; cells merged with ``gridSpan``/``vMerge`` are read once.
* **pdf** — pdfplumber: the text of each page as blocks with ``page`` (1-based; lines that
  wrap at the right margin are joined into one block, the newline dropped in ``text`` but kept
  in ``source_text``), and ``extract_tables`` grids as tables of extra cell blocks. A PDF
  without any text layer is refused as a scan.

``Block.origin == []`` means the identity map (``text`` is ``source_text`` with at most
one-for-one character folds), which keeps clean text cheap.
"""

from jixiao.audit.readers.dispatch import read_bytes, read_document

__all__ = ["read_bytes", "read_document"]
