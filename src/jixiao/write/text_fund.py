"""The paragraphs of a report about the funds (基金): totals, income and expenditure with their
parts and changes, balances, budget execution, coverage and 人均, services.

Figures come from the data as written, from the engine, or — for every derived figure printed
next to its operands — from the printed operands (:mod:`jixiao.write.printed`), each with its
claim. A figure the data state but the engine cannot compute is printed as stated (据报, listed in
the working paper); an entered 当期结余 that disagrees with 收入 − 支出 is left out (a finding).
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.model import FundKind, FundYear
from jixiao.write import printed as pr
from jixiao.write.context import Context, RecordFigures, fund_label, officer_text
from jixiao.write.para import Para
from jixiao.write.printed import Fig, of
from jixiao.write.report import Paragraph
from jixiao.write.words import change_clause, labelled, than

EMPLOYEE = (FundKind.employee, FundKind.employee_with_maternity)


def subject(fy: FundYear, *, year: bool = True) -> str:
    """``2019年，全市职工基本医疗保险（含生育）基金`` (scope when known)."""
    head = f"{fy.year}年，" if year else ""
    return f"{head}{fy.scope or ''}{fund_label(fy.fund)}"


def short(fy: FundYear) -> str:
    """The fund without 基金 and scope: for the second mention in a paragraph."""
    return fund_label(fy.fund).removesuffix("基金")


def _reason(fy: FundYear, key: str) -> str | None:
    texts = officer_text([fy.narrative], key)
    return "；".join(t.rstrip("。") for t in texts) or None


def _change(f: RecordFigures, now: Fig | None, change_field: object, change_id: str, rate_id: str,
            p: Para) -> str | None:
    """``较上年增加6284万元，增长9.25%`` from the 增减额 as entered (rate from the printed two),
    or from the previous year's figure, or the stated rate alone."""
    from jixiao.numbers import Quantity

    change = of(change_field) if isinstance(change_field, Quantity) else None
    rate: Fig | None = None
    if change is None and now is not None:
        computed = f.value(change_id)
        if computed is not None:
            change = computed
    if change is not None and now is not None:
        got = pr.growth_by_change(now, change)
        rate = p.derive(got)
        if rate is not None:
            rate = f.checked(rate_id, rate)
    if rate is None:
        rate = f.value(rate_id)
    return change_clause(change, rate)


def totals(ctx: Context, fy: FundYear) -> list[Paragraph]:
    """二、基金收支余总体情况 of one fund: 收入、支出 with their changes, 当期结余, 累计结余, 可支付月数."""
    f = ctx.fund(fy)
    p = Para()
    income = of(fy.income.total) if fy.income.total else None
    spent = of(fy.expenditure.total) if fy.expenditure.total else None
    lead = subject(fy)
    if income is not None:
        p.add(f"{lead}收入{income.text}", _change(f, income, fy.change.income_total, "income_yoy_change",
                                                   "income_yoy_rate", p))
        lead = "基金"
    if spent is not None:
        p.add(f"{lead}支出{spent.text}", _change(f, spent, fy.change.expenditure_total, "expenditure_yoy_change",
                                                  "expenditure_yoy_rate", p))
    if not p.empty:
        p.end()
    balance_clauses(ctx, fy, p)
    out = [x for x in (balance_sheet(ctx, fy), p.paragraph()) if x]
    return out


def balance_paragraph(ctx: Context, fy: FundYear) -> Paragraph | None:
    """The fund's 当期结余 (or 缺口), its rate, 年末累计结余 and months, said with the fund's name."""
    p = Para()
    balance_clauses(ctx, fy, p)
    if p.empty:
        return None
    first = p.sentences[0]
    if first:
        first[0] = f"{subject(fy)}{first[0]}"
    return p.paragraph()


def _shape(f: RecordFigures, indicator_id: str) -> dict[str, object]:
    """The unit and places the engine shows an amount in (a difference of 元 figures in 万元 at 2)."""
    res = f.results.get(indicator_id)
    return {"places": res.places, "unit": res.unit} if res is not None and res.value is not None else {}


