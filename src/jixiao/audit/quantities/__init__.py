"""Figures in free text: every number with its unit, sign, approximation and written precision.

``find_mentions(block, i)`` scans one normalised block; ``find_document_mentions(doc)`` scans a
whole document and brings in the units that are written once for many numbers (a table's
``单位：万元``, a column header ``金额（万元）``, a row label ``发行总额（亿）``).

One module per job: :mod:`.units` (units as written → canonical unit), :mod:`.scan` (the
figures of one text, read from the numbers outwards), :mod:`.written_once` (a unit written
once for several numbers of the same text: lists, labels, asides, table cells) and
:mod:`.mentions` (the finders: a block, a text, a whole document with its tables' units).

Readings chosen for ambiguous forms (each has a regression test):

* ``16.4亿`` / ``92 万`` with no unit word: 亿元/万元 when the sentence is about money (it contains
  元 or a money word such as 收入, 支出, 基金, 资金, 费, 预算, 存款, 总额 …; ``unit_source`` is
  ``"context"``); otherwise a unit-less figure scaled to its value (``Decimal('1.64E+9')``) with the
  flag ``"bare_multiplier"``.
* ``13万2`` is the colloquial 13.2万 (= 132000, precision ±500): with a following unit that has a
  万 form it becomes ``13.2万人``/``13.2万元``; otherwise the scaled value ``1.32E+5`` in the
  following unit. It carries the flag ``"colloquial"``. ``13万2019年`` is 13万 and a year.
* ``3541.07万元2.3本项目`` is two figures: 3541.07万元 and a unit-less 2.3.
* ``发行总额（亿）10.00``: a unit in parentheses before unit-less numbers of the same sentence
  (or table row) gives them that unit (``unit_source="label"``): 10.00亿元.
* ``收入、支出分别为74200、65884万元``: a unit-less number joined to the next one by 、/和/及/与/至/-/—
  (or by ， after 分别) takes its unit (``unit_source="list"``); so does ``0-3万`` → 0万元.
* ``（其中压减预算26.58，追加预算297.19）`` right after ``270.61万元``: unit-less numbers in a
  ``（其中…）`` aside take the unit of the figure the aside follows (``unit_source="context"``).
* Signs: an explicit minus (``结余-1913万元``, ``为-2.84%``) makes the value negative; ``负1913``
  likewise (and ``negative_word="负"``). Words before the number (减少, 下降, 降低, 降幅, 亏损,
  赤字, 缺口 …) only set ``negative_word``; the value stays as written. ``降低至5500元`` is a level,
  not a decrease: no ``negative_word``.
* ``5个工作日内``/``90日内``: a figure in days with ``comparator="≤"`` and the flag ``"time_limit"``.
* ``≥99%``, ``大于90%``, ``不低于95%`` set ``comparator``; 约/近/余/多/以上/以下/左右 set
  ``Quantity.approx`` (左右 reads as 约).
* Chinese numerals become figures only with a unit, 成 (三成 = 30%) or 百分之; never with 年/月.
"""

from jixiao.audit.quantities.mentions import find_document_mentions, find_mentions, scan_text
from jixiao.audit.quantities.units import UNIT_ALIASES, canonical_unit

__all__ = ["UNIT_ALIASES", "canonical_unit", "find_document_mentions", "find_mentions", "scan_text"]
