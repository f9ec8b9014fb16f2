"""Report writers: the self-evaluation reports of a unit and year as .docx, .xlsx and .html,
each with its working paper (审核底稿, .xlsx) beside it.

``write_report(dataset, unit_code, year, out_dir)`` builds every report the data support (see
:func:`jixiao.write.outline.plan`: a part with no data makes none) in the outline of the unit's
region and kind (``write/outlines``), and writes each in the requested formats plus its working
paper. A submitted report holds only what a submitted report holds; formulas, rule names,
sources, checks and the list of what is left to fill in are in the working paper. Charts come
from :mod:`jixiao.write.figures` with the 文泉驿微米黑 font, or where the system lacks it the CJK font
bundled in ``write/fonts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from jixiao.model import Dataset
from jixiao.problems import Problem
from jixiao.rules import RuleSet
from jixiao.write.outline import Planned, department_report, fund_report, plan, reports_for
from jixiao.write.report import Report, WorkPaper
from jixiao.write.scores import RULESETS, score_tables
from jixiao.write.tables import RowScore, ScoreLine, SelfEvalScores, scores_from_data

FORMATS = ("docx", "xlsx", "html")
#: the suffix of a working paper's file name (before .xlsx)
WORKPAPER_SUFFIX = "_审核底稿"


def write_files(report: Report, out_dir: Path, formats: Iterable[str] = FORMATS, *,
                workpaper: bool = True) -> list[Path]:
    """Write one built report in each format, then its working paper; returns the paths written."""
    from jixiao.write.docx import write_docx
    from jixiao.write.html import write_html
    from jixiao.write.xlsx import write_workpaper, write_xlsx

    writers = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html}
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        if fmt not in writers:
            raise ValueError(f"不支持的输出格式“{fmt}”（可用：{'、'.join(FORMATS)}）")
        paths.append(writers[fmt](report, out_dir / f"{report.file_stem}.{fmt}"))
    if workpaper and report.workpaper is not None:
        paths.append(write_workpaper(report.workpaper, out_dir / f"{report.workpaper.file_stem}.xlsx"))
    return paths


def is_workpaper(path: Path | str) -> bool:
    return Path(path).stem.endswith(WORKPAPER_SUFFIX)


def notices(dataset: Dataset, unit_code: str, year: int, reports: Iterable[Report]) -> list[Problem]:
    """What a preparer must know about the reports written (each also in the working paper): the
    unit missing from the unit table, the parts with no report, the data that disagree with the
    computation, what is left to fill in."""
    where = f"{unit_code}/{year}"
    out: list[Problem] = []
    if dataset.unit(unit_code) is None:
        out.append(Problem("JX-RPT-001", f"单位“{unit_code}”不在单位表中：报告中的单位名称留待填写，自评表和风险提示按"
                           "全国默认规则集；请把单位表与数据一并载入", "warning", None, where))
    for planned in plan(dataset, unit_code, year):
        if not planned.made:
            out.append(Problem("JX-RPT-002", f"未生成{planned.title}：{planned.reason}", "info", None, where))
    for report in reports:
        paper = report.workpaper
        if paper is None:
            continue
        todo = next((g for g in paper.sheets if g.key == "todo"), None)
        rows = [[c.text for c in row] for row in todo.rows()[1:]] if todo is not None else []
        check = [r for r in rows if len(r) > 1 and r[1] == "待核实"]
        fill = [r for r in rows if len(r) > 1 and r[1] == "待填写"]
        if check:
            out.append(Problem("JX-RPT-003", f"{report.title}：{len(check)} 处数据与计算不一致（"
                               + "、".join(f"{r[2]}{r[3]}" for r in check[:3]) + ("等" if len(check) > 3 else "")
                               + "），见审核底稿", "warning", None, where))
        if fill:
            out.append(Problem("JX-RPT-004", f"{report.title}：{len(fill)} 处待填写（"
                               + "、".join(r[3] for r in fill[:3]) + ("等" if len(fill) > 3 else "") + "），见审核底稿",
                               "info", None, where))
    return out


def write_report(
    dataset: Dataset,
    unit_code: str,
    year: int,
    out_dir: Path | str,
    formats: Iterable[str] = FORMATS,
    *,
    placeholders: bool = True,
    scores: Mapping[str, SelfEvalScores] | None = None,
    rules: RuleSet | str | None = None,
    charts: bool = True,
    workpapers: bool = True,
) -> list[Path]:
    """Write every report of ``unit_code``/``year`` in ``formats`` into ``out_dir``, each followed
    by its working paper (unless ``workpapers=False``).

    ``rules`` (a rule set, a shipped name or a rule file; None: the unit's own) picks the outlines
    and the warnings, and scores every 自评表 unless ``scores`` are given. ``charts=False`` leaves
    the figures out (batch runs). Raises ``ValueError`` (Chinese message) when the dataset has
    nothing to report for them.
    """
    formats = tuple(formats)
    reports = reports_for(dataset, unit_code, year, placeholders=placeholders, scores=scores, rules=rules,
                          charts=charts)
    if not reports:
        why = "；".join(p.reason for p in plan(dataset, unit_code, year) if p.reason)
        raise ValueError(f"数据中没有单位“{unit_code}”{year}年度可写成报告的基金、部门或项目数据，无法生成报告"
                         + (f"（{why}）" if why else ""))
    paths: list[Path] = []
    for report in reports:
        paths += write_files(report, Path(out_dir), formats, workpaper=workpapers)
    return paths


__all__ = [
    "FORMATS",
    "RULESETS",
    "WORKPAPER_SUFFIX",
    "Planned",
    "Report",
    "RowScore",
    "ScoreLine",
    "SelfEvalScores",
    "WorkPaper",
    "department_report",
    "fund_report",
    "is_workpaper",
    "notices",
    "plan",
    "reports_for",
    "score_tables",
    "scores_from_data",
    "write_files",
    "write_report",
]