def current_balance(ctx: Context, fy: FundYear, p: Para) -> Fig | None:
    """当期结余: as entered when it agrees with 收入 − 支出 (or nothing can be computed), else None."""
    f = ctx.fund(fy)
    income, spent = fy.income.total, fy.expenditure.total
    shape = _shape(f, "current_balance")
    if fy.balance.current is not None:
        entered = f.entered("current_balance", fy.balance.current)
        if entered is not None and income is not None and spent is not None:
            got = pr.difference(of(income), of(spent), **shape)  # type: ignore[arg-type]
            if got[0].value == entered.value:
                p.derive(got)
        return entered
    if income is not None and spent is not None:
        return p.derive(pr.difference(of(income), of(spent), **shape))  # type: ignore[arg-type]
    return f.stated_only("current_balance")


def balance_clauses(ctx: Context, fy: FundYear, p: Para) -> None:
    """当期结余 (or 缺口) with its parts (统筹基金, 个人账户), 当期结余率 with theirs, 年末累计结余, months."""
    f = ctx.fund(fy)
    balance = current_balance(ctx, fy, p)
    parts_balance, parts_rate = _parts_balance(ctx, fy, p)
    if balance is not None:
        rate = None
        if fy.income.total is not None and "current_balance" not in f.withheld:
            rate = p.derive(pr.ratio(balance, of(fy.income.total)))
            rate = f.checked("current_balance_rate", rate) if rate is not None else None
        elif "current_balance" not in f.withheld:
            rate = f.stated_only("current_balance_rate")
        if balance.sign >= 0:
            head = f"当期结余{balance.text}"
        elif parts_balance:  # the parts add up to a signed 结余, not to a 缺口
            head = f"当期收不抵支，当期结余{balance.text}"
        else:
            head = f"当期收不抵支，缺口{balance.magnitude}"
        p.add(head, parts_balance)
        if rate is not None:
            if parts_balance:  # a new sentence: the rate is the fund's, not the part named last
                p.end().add(f"基金当期结余率为{rate.text}", parts_rate)
            else:
                p.add(f"当期结余率为{rate.text}", parts_rate)
        reason = _reason(fy, "gap_reason") if balance.sign < 0 else None
        if reason:
            p.add(f"主要原因是{reason}")
    closing = closing_balance(ctx, fy, balance, p)
    if closing is not None:
        _closing(fy, f, closing, p)


def _closing(fy: FundYear, f: RecordFigures, closing: Fig, p: Para) -> None:
    p.end().add(f"年末累计结余{closing.text}")
    if fy.expenditure.total is not None and closing.sign > 0:
        m = p.derive(pr.months(closing, of(fy.expenditure.total)))
        if m is not None:
            p.add(f"可支付{f.checked('months_of_reserve', m).text}")


def closing_balance(ctx: Context, fy: FundYear, balance: Fig | None, p: Para) -> Fig | None:
    if fy.balance.closing is not None:
        return of(fy.balance.closing)
    if fy.balance.opening is not None and balance is not None:
        got = pr.difference(of(fy.balance.opening), Fig(-balance.value, balance.unit))
        return p.derive((got[0], None)) if got else None
    return None


