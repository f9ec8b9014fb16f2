"""Size limits for reading a report: a hostile or broken file (huge, a zip bomb, absurd table
spans) is refused or clamped before it can exhaust memory. Kept apart so that every reader
applies the same numbers and they can be reviewed in one place."""

from __future__ import annotations

from typing import Final

MAX_BYTES: Final = 64 * 1024 * 1024  # a report is a few MB at most; refuse more
MAX_UNZIPPED: Final = 200 * 1024 * 1024  # sum of declared sizes inside a docx
MAX_RATIO: Final = 200  # a member that inflates more than this (and is large) is a zip bomb
MAX_ZIP_MEMBERS: Final = 5000
MAX_PDF_PAGES: Final = 2000
MAX_SPAN: Final = 64  # colspan / gridSpan beyond this are clamped (real forms have a few dozen columns)
MAX_ROWSPAN: Final = 1000
MAX_SPAN_MARKS: Final = 200_000  # grid positions a table's merged cells may cover in total
MAX_COLUMNS: Final = 256  # cells beyond this column are left out of the grid (their text stays in the lines)


def mb(n: int) -> str:
    """A size in MB for a Chinese message (``64.0 MB``)."""
    return f"{n / 1024 / 1024:.1f} MB"
