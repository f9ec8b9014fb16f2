"""Size limits for reading a report: a hostile or broken file (huge, a zip bomb, absurd table
spans) is refused or clamped before it can exhaust memory. Kept apart so that every reader
applies the same numbers and they can be reviewed in one place."""

from __future__ import annotations

MAX_BYTES = 64 * 1024 * 1024  # a report is a few MB at most; refuse more
MAX_UNZIPPED = 200 * 1024 * 1024  # sum of declared sizes inside a docx
MAX_RATIO = 200  # a member that inflates more than this (and is large) is a zip bomb
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 2000
MAX_SPAN = 64  # colspan / gridSpan beyond this are clamped (real forms have a few dozen columns)
MAX_ROWSPAN = 1000
MAX_SPAN_MARKS = 200_000  # grid positions a table's merged cells may cover in total
MAX_COLUMNS = 256  # cells beyond this column are left out of the grid (their text stays in the lines)


def mb(n: int) -> str:
    """A size in MB for a Chinese message (``64.0 MB``)."""
    return f"{n / 1024 / 1024:.1f} MB"