def balance_sheet(ctx: Context, fy: FundYear) -> Paragraph | None:
    """``2019年末，职工基本医疗保险基金资产总计619029万元，其中…；负债总计58246万元，全部为暂收款。``"""
    bs = fy.balance_sheet
    if bs.assets_total is None and bs.liabilities_total is None:
        return None
    p = Para()
    fields = type(bs).model_fields
    if bs.assets_total is not None:
        parts = [labelled(fields[n].title or n, of(q)) for n in bs.ASSET_PARTS if (q := getattr(bs, n)) is not None]
        p.add(f"{fy.year}年末，{fy.scope or ''}{fund_label(fy.fund)}资产总计{of(bs.assets_total).text}"
              + (f"，其中{'，'.join(parts)}" if parts else ""))
    if bs.liabilities_total is not None:
        owed = [(fields[n].title or n, getattr(bs, n)) for n in bs.LIABILITY_PARTS if getattr(bs, n) is not None]
        only = len(owed) == 1 and owed[0][1] == bs.liabilities_total
        tail = (f"，全部为{owed[0][0]}" if only else
                f"，其中{'，'.join(labelled(t, of(q)) for t, q in owed)}" if owed else "")
        p.add(f"负债总计{of(bs.liabilities_total).text}{tail}")
    if bs.assets_total is not None and bs.liabilities_total is not None:
        net = p.derive(pr.difference(of(bs.assets_total), of(bs.liabilities_total),
                                     **_shape(ctx.fund(fy), "net_assets")))  # type: ignore[arg-type]
        if net is not None:
            p.add(f"资产减负债{net.text}")
    return p.paragraph("；")


def _budget(q_adjusted: object, q: object) -> Fig | None:
    from jixiao.numbers import Quantity

    for x in (q_adjusted, q):
        if isinstance(x, Quantity):
            return of(x)
    return None


def _execution(f: RecordFigures, done: Fig | None, budget: Fig | None, rate_id: str, what: str,
               p: Para) -> str | None:
    """``完成年度收入预算360240万元的98.60%`` (both printed), or ``收入预算执行率为107.45%`` as stated."""
    if done is not None and budget is not None:
        got = p.derive(pr.ratio(done, budget))
        if got is not None:
            return f"为年度{what}预算{budget.text}的{f.checked(rate_id, got).text}"
    stated = f.stated_only(rate_id)
    return f"{what}预算执行率为{stated.text}" if stated is not None else None


def flows(ctx: Context, fy: FundYear, *, changes: bool = False) -> list[Paragraph]:
    """Income and expenditure of one fund with their parts and budget execution (and, when the
    totals are not told elsewhere, their changes on the previous year)."""
    return [x for x in (_flow(ctx, fy, "income", changes), _flow(ctx, fy, "expenditure", changes)) if x]


def _flow(ctx: Context, fy: FundYear, side: str, changes: bool) -> Paragraph | None:
    f = ctx.fund(fy)
    p = Para()
    record = fy.income if side == "income" else fy.expenditure
    word = "收入" if side == "income" else "支出"
    total = of(record.total) if record.total is not None else None
    parts_names = record.PARTS
    fields = type(record).model_fields
    if side == "income":
        budget = _budget(fy.budget.income_adjusted, fy.budget.income)
        execution = _execution(f, total, budget, "income_budget_execution_rate", "收入", p)
    else:
        budget = _budget(fy.budget.expenditure_adjusted, fy.budget.expenditure)
        execution = _execution(f, total, budget, "expenditure_budget_execution_rate", "支出", p)
    items: list[str] = []
    for name in parts_names:
        q = getattr(record, name)
        if q is None:
            continue
        items.append(_part_text(ctx, fy, side, name, fields[name].title or name, p))
    if side == "income" and fy.income.contributions is None:
        for name in ("contributions_employer", "contributions_individual"):
            q = getattr(fy.income, name)
            if q is not None:
                items.insert(0, labelled(fields[name].title or name, of(q)))
    if total is None and (not items or side == "expenditure"):
        return None  # spending without its total is told with the services (基金支付)
    if total is not None:
        change = _change(f, total, getattr(fy.change, f"{side}_total"), f"{side}_yoy_change", f"{side}_yoy_rate",
                         p) if changes else None
        # the parts right after their total (a reader, and the audit, add them up against it), the
        # budget after them in a sentence of its own
        p.add(f"{subject(fy)}总{word}{total.text}", change, f"其中：{'；'.join(items)}" if items else None)
    else:
        p.add(f"{subject(fy)}{word}中，{'；'.join(items)}")
    if execution:
        p.end().add(execution if execution.startswith(word) else f"基金{word}{execution}")
        # the part's rate the data state though not the part itself (征缴收入, 待遇支出)
        part, rate_id, what = (("contributions", "contributions_budget_execution_rate", "征缴收入") if side == "income"
                               else ("benefits", "benefits_budget_execution_rate", "待遇支出"))
        if getattr(record, part) is None and (stated := f.stated_only(rate_id)) is not None:
            p.add(f"其中{what}预算执行率为{stated.text}")
    return p.paragraph()


