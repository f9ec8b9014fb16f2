"""存在的问题 drafted from what the figures show: the rule set's risk warnings on the funds and
the department, and the shortfalls of the budget.

Each problem is one paragraph, a short statement then its figures, taken from the report's own
printed figures (so the problem and the text above it say the same numbers). The warning's rule
decides what is said (months of reserve, a deficit, income growing slower than spending, a budget
executed far from 100%…); its band's label says how it is judged.
"""

from __future__ import annotations

from jixiao.calc.risks import RiskWarning
from jixiao.model import DepartmentYear, FundKind, FundYear
from jixiao.model.funds import FUNDS
from jixiao.rules import AnyWarningRule, BandWarningRule, DeficitRule, GrowthGapRule
from jixiao.write import printed as pr
from jixiao.write.context import Context, RecordFigures, display_name, fund_label, officer_text
from jixiao.write.para import Para
from jixiao.write.printed import Fig, of
from jixiao.write.report import Paragraph
from jixiao.write.words import rate_word

SERIOUS_FIRST = {"serious": 0, "warning": 1, "info": 2}


def _record(ctx: Context, w: RiskWarning) -> tuple[FundYear | DepartmentYear | None, RecordFigures | None]:
    if w.subject == "department":
        return ctx.department, ctx.department_figures
    for fy in ctx.all_funds():
        if fy.key == tuple(w.record):
            return fy, ctx.fund(fy)
    return None, None


def _rule(ctx: Context, w: RiskWarning) -> AnyWarningRule | None:
    return next((r for r in ctx.ruleset.warnings if r.id == w.rule_id), None)


def _name(fy: FundYear) -> str:
    return f"{fy.scope or ''}{fund_label(fy.fund)}"


def _band_label(w: RiskWarning, rule: BandWarningRule) -> str:
    label = next((b.label for b in rule.bands if b.label and b.label in w.message), "")
    return label


def _shared_subject(label: str, what: str) -> str:
    """The words ``what`` begins with that ``label`` already said (at least two characters, and
    never all of ``what``)."""
    n = 0
    while n < min(len(label), len(what)) and label[n] == what[n]:
        n += 1
    return what[:n] if n >= 2 and len(what) - n >= 2 else ""


def _deficit(fy: FundYear, f: RecordFigures, p: Para) -> bool:
    """``…当期收不抵支。2019年基金收入X，支出Y，缺口Z，当期结余率为W`` — a part (统筹基金) says its
    own name before each figure, so no figure is taken for the whole fund's."""
    if fy.income.total is None or fy.expenditure.total is None or "current_balance" in f.withheld:
        return False
    gap = p.derive(pr.difference(of(fy.expenditure.total), of(fy.income.total)))
    if gap is None or gap.sign <= 0:
        return False
    rate = p.derive(pr.ratio(Fig(-gap.value, gap.unit), of(fy.income.total)))
    own = fy.fund in (FundKind.employee_pooling, FundKind.employee_account)
    who = FUNDS[fy.fund].short if own else "基金"
    figures = (f"{who}收入{of(fy.income.total).text}，支出{of(fy.expenditure.total).text}，缺口{gap.text}"
               + (f"，{who if own else ''}当期结余率为{rate.text}" if rate else ""))
    p.add(f"{_name(fy)}当期收不抵支。{fy.year}年{figures}")
    reason = officer_text([fy.narrative], "gap_reason")
    p.add("，".join(reason).rstrip("。") if reason else "基金收支平衡压力加大")
    return True


def _growth_gap(fy: FundYear, f: RecordFigures, p: Para, *, part: bool = False) -> bool:
    income, spent = f.value("income_yoy_rate"), f.value("expenditure_yoy_rate")
    if income is None or spent is None:
        return False
    gap = p.derive(pr.difference(spent, income, unit=pr.POINTS))
    if gap is None or gap.sign <= 0:
        return False
    points = gap.magnitude.removesuffix(pr.POINTS)
    if part:
        p.add(f"其中{FUNDS[fy.fund].short}收入{_moved(income)}，支出{_moved(spent)}，相差{points}个百分点")
        return True
    p.add(f"{_name(fy)}收入增速低于支出增速。基金收入{_moved(income)}，支出{_moved(spent)}，"
          f"收入增速低于支出增速{points}个百分点")
    return True


def _moved(rate: Fig) -> str:
    return "与上年持平" if rate.sign == 0 else f"{rate_word(rate.sign)}{rate.magnitude}"


_EXECUTION = {"income_budget_execution_rate": ("收入", "income", ("income_adjusted", "income")),
              "expenditure_budget_execution_rate": ("支出", "expenditure", ("expenditure_adjusted", "expenditure"))}
_REASONS = {"budget_completion_rate": "carryover_reason", "carryover_rate": "carryover_reason",
            "budget_addition_rate": "budget_adjustment_reason", "budget_control_rate": "budget_adjustment_reason"}


