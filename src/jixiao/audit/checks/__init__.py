"""Checks: does each asserted relation hold at the precision the figures were written with?

One algorithm (Arelle's Calc 1.1 idea), no epsilon anywhere: every written figure is the interval
of values that round to it (``74200万元`` → [74199.5, 74200.5]); the relation's right-hand side is
computed with interval arithmetic; the stated figure is consistent when its interval meets the
computed one. So a correctly rounded report never gets an error. When the stated figure only
fits if its author cut digits off instead of rounding (1.486% written 1.48%), the finding is
``JX-RND-001`` at ``info`` level.

One module per job: :mod:`.arithmetic` (a figure as an interval; a relation's computed side),
:mod:`.rules` (does a relation hold?), :mod:`.messages` (what a finding says),
:mod:`.relation_checks` (every relation of a document checked, with its finding),
:mod:`.duplicates` (the same quantity stated twice, JX-DUP-001) and :mod:`.table_budgets`
(a self-evaluation table's 预算数 against the text, JX-DUP-001 and JX-SUM-006).
"""

from jixiao.audit.checks.duplicates import check_duplicates
from jixiao.audit.checks.relation_checks import finding_for, run_checks
from jixiao.audit.checks.rules import Outcome, check_relation
from jixiao.audit.checks.table_budgets import check_table_budgets

__all__ = ["Outcome", "check_duplicates", "check_relation", "check_table_budgets", "finding_for", "run_checks"]