def _part_text(ctx: Context, fy: FundYear, side: str, name: str, label: str, p: Para) -> str:
    f = ctx.fund(fy)
    q = getattr(fy.income if side == "income" else fy.expenditure, name)
    fig = of(q)
    text = labelled(label, fig)
    if side == "income" and name == "contributions":
        sub = [labelled(type(fy.income).model_fields[n].title or n, of(getattr(fy.income, n)))
               for n in ("contributions_employer", "contributions_individual") if getattr(fy.income, n) is not None]
        if sub:
            text += f"（{'，'.join(sub)}）"
        change = _change(f, fig, fy.change.contributions, "", "contributions_yoy_rate", p) \
            if fy.change.contributions is not None else None
        budget = of(fy.budget.contributions) if fy.budget.contributions is not None else None
        execution = _execution(f, fig, budget, "contributions_budget_execution_rate", "征缴收入", p)
        return "，".join(x for x in (text, change, execution) if x)
    if side == "expenditure" and name == "benefits":
        sub = [labelled(type(fy.expenditure).model_fields[n].title or n, of(getattr(fy.expenditure, n)))
               for n in fy.expenditure.BENEFIT_PARTS if getattr(fy.expenditure, n) is not None]
        if sub:
            text += f"（{'，'.join(sub)}）"
        change = _change(f, fig, fy.change.benefits, "", "benefits_yoy_rate", p) \
            if fy.change.benefits is not None else None
        budget = of(fy.budget.benefits) if fy.budget.benefits is not None else None
        execution = _execution(f, fig, budget, "benefits_budget_execution_rate", "待遇支出", p)
        return "，".join(x for x in (text, change, execution) if x)
    return text


def structure(ctx: Context, fy: FundYear) -> list[Paragraph]:
    """统筹基金 and 个人账户 of 职工医保: income, expenditure and balance of each, with shares and changes."""
    if fy.fund not in EMPLOYEE:
        return []
    pooling = ctx.part(fy, FundKind.employee_pooling)
    account = ctx.part(fy, FundKind.employee_account)
    if pooling is None and account is None:
        return []
    out: list[Paragraph] = []
    for side, word in (("income", "收入"), ("expenditure", "支出")):
        p = Para()
        whole = getattr(fy, side).total
        bits = []
        reasons = []
        for part, label in ((pooling, "统筹基金"), (account, "个人账户")):
            if part is None or getattr(part, side).total is None:
                continue
            fig = of(getattr(part, side).total)
            bit = f"{label}{word}{fig.text}"
            if whole is not None:
                share = p.derive(pr.ratio(fig, of(whole)))
                if share is not None:
                    bit += f"，占{share.text}"
            pf = ctx.fund(part)
            change = _change(pf, fig, getattr(part.change, f"{side}_total"), f"{side}_yoy_change",
                             f"{side}_yoy_rate", p)
            if change:
                bit += f"，{change.replace('较上年', '比上年')}"
            reason = _reason(part, f"{side}_change_reason")
            if reason and change:
                moved = "增加" if "增" in change else "减少"
                reasons.append(f"{label}{word}{moved}的主要原因是{reason}")
            bits.append(bit)
        if bits:
            head = f"{short(fy)}基金{word}{of(whole).text}，" if whole is not None else ""
            p.add(f"{head}其中：{'；'.join(bits)}")
            for reason in reasons:
                p.end().add(reason)
            para = p.paragraph()
            if para:
                out.append(para)
    return out


