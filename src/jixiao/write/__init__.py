"""Report writers: the self-evaluation reports of a unit and year as .docx, .xlsx and .html.

``write_report(dataset, unit_code, year, out_dir)`` builds every report the data support
(fund expenditure, department overall, one per project — see :mod:`jixiao.write.outline`) and
writes each in the requested formats. Every sentence with a number comes from
:mod:`jixiao.write.narrative` (model figures as written, derived figures from ``jixiao.calc``);
charts come from :mod:`jixiao.write.charts` with the 文泉驿微米黑 font, or where the system lacks it
the CJK font bundled in ``write/fonts``. Every 自评表 is scored by a rule set (``rules``: default,
sichuan, hunan; :mod:`jixiao.write.scores`) unless ``scores`` are given, and followed by its 评分说明.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from jixiao.model import Dataset
from jixiao.rules import RuleSet
from jixiao.write.outline import department_report, fund_report, project_report, reports_for
from jixiao.write.report import Report
from jixiao.write.scores import RULESETS, score_tables
from jixiao.write.tables import RowScore, ScoreLine, SelfEvalScores, scores_from_data

FORMATS = ("docx", "xlsx", "html")


def write_files(report: Report, out_dir: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write one built report in each format; returns the paths written."""
    from jixiao.write.docx import write_docx
    from jixiao.write.html import write_html
    from jixiao.write.xlsx import write_xlsx

    writers = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html}
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        if fmt not in writers:
            raise ValueError(f"不支持的输出格式“{fmt}”（可用：{'、'.join(FORMATS)}）")
        paths.append(writers[fmt](report, out_dir / f"{report.file_stem}.{fmt}"))
    return paths


def write_report(
    dataset: Dataset,
    unit_code: str,
    year: int,
    out_dir: Path | str,
    formats: Iterable[str] = FORMATS,
    *,
    placeholders: bool = True,
    scores: Mapping[str, SelfEvalScores] | None = None,
    rules: RuleSet | str | None = "default",
    charts: bool = True,
) -> list[Path]:
    """Write every report of ``unit_code``/``year`` in ``formats`` into ``out_dir``.

    Unless ``scores`` are given, every 自评表 is scored by the rule set ``rules`` (``default``,
    ``sichuan``, ``hunan`` or a rule file; ``None``: the 分值/得分 written in the data).
    ``charts=False`` leaves the figures out (batch runs).
    Raises ``ValueError`` (Chinese message) when the dataset has nothing to report for them.
    """
    formats = tuple(formats)
    reports = reports_for(dataset, unit_code, year, placeholders=placeholders, scores=scores, rules=rules,
                          charts=charts)
    if not reports:
        raise ValueError(f"数据中没有单位“{unit_code}”{year}年度的基金、部门或项目数据，无法生成报告")
    paths: list[Path] = []
    for report in reports:
        paths += write_files(report, Path(out_dir), formats)
    return paths


__all__ = [
    "FORMATS",
    "RULESETS",
    "Report",
    "RowScore",
    "ScoreLine",
    "SelfEvalScores",
    "department_report",
    "fund_report",
    "project_report",
    "reports_for",
    "score_tables",
    "scores_from_data",
    "write_files",
    "write_report",
]
