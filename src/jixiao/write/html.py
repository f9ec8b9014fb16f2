"""HTML output: one self-contained page (inline CSS, charts as base64 PNG, no external URL).

The page reads like the printed report (仿宋/宋体 stack for the body, 黑体 stack for headings) and
prints on A4. Generated sentences and officer-written text are marked with a class so a reader
(or a test) can tell them apart; the placeholder for missing officer text is shown in grey.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from jixiao.write.report import CoverLine, Figure, Grid, Paragraph, Report, Section

CSS = """
@page { size: A4; margin: 3.7cm 2.6cm 3.5cm 2.8cm; }
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "SimSun", "宋体",
       "Noto Serif CJK SC", "WenQuanYi Micro Hei", serif; font-size: 16pt; line-height: 28pt; color: #000;
       max-width: 46em; margin: 2em auto; padding: 0 1em; background: #fff; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "SimSun", "宋体", serif; font-size: 22pt;
     line-height: 36pt; text-align: center; font-weight: normal; margin: 0.5em 0 0.2em; }
.subtitle, .unit { text-align: center; text-indent: 0; }
h2, h3, h4 { font-size: 16pt; margin: 0; text-indent: 2em; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-weight: normal; }
h3 { font-family: "楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", serif; font-weight: normal; }
h4 { font-weight: bold; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.placeholder { color: #888; background: #fff7cc; }
.cover { text-align: center; margin: 6em 0 8em; page-break-after: always; }
.cover .lines, .signature { text-align: left; text-indent: 0; margin: 3em 0 0 8em; }
.signature { margin: 2em 0 0 18em; }
.annex { page-break-before: always; }
.annex .label { font-family: "黑体", "SimHei", sans-serif; text-indent: 0; }
.annex h2.title { text-align: center; text-indent: 0; font-family: "方正小标宋简体", "SimSun", "宋体", serif;
                  font-size: 20pt; line-height: 32pt; }
h2.part { text-align: center; text-indent: 0; }
figure { margin: 0.8em 0; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 12pt; line-height: 18pt; }
.grid { margin: 1.2em 0; page-break-before: always; }
.grid .title { font-family: "黑体", "SimHei", sans-serif; text-align: center; text-indent: 0; }
.grid .sub { text-align: center; text-indent: 0; font-size: 12pt; }
.grid .note { text-align: right; text-indent: 0; font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 15pt; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: middle; }
th { background: #f2f2f2; font-family: "黑体", "SimHei", sans-serif; font-weight: normal; }
td.left { text-align: left; } td.center { text-align: center; } td.right { text-align: right; }
thead { display: table-header-group; }
@media print { body { max-width: none; margin: 0; padding: 0; } }
"""


def _grid(grid: Grid) -> str:
    widths = grid.widths or [1.0] * grid.n_cols
    total = sum(widths)
    cols = "".join(f'<col style="width:{w / total * 100:.1f}%">' for w in widths)
    rows = []
    for i, cells in enumerate(grid.rows()):
        tds = []
        for c in cells:
            tag = "th" if c.header else "td"
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            text = escape(c.text).replace("\n", "<br>")
            tds.append(f'<{tag} class="{c.align}"{span}>{text}</{tag}>')
        row = f"<tr>{''.join(tds)}</tr>"
        rows.append((i < grid.header_rows, row))
    # one row per source line: a reader that goes line by line sees a row, never a whole table
    head = "\n".join(r for is_head, r in rows if is_head)
    body = "\n".join(r for is_head, r in rows if not is_head)
    parts = [f'<div class="grid" id="{escape(grid.key)}">']
    if grid.title:
        parts.append(f'<p class="title">{escape(grid.title)}</p>')
    if grid.subtitle:
        parts.append(f'<p class="sub">{escape(grid.subtitle)}</p>')
    if grid.note:
        parts.append(f'<p class="note">{escape(grid.note)}</p>')
    parts.append(f"<table><colgroup>{cols}</colgroup>\n"
                 + (f"<thead>\n{head}\n</thead>\n" if head else "") + f"<tbody>\n{body}\n</tbody></table></div>")
    return "\n".join(parts)


def _figure(fig: Figure) -> str:
    data = base64.b64encode(fig.chart.png).decode("ascii")
    return (f'<figure id="{escape(fig.chart.key)}"><img alt="{escape(fig.chart.title)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{escape(fig.caption)}</figcaption></figure>')


def _lines(lines: tuple[CoverLine, ...], cls: str) -> str:
    if not lines:
        return ""
    rows = "".join(f"<p>{escape(line.label)}：{escape(line.value)}</p>" for line in lines)
    return f'<div class="{cls}">{rows}</div>'


def _section(s: Section, level: int) -> str:
    tag = f"h{min(level + 1, 4)}"
    if s.annex:
        out = [f'<section class="annex" id="{escape(s.key)}"><p class="label">{escape(s.annex)}</p>'
               f'<h2 class="title">{escape(s.title)}</h2>']
        level -= 1
    elif s.heading:
        cls = ' class="part"' if s.style == "part" else ""
        out = [f'<section id="{escape(s.key)}"><{tag}{cls}>{escape(s.title)}</{tag}>']
    else:
        out = [f'<section id="{escape(s.key)}">']
    for b in s.blocks:
        if isinstance(b, Section):
            out.append(_section(b, level + 1))
        elif isinstance(b, Paragraph):
            out.append(f'<p class="{b.origin}">{escape(b.text)}</p>')
        elif isinstance(b, Figure):
            out.append(_figure(b))
        elif isinstance(b, Grid):
            out.append(_grid(b))
    out.append(_lines(s.signature, "signature"))
    out.append("</section>")
    return "\n".join(out)


def build_html(report: Report) -> str:
    title = "<br>".join(escape(t) for t in (report.title_lines or (report.title,)))
    head = [f"<h1>{title}</h1>"]
    if report.subtitle:
        head.append(f'<p class="subtitle">{escape(report.subtitle)}</p>')
    if report.cover:
        body = [f'<div class="cover">{"".join(head)}{_lines(report.cover, "lines")}</div>']
    else:
        body = [*head, _lines(report.header_lines, "header")]
    body += [_section(s, 1) for s in report.sections]
    body.append(_lines(report.signature, "signature"))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
        f'<meta name="generator" content="jixiao"><style>{CSS}</style></head>\n<body>\n'
        + "\n".join(x for x in body if x) + "\n</body></html>\n"
    )


def write_html(report: Report, path: Path) -> Path:
    path.write_text(build_html(report), encoding="utf-8")
    return path
