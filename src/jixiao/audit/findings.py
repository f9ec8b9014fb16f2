"""Findings: what the audit reports, with a stable code per rule and one JSON shape.

A finding is a value (like :class:`jixiao.problems.Problem`): the CLI, the HTML page and the
tests all read the same record. Codes never change meaning; new rules get new codes.

=============  =========  ==============================================================
code           kind       标题
=============  =========  ==============================================================
JX-BAL-001     balance    收支结余不符：收入 − 支出 ≠ 当期（当年）结余
JX-BAL-002     balance    资产负债不符：资产 − 负债 ≠ 累计结余（净资产）
JX-BAL-003     balance    滚存不符：年初数 + 本期增减 ≠ 年末（全年）数
JX-BAL-004     balance    当期结余率不符：当期结余 ÷ 收入 ≠ 结余率
JX-SUM-001     sum        分项之和与合计不符（分项多于合计，或完整分项少于合计）
JX-SUM-002     sum        分项大于合计
JX-SUM-003     sum        所列分项（含“其他”）之和小于合计（警告：可能漏列分项）
JX-SUM-004     sum        功能分类类级合计与项级明细不符（项级金额之和超过类级合计）
JX-SUM-005     sum        合计的增减额与各分项增减额之和不符（合计 = 各分项，增减也应相加）
JX-SUM-006     sum        自评表预算数与执行数口径不一（执行数为几项基金支出之和，预算数不是其预算之和）
JX-SHR-001     share      占比与所列数额不符
JX-CMP-001     completion 完成率、执行率、控制率与所列数额不符
JX-CMP-002     completion 完成率为0，而同句所列支出（执行数）不为0
JX-CHG-001     change     增减率与增减额（或两年数额）不符
JX-CHG-002     change     增减额与两年数额之差不符
JX-PCP-001     per_capita 人均（次均）数与总额、人数不符
JX-DUP-001     duplicate  同一数额在两处写法不同
JX-RND-001     rounding   只有按截尾（非四舍五入）才成立
=============  =========  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.problems import Severity

#: code -> (kind, Chinese title). The single place a rule's name is defined.
CODES: dict[str, tuple[str, str]] = {
    "JX-BAL-001": ("balance", "收支结余不符"),
    "JX-BAL-002": ("balance", "资产负债与结余不符"),
    "JX-BAL-003": ("balance", "年初、本期与年末（滚存）数不符"),
    "JX-BAL-004": ("balance", "当期结余率不符"),
    "JX-SUM-001": ("sum", "分项之和与合计不符"),
    "JX-SUM-002": ("sum", "分项大于合计"),
    "JX-SUM-003": ("sum", "所列分项（含其他）少于合计"),
    "JX-SUM-004": ("sum", "功能分类类级合计与项级明细不符"),
    "JX-SUM-005": ("sum", "合计增减额与分项增减额之和不符"),
    "JX-SUM-006": ("sum", "自评表预算数与执行数口径不一"),
    "JX-SHR-001": ("share", "占比不符"),
    "JX-CMP-001": ("completion", "完成率（执行率、控制率）不符"),
    "JX-CMP-002": ("completion", "完成率为0而支出不为0"),
    "JX-CHG-001": ("change", "增减率与增减额不符"),
    "JX-CHG-002": ("change", "增减额与两年数额不符"),
    "JX-PCP-001": ("per_capita", "人均数不符"),
    "JX-DUP-001": ("duplicate", "同一数额前后不一致"),
    "JX-RND-001": ("rounding", "仅按截尾取数成立"),
}


def code_family(code: str) -> str:
    """``JX-SUM-002`` → ``SUM``: the rule family, used when matching labels loosely."""
    parts = code.split("-")
    return parts[1] if len(parts) >= 3 else code


@dataclass(slots=True)
class Finding:
    """One inconsistency (or note) at one place in a document.

    ``stated`` and ``expected`` are decimal strings in the stated figure's unit; ``expected``
    may be an interval ``"[a, b]"`` when no single value is implied. ``figures`` lists the
    figures the check used (name → value as written) for the text and HTML reports.
    ``block``/``start``/``end`` locate the stated figure in :attr:`Document.blocks` so the
    HTML view can highlight it where it stands; they are not part of the JSON shape.
    """

    code: str
    severity: Severity
    message: str
    stated: str
    expected: str
    quote: str
    line: int | None = None
    page: int | None = None
    where: str = ""
    figures: dict[str, str] = field(default_factory=dict)
    block: int | None = None
    start: int | None = None
    end: int | None = None

    @property
    def kind(self) -> str:
        return CODES[self.code][0]

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    def to_json(self) -> dict[str, Any]:
        """Exactly the shape later tools depend on (issue 3, part 4)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "page": self.page,
            "stated": self.stated,
            "expected": self.expected,
            "quote": self.quote,
            "message": self.message,
        }


@dataclass(slots=True)
class DocumentResult:
    """The audit of one input: counts, findings, or the reason it could not be read.

    ``document`` is kept only when a caller asks for it (the HTML view needs the text).
    """

    path: str
    chars: int = 0
    facts: int = 0
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    document: Any = None
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def infos(self) -> int:
        return sum(1 for f in self.findings if f.severity == "info")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "chars": self.chars,
            "facts": self.facts,
            "checks": self.checks,
            "findings": [f.to_json() for f in self.findings],
        }


def results_to_json(results: list[DocumentResult]) -> dict[str, Any]:
    """The whole ``--format json`` answer: ``{"documents": [...]}``.

    Inputs that could not be read are left out (the shape has no place for them); their reason
    is printed on stderr and the exit code is 2.
    """
    return {"documents": [r.to_json() for r in results if r.error is None]}


def exit_code(results: list[DocumentResult]) -> int:
    """2 when any input could not be read; else 1 when any error-level finding; else 0."""
    if any(r.error is not None for r in results):
        return 2
    if any(r.errors for r in results):
        return 1
    return 0
