"""The fill-in workbook (填报工作簿) as output: the blank template and a unit-year's data exported
into it, both laid out by :mod:`jixiao.ingest.workbook.layout` (which the reader uses too)."""

from jixiao.write.workbook.fill import fill_workbook, write_filled
from jixiao.write.workbook.template import build_template, write_template

__all__ = ["build_template", "fill_workbook", "write_filled", "write_template"]
