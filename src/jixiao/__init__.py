"""jixiao — 医保绩效: compute, score, write and audit the budget-performance self-evaluations of
China's medical-security agencies.

Data flows one way: inputs become model objects (:mod:`jixiao.model`); :mod:`jixiao.calc` and
:mod:`jixiao.audit` turn them into results; :mod:`jixiao.write`, :mod:`jixiao.cli` and
:mod:`jixiao.web` only present results.
"""

from jixiao import compiled as _compiled

__version__ = "0.1.0"

_compiled.guard()  # before any compiled module is imported: never a stale extension