def _band(record: FundYear | DepartmentYear, f: RecordFigures, w: RiskWarning, rule: BandWarningRule,
          p: Para) -> bool:
    """A band warning as a problem: the band's label says what is wrong, the figures follow."""
    value = f.value(rule.indicator)
    if value is None:
        return False
    label = _band_label(w, rule)
    what = f.name(rule.indicator)
    if isinstance(record, FundYear):
        subject = _name(record)
        own = FUNDS[record.fund].short if record.fund in (FundKind.employee_pooling, FundKind.employee_account) else ""
        if rule.indicator == "months_of_reserve":
            closing = record.balance.closing
            p.add(f"{subject}累计结余{_judged(label)}。{own}年末累计结余" + (f"{of(closing).text}，" if closing else "")
                  + f"按本年支出水平可支付{value.text}")
            return True
        if rule.indicator in _EXECUTION:
            word, side, names = _EXECUTION[rule.indicator]
            done = getattr(record, side).total
            budget = next((q for n in names if (q := getattr(record.budget, n)) is not None), None)
            p.add(f"{subject}{label or what}")
            if done is not None and budget is not None:
                rate = p.derive(pr.ratio(of(done), of(budget)))
                p.end().add(f"基金{word}{of(done).text}，为年度{word}预算{of(budget).text}的{(rate or value).text}")
            else:
                p.end().add(f"{what}为{value.text}")
            return True
        p.add(f"{subject}{label or what}", f"{own}{what}为{value.text}")
        return True
    res = f.result(rule.indicator)
    inputs = "，".join(f"{k}{v}" for k, v in res.inputs.items()) if res is not None else ""
    # “三公”经费较上年增加，变动率为0.03%: the figure's name without the subject the label just said
    shared = _shared_subject(label, what)
    figures = f"为{value.text}" + (f"（{inputs}）" if inputs else "")
    if label:
        p.add(label, what[len(shared):] + figures)
    else:
        p.add(what + figures)
    reason_key = _REASONS.get(rule.indicator)
    if reason_key:
        reason = officer_text([record.narrative], reason_key)
        if reason:
            p.add(f"主要原因是{'；'.join(r.rstrip('。') for r in reason)}")
    return True


def _judged(label: str) -> str:
    if "过多" in label or "高于" in label:
        return "偏多"
    if "不足" in label or "低于" in label:
        return "偏少"
    return "偏离合理区间"


def problems(ctx: Context, *, subjects: tuple[str, ...] = ("fund", "department"),
             min_severity: str = "warning") -> list[Paragraph]:
    """One paragraph per risk warning of ``subjects`` at ``min_severity`` or worse, most serious
    first; a part's (统筹基金's) warning of the same rule goes into its whole's paragraph."""
    limit = SERIOUS_FIRST[min_severity]
    parts = {FundKind.employee_pooling.value, FundKind.employee_account.value}
    chosen = sorted((w for w in ctx.warnings if w.subject in subjects and SERIOUS_FIRST[w.severity] <= limit),
                    key=lambda w: (len(w.record) > 2 and w.record[2] in parts, SERIOUS_FIRST[w.severity]))
    out: list[Paragraph] = []
    by_whole: dict[tuple[str, str], int] = {}
    for w in chosen:
        record, f = _record(ctx, w)
        rule = _rule(ctx, w)
        if record is None or f is None or rule is None:
            continue
        whole = _whole(ctx, record)
        if whole is not None and (w.rule_id, whole) in by_whole and isinstance(record, FundYear):
            extra = Para()
            if isinstance(rule, GrowthGapRule) and _growth_gap(record, f, extra, part=True):
                at = by_whole[(w.rule_id, whole)]
                para = extra.paragraph()
                if para is not None:
                    out[at] = Paragraph(out[at].text.removesuffix("。") + "；" + para.text, out[at].origin,
                                        out[at].claims + para.claims)
                continue
        p = Para()
        if isinstance(rule, DeficitRule) and isinstance(record, FundYear):
            done = _deficit(record, f, p)
        elif isinstance(rule, GrowthGapRule) and isinstance(record, FundYear):
            done = _growth_gap(record, f, p)
        elif isinstance(rule, BandWarningRule):
            done = _band(record, f, w, rule, p)
        else:
            done = False
        para = p.paragraph() if done else None
        if para is not None and all(para.text != x.text for x in out):
            if isinstance(record, FundYear):
                by_whole[(w.rule_id, _name(record))] = len(out)
            out.append(para)
    return out


def _whole(ctx: Context, record: FundYear | DepartmentYear) -> str | None:
    """The name of the fund a part (统筹基金, 个人账户) belongs to, when the report has it."""
    if not isinstance(record, FundYear) or record.fund not in (FundKind.employee_pooling, FundKind.employee_account):
        return None
    for fy in ctx.funds:
        if fy.scope == record.scope and fy.fund in (FundKind.employee, FundKind.employee_with_maternity):
            return _name(fy)
    return None


def numbered(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """``一是…`` is for speeches; a report numbers its problems ``1.``, ``2.``."""
    if len(paragraphs) < 2:
        return paragraphs
    return [Paragraph(f"{i}.{p.text}", p.origin, p.claims) for i, p in enumerate(paragraphs, 1)]


__all__ = ["display_name", "numbered", "problems"]
