"""Relations an author asserts between figures, found in sentences, paragraphs and tables.

A relation says "this stated figure should equal that arithmetic of those figures":

- balance (收支结余): 收入 − 支出 = 当期结余; 资产 − 负债 = 累计结余; 年初 + 本期 = 年末/全年;
  当期结余 / 收入 = 结余率;
- sum (分项与合计): a total and its parts (其中, 分别, 包括, 主要用于; 共/合计 after the parts;
  合计/小计 rows of a table);
- share (占比): part / base = 占X%;
- completion (完成率、执行率、控制率): actual / budget = X%;
- change (增减): 较上年增加B、增长C% (C = B / (A ∓ B)); 与上年P相比 (A − P = ±B, C = (A − P) / P);
- per capita (人均): total / persons.

The finder is deliberately conservative: a relation is built only where the wording says which
figure is which; where several readings are possible every plausible reading is kept as an
*alternative* and the relation holds when any of them holds. Checking (with interval arithmetic)
is :mod:`jixiao.audit.checks`; the same-quantity-twice rule works on facts and lives there too.

One module per job: :mod:`.relation` (what a relation is), :mod:`.items` and :mod:`.segments`
(figures placed in runs of text with the words before them), :mod:`.roles` (what each figure is:
a value, a change, a rate…), then one module per kind of relation — :mod:`.sums` (totals and
their parts in prose) with :mod:`.lists` (what a list of parts asserts) and
:mod:`.classification` (类 and 项 of the functional classification), :mod:`.changes`,
:mod:`.ratios` (shares, completion rates, per capita), :mod:`.balances`, :mod:`.tables` (合计
rows) — and :mod:`.finder`, which runs them all in reading order.
"""

from jixiao.audit.relations.finder import find_relations
from jixiao.audit.relations.relation import Relation, Term

__all__ = ["Relation", "Term", "find_relations"]