def _parts_balance(ctx: Context, fy: FundYear, p: Para) -> tuple[str | None, str | None]:
    """``其中统筹基金当期结余4096万元，个人账户当期结余19108万元`` and ``其中统筹基金当期结余率为5.01%，…``
    (a part's deficit written as a negative 结余, so the parts add up to the whole)."""
    if fy.fund not in EMPLOYEE:
        return None, None
    balances, rates = [], []
    for kind, label in ((FundKind.employee_pooling, "统筹基金"), (FundKind.employee_account, "个人账户")):
        part = ctx.part(fy, kind)
        if part is None:
            continue
        bal = current_balance(ctx, part, p)
        if bal is None:
            continue
        balances.append(f"{label}当期结余{bal.text}")
        if part.income.total is not None:
            rate = p.derive(pr.ratio(bal, of(part.income.total)))
            if rate is not None:
                rates.append(f"{label}当期结余率为{ctx.fund(part).checked('current_balance_rate', rate).text}")
    return (f"其中{'，'.join(balances)}" if balances else None), (f"其中{'，'.join(rates)}" if rates else None)


def coverage(ctx: Context, fy: FundYear) -> Paragraph | None:
    """参保人数 (with 在职/退休, change, 60岁以上) and 人均 收入/支出 with their changes."""
    f = ctx.fund(fy)
    c = fy.coverage
    p = Para()
    who = short(fy)
    if c.insured is not None:
        insured = of(c.insured)
        lead = f"{fy.year}年，{fy.scope or ''}{who}参保人数{insured.text}"
        parts = [labelled(type(c).model_fields[n].title or n, of(getattr(c, n)))
                 for n in ("employed", "retired") if getattr(c, n) is not None]
        if parts:
            lead += f"，其中{'，'.join(parts)}"
        p.add(lead)
        change = Fig(Decimal(fy.change.insured), "人") if fy.change.insured is not None \
            and c.insured.unit == "人" else None
        if change is not None:
            p.add(change_clause(change, f.checked("insured_yoy_rate", rate)
                                if (rate := p.derive(pr.growth_by_change(insured, change))) else None))
            reason = _reason(fy, "insured_change_reason")
            if reason:
                moved = "增加" if change.sign > 0 else "减少"
                p.end().add(f"参保人数{moved}的主要原因是{reason}").end()
        elif fy.previous.insured is not None:
            rate = p.derive(pr.growth(insured, of(fy.previous.insured)))
            if rate is not None:
                p.add(than(of(fy.previous.insured), rate))
        if c.employed is not None and c.retired is not None:
            ratio = p.derive(pr.times(of(c.employed), of(c.retired)))
            if ratio is not None:
                p.add(f"在职退休比为{ratio.text}")
        if c.over_60 is not None:
            share = p.derive(pr.ratio(of(c.over_60), insured))
            p.add(f"60岁以上参保人员{of(c.over_60).text}" + (f"，占{share.text}" if share else ""))
        for name in ("poor", "paying"):
            q = getattr(c, name)
            if q is not None:
                p.add(labelled(type(c).model_fields[name].title or name, of(q)))
        if c.coverage_rate is not None:
            p.add(f"参保率为{of(c.coverage_rate).text}")
        p.end()
        per_capita(ctx, fy, insured, p)
    elif c.paying is not None or c.coverage_rate is not None:
        bits = [labelled(type(c).model_fields[n].title or n, of(getattr(c, n)))
                for n in ("paying", "poor") if getattr(c, n) is not None]
        p.add(f"{fy.year}年，{fy.scope or ''}{who}{'，'.join(bits)}")
    return p.paragraph()


