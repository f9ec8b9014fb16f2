"""Excel input: the fill-in workbook (填报工作簿) and reading it back into a Dataset.

* :func:`build_template` / :func:`write_template` — an empty workbook for fund, department or
  project data, laid out from the model's field titles (:mod:`jixiao.workbook.layout`);
* :func:`fill_workbook` / :func:`write_filled` — a Dataset's unit-year exported into that layout;
* :func:`read_workbook` — a filled workbook back into a :class:`~jixiao.model.Dataset`, every
  problem named by sheet and cell (``基金收入!C5``); any error → no dataset.

The float → Decimal rule for number cells is in :mod:`jixiao.workbook.cells`.
"""

from jixiao.workbook.fill import fill_workbook, write_filled
from jixiao.workbook.read import read_loaded, read_workbook
from jixiao.workbook.template import build_template, write_template

__all__ = ["build_template", "fill_workbook", "read_loaded", "read_workbook", "write_filled", "write_template"]