def per_capita(ctx: Context, fy: FundYear, insured: Fig, p: Para) -> None:
    """人均基金收入/支出 (元) from the printed 收入/支出 and 参保人数, changes from the printed 上年人均."""
    f = ctx.fund(fy)
    halves = []
    figs: dict[str, Fig] = {}
    if fy.fund is not FundKind.resident:
        return  # 人均筹资 and 人均支出 are the measures of the residents' scheme
    for side, prev, label, id_, rate_id in (
        ("income", fy.previous.income_per_capita, "人均基金收入", "income_per_capita", "income_per_capita_yoy_rate"),
        ("expenditure", fy.previous.expenditure_per_capita, "人均基金支出", "expenditure_per_capita",
         "expenditure_per_capita_yoy_rate"),
    ):
        amount = getattr(fy, side).total
        if amount is None:
            continue
        value = p.derive(pr.per_capita(of(amount), insured))
        if value is None:
            continue
        value = f.checked(id_, value)
        figs[side] = value
        text = f"{label}{value.text}"
        if prev is not None:
            before = Fig(prev.value, "元")
            rate = p.derive(pr.growth(value, before))
            if rate is not None:
                text += f"，{than(before, f.checked(rate_id, rate), what='上年人均')}"
        halves.append(text)
    if "income" in figs and "expenditure" in figs:
        gap = p.derive(pr.difference(figs["expenditure"], figs["income"]))
        if gap is not None and gap.sign:
            gap = f.checked("per_capita_gap", gap) if gap.sign > 0 else gap
            halves.append(f"人均支出大于人均收入{gap.magnitude}" if gap.sign > 0
                          else f"人均收入大于人均支出{gap.magnitude}")
    prev_in, prev_out = fy.previous.income_per_capita, fy.previous.expenditure_per_capita
    if prev_in is not None and prev_out is not None and halves:
        gap = p.derive(pr.difference(Fig(prev_out.value, "元"), Fig(prev_in.value, "元")))
        if gap is not None and gap.sign:
            halves.append(f"上年人均支出大于人均收入{gap.magnitude}" if gap.sign > 0
                          else f"上年人均收入大于人均支出{gap.magnitude}")
    if halves:
        p.add(f"按参保人数计算，{'；'.join(halves)}")


def services(ctx: Context, fy: FundYear) -> Paragraph | None:
    """享受待遇人次 and the like; 医疗救助 and 补助 counts; 大病保险 payments."""
    s = fy.services
    fields = type(s).model_fields
    p = Para()
    bits = []
    if s.beneficiaries is not None:
        bits.append(f"享受待遇{of(s.beneficiaries).text}")
    visits = [f"{label}待遇{of(getattr(s, n)).text}" for n, label in
              (("inpatient", "住院"), ("outpatient", "普通门急诊"), ("chronic_outpatient", "门诊慢特病"))
              if getattr(s, n) is not None]
    if visits:
        bits.append("享受" + "、".join(visits))
    if s.maternity is not None:
        text = f"享受{'' if fy.fund is FundKind.maternity else '生育保险'}待遇{of(s.maternity).text}"
        change = fy.change.maternity_beneficiaries
        if change is not None:
            ch = Fig(Decimal(change), s.maternity.unit)
            rate = p.derive(pr.growth_by_change(of(s.maternity), ch))
            checked = ctx.fund(fy).checked("maternity_beneficiaries_yoy_rate", rate) if rate else None
            text += f"，{change_clause(ch, checked)}"
        sub = [labelled(fields[n].title or n, of(getattr(s, n))) for n in ("maternity_medical", "maternity_allowance")
               if getattr(s, n) is not None]
        if sub:
            text += f"，其中{'，'.join(sub)}"
        bits.append(text)
    if s.assistance is not None or s.assistance_amount is not None:
        a = [x for x in (f"{'共' if fy.fund is FundKind.medical_assistance else '医疗'}救助{of(s.assistance).text}"
                         if s.assistance is not None else None,
                         f"救助金额{of(s.assistance_amount).text}" if s.assistance_amount is not None else None) if x]
        bits.append("，".join(a))
    eligible = "纳入救助范围" if fy.fund is FundKind.medical_assistance else "列入补助范围"
    for total, parts, label in (("subsidy_eligible", s.SUBSIDY_ELIGIBLE_PARTS, eligible),
                                ("subsidy_recipients", s.SUBSIDY_RECIPIENT_PARTS, "实际享受补助")):
        q = getattr(s, total)
        if q is None:
            continue
        text = f"{label}{of(q).text}"
        sub = [f"{'机关单位' if 'agencies' in n else '事业单位'}{of(getattr(s, n)).text}" for n in parts
               if getattr(s, n) is not None]
        if sub:
            text += f"（{'，'.join(sub)}）"
        bits.append(text)
    benefits = fy.expenditure.benefits if fy.expenditure.total is None else None
    if benefits is not None:
        bits.append(f"基金支付{of(benefits).text}")
    if not bits:
        return None
    p.add(f"{fy.year}年，{fy.scope or ''}{short(fy)}{'；'.join(bits)}")
    return p.paragraph()


def summary(ctx: Context, fys: list[FundYear]) -> Paragraph | None:
    """One paragraph naming each fund's enrolment and income (a department report's or a form's
    account of the funds it manages): ``全市职工医保参保64.27万人…；征缴基金26.35亿元…``."""
    coverage_bits, money_bits = [], []
    for fy in fys:
        c = fy.coverage
        name = short(fy)
        if c.insured is not None:
            bit = f"{name}参保{of(c.insured).text}"
            if c.coverage_rate is not None:
                bit += f"，参保率{of(c.coverage_rate).text}"
            coverage_bits.append(bit)
        if c.paying is not None:
            coverage_bits.append(f"{name}实际缴费{of(c.paying).text}")
        if c.poor is not None:
            coverage_bits.append(f"{name}贫困人口参保{of(c.poor).text}")
        if fy.income.contributions is not None:
            money_bits.append(f"{name}征缴收入{of(fy.income.contributions).text}")
        elif fy.income.total is not None:
            money_bits.append(f"{name}基金收入{of(fy.income.total).text}")
        if fy.expenditure.total is not None:
            money_bits.append(f"{name}基金支出{of(fy.expenditure.total).text}")
        s = fy.services
        if s.assistance is not None:
            money_bits.append(f"{name}{of(s.assistance).text}" + (
                f"，支付救助资金{of(s.assistance_amount).text}" if s.assistance_amount is not None else ""))
        if s.beneficiaries is not None and fy.expenditure.benefits is not None and fy.expenditure.total is None:
            money_bits.append(f"{name}享受待遇{of(s.beneficiaries).text}，基金支付{of(fy.expenditure.benefits).text}")
    if not coverage_bits and not money_bits:
        return None
    scope = next((fy.scope for fy in fys if fy.scope), "")
    p = Para()
    if coverage_bits:
        p.add(f"截至{fys[0].year}年底，{scope}{'；'.join(coverage_bits)}").end()
    if money_bits:
        p.add(f"{fys[0].year}年{scope}{'；'.join(money_bits)}")
    return p.paragraph()


def fund_charts_title(fy: FundYear) -> str:
    return f"{fy.year}年{fy.scope or ''}{fund_label(fy.fund)}收支结余情况"


def printed_totals(ctx: Context, fy: FundYear) -> dict[str, Fig | None]:
    """The fund's main figures as the report prints them (for its chart and the 基金收支情况表):
    收入, 支出, 当期结余 (None when withheld), 年末累计结余, budgets, and the previous year's 收入/支出
    when the data give them or their 增减额."""
    p = Para()
    income = of(fy.income.total) if fy.income.total is not None else None
    spent = of(fy.expenditure.total) if fy.expenditure.total is not None else None
    balance = current_balance(ctx, fy, p)
    closing = closing_balance(ctx, fy, balance, p)

    def before(now: Fig | None, previous: object, change: object) -> Fig | None:
        from jixiao.numbers import Quantity

        if isinstance(previous, Quantity):
            return of(previous)
        if now is not None and isinstance(change, Quantity):
            return pr.difference(now, of(change))[0]
        return None

    return {
        "income": income, "expenditure": spent, "balance": balance, "closing": closing,
        "income_budget": _budget(fy.budget.income_adjusted, fy.budget.income),
        "expenditure_budget": _budget(fy.budget.expenditure_adjusted, fy.budget.expenditure),
        "previous_income": before(income, fy.previous.income_total, fy.change.income_total),
        "previous_expenditure": before(spent, fy.previous.expenditure_total, fy.change.expenditure_total),
    }
