"""Figures in free text: every number with its unit, sign, approximation and written precision.

``find_mentions(block, i)`` scans one normalised block; ``find_document_mentions(doc)`` scans a
whole document and brings in the units that are written once for many numbers (a table's
``单位：万元``, a column header ``金额（万元）``, a row label ``发行总额（亿）``).

The scan is one compiled regular expression (:data:`_MASTER`) whose alternatives all start with a
fixed character class, so matching is linear in the length of the text; everything around a match
(units, 约/余/以上, 减少/下降, list markers) is read from a bounded window next to it.

What is *not* a figure, and is skipped: dates (``2019年``, ``2019年12月31日``, ``12月底``,
``2019. 4. 28``), document numbers (``株政发〔2017〕13号``, ``米编发〔2002〕02号``,
``川财社[2019]18号``), ordinals (``第1批``, ``第一``), list markers (``1.``, ``2、``, ``（1）``),
figure and annex labels (``（图1：``, ``附件2``), bracketed codes (``[304]``), telephone numbers,
identifiers glued to ASCII letters (``_Toc15396600``), and Chinese numerals without a unit
(``一是``, ``十三五``, ``“十项规定”``).

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

from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal, InvalidOperation

from jixiao.audit.document import Block, Document, Mention
from jixiao.audit.numerals import MULTIPLIERS, NUMERAL_CHARS, parse_chinese_number, parse_chinese_percent
from jixiao.numbers import UNITS, Approx, Quantity

__all__ = ["UNIT_ALIASES", "canonical_unit", "find_document_mentions", "find_mentions"]

# --------------------------------------------------------------------------------------------
# Units as written → canonical unit (a key of numbers.UNITS where one exists)
# --------------------------------------------------------------------------------------------

#: written form → (canonical unit, negative lookahead guarding words that merely start with it)
_UNIT_TABLE: list[tuple[str, str, str]] = [
    ("元/人·年", "元/人·年", ""), ("元/人.年", "元/人·年", ""), ("元/人年", "元/人·年", ""),
    ("元/人/年", "元/人/年", ""), ("元/人·月", "元/人·月", ""), ("元/人次", "元/人次", ""),
    ("元/人", "元/人", ""), ("元/次", "元/次", ""), ("元/年", "元/年", ""), ("元/月", "元/月", ""),
    ("元/天", "元/天", ""), ("元/日", "元/天", ""),
    ("亿元", "亿元", ""), ("万元", "万元", ""), ("千元", "千元", ""), ("元", "元", "[旦素宵]"),
    ("%", "%", ""), ("％", "%", ""), ("‰", "‰", ""), ("个百分点", "个百分点", ""), ("百分点", "个百分点", ""),
    ("人次", "人次", ""), ("人（次）", "人次", ""), ("人(次)", "人次", ""),
    ("人", "人", "[民社员口均大事寿保力才文造群]"), ("名", "名", "[称单义字额录次下]"),
    ("户", "户", "[籍口主型]"), ("家", "家", "[庭属长]"),
    ("个工作日", "个工作日", ""), ("个月", "个月", ""), ("个", "个", "[人体性别案]"),
    ("项", "项", ""), ("种", "种", "[类子植]"), ("份", "份", "[额]"), ("台", "台", "[账湾风]"),
    ("辆", "辆", ""), ("张床", "张床", ""), ("张", "张", "[某]"), ("批次", "批次", ""),
    ("批", "批次", "[准复示]"), ("天", "天", "[然津]"), ("日", "日", "[常期均报]"),
    ("小时", "小时", ""), ("分钟", "分钟", ""), ("周岁", "岁", ""), ("岁", "岁", ""),
    ("周", "周", "[年边期末转]"), ("年", "年", "[代级龄限底末初]"), ("次", "次", "[年日月序要数]"),
    ("倍", "倍", ""), ("条", "条", "[件例款]"), ("所", "所", "[有以属得在述]"), ("例", "例", "[如外]"),
    ("℃", "℃", ""),
]
#: written unit → canonical unit, for callers (``金额（万元）`` headers, YAML, tests)
UNIT_ALIASES: dict[str, str] = {w: c for w, c, _ in _UNIT_TABLE}
UNIT_ALIASES.update({u: u for u in UNITS})
UNIT_ALIASES.update({"亿": "亿元", "万": "万元"})

_TIME_UNITS = frozenset({"天", "日", "个工作日", "个月", "小时", "分钟", "周", "年"})
#: units a Chinese numeral may carry (三个, 两批次, 百分之…); never 年/月 (二〇一九年, 两年来)
_HAN_UNITS_EXCLUDED = frozenset({"年", "岁", "℃", "分", "分钟", "小时"})


def _unit_alternation() -> str:
    parts = []
    for written, _, guard in sorted(_UNIT_TABLE, key=lambda t: -len(t[0])):
        alt = re.escape(written)
        if guard:
            alt += f"(?!{guard})"
        if written == "分":
            continue
        parts.append(alt)
    parts.append("分(?![\u4e00-\u9fff])")
    parts.append("分(?=以[上下])")
    return "|".join(parts)


def canonical_unit(written: str) -> str | None:
    """``'万元'`` → ``'万元'``, ``'％'`` → ``'%'``, ``'亿'`` → ``'亿元'``, unknown → None."""
    return UNIT_ALIASES.get(written.strip())


# --------------------------------------------------------------------------------------------
# The master scan
# --------------------------------------------------------------------------------------------

_HAN_START = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_HAN = NUMERAL_CHARS
_Y = r"(?:19|20)\d{2}"  # a year
_S = r"[ \u3000]{0,2}"  # a few spaces

_MASTER_PARTS = (
        [
            # document numbers: 〔2017〕13号, [2019]18号, 【2018】984号, (2018)29号
            rf"(?P<docno>[〔\[【（(]{_S}{_Y}{_S}[〕\]】）)]{_S}第?{_S}\d{{1,6}}{_S}号)",
            r"(?P<code>\[\s{0,2}\d{1,12}\s{0,2}\])",  # [304]
            rf"(?P<ordinal>第{_S}(?:\d+|[{_HAN}]+))",
            rf"(?P<label>(?:附件|附表|附图|(?:(?<=[（(\s])|^)[图表]){_S}\d{{1,3}}(?![\d.．]))",
            rf"(?P<pct>百分之(?:\d+(?:[.．]\d+)?|[{_HAN_START}百][{_HAN}]*(?:点[{_HAN_START}]+)?))",
            # a phone number has no decimals and no money unit after it (13000000000元 is an amount)
            r"(?P<phone>(?<![\d.．])(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8})"
            r"(?![\d]|[.．]\d|[ \u3000]{0,2}(?:元|万|亿|千元|百万元)))",
            # dates: 2019年(12月(31日)), 2019-2020年, 2019. 4. 28, 2020度, 12月(31日), 8 月 1 日
            rf"(?P<date>(?<![\d.．]){_Y}{_S}(?:[-—~～至到]{_S}(?:{_Y}|\d{{2}}){_S}年"
            rf"|年(?:{_S}(?:1[0-2]|0?[1-9]){_S}月(?:{_S}(?:[12]\d|3[01]|0?[1-9]){_S}[日号])?)?"
            rf"|[.．/\-]{_S}(?:1[0-2]|0?[1-9]){_S}[.．/\-]{_S}(?:[12]\d|3[01]|0?[1-9])(?!\d)"
            rf"|度)"
            rf"|(?<![\d.．])(?:1[0-2]|0?[1-9]){_S}月(?:{_S}(?:[12]\d|3[01]|0?[1-9]){_S}[日号])?)",
            # an Arabic number; a decimal part is not taken when it is a year (1.2020年度)
            rf"(?P<num>(?<![0-9A-Za-z_.．])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)"
            rf"(?:[.．](?!{_Y}{_S}[年度])\d+)?)",
            rf"(?P<han>(?<![{_HAN}])[{_HAN_START}][{_HAN}]*(?:点[{_HAN_START}]+)?)",
        ]
)
_MASTER = re.compile("|".join(_MASTER_PARTS))
#: the alternatives that can start with a digit (phone, date, num), in the same order: where the
#: candidate is a digit this gives the same match as _MASTER without trying the others
_MASTER_DIGIT = re.compile("|".join(p for p in _MASTER_PARTS if p.startswith(("(?P<phone>", "(?P<date>", "(?P<num>"))))
_DIGITS = frozenset("0123456789")

#: every character a match of _MASTER can start with
_CANDIDATE = re.compile(rf"[0-9〔\[【（(第附图表百{_HAN_START}]")
_MULT_RE = re.compile(r"万亿|千万|百万|亿|万|千(?!元)")
_UNIT_RE = re.compile(rf"(?:{_unit_alternation()})")
_SP = re.compile(r"[ \u3000]{0,2}")
_APPROX_AFTER = re.compile(r"余(?![额下量款粮])|多(?![元样方种类少])")
_POST = re.compile(r"以上|以下|左右|以内|之内|内")
_COLLOQUIAL = re.compile(r"[1-9](?![\d.．年月日号%])(?:千(?!万))?")

_COMPARATOR_BEFORE = re.compile(
    r"(?:(?P<ge>≥|>=|＞=|大于等于|大于或等于|不低于|不少于|不小于)"
    r"|(?P<le>≤|<=|＜=|小于等于|小于或等于|不高于|不超过|不多于|不大于)"
    r"|(?P<gt>>|＞|大于|高于|超过|多于|逾)"
    r"|(?P<lt><|＜|小于|低于|少于|不足|不到)"
    r"|(?P<eq>=|＝|等于))"
    r"[ \u3000]{0,2}$"
)
_COMPARATOR_LAST = frozenset("≥≤><=＞＜＝于过足到逾")
_APPROX_BEFORE = re.compile(r"(?:大约|约为|约合|约计|约|将近|接近|近)[ \u3000]{0,2}$")
_APPROX_NOT = ("节约", "制约", "签约", "协约", "违约", "预约", "特约", "契约", "集约", "履约", "最近",
               "就近", "附近", "邻近", "靠近", "临近", "亲近", "相近", "新近", "近年", "近期")
_NEGATIVE = re.compile(r"减少|下降|降低|降幅|减幅|亏损|赤字|缺口|下滑|回落|压减|缩减|负增长|减收")
_CLAUSE_BREAK_SET = frozenset("，,。；;！？!?：:\t\n（）()")
_SENTENCE_BREAK = "。；;！？!?\n"
_MONEY_WORDS = re.compile(
    r"元|收入|支出|资金|金额|总额|余额|经费|存款|基金|费|预算|结余|资产|负债|拨款|补助|补偿|投入|成本|价格"
    r"|工资|筹资|缴费|支付|报销|封顶|起付|债|款|资本|利润|亏损|赤字|缺口|税|征缴|决算|拨付|代缴"
)
_PHONE_LABEL = re.compile(r"电话|手机|传真|热线|联系方式|邮编|邮政编码|QQ|账号|帐号|卡号|编号|代码|身份证|工号")
_LIST_JOIN = re.compile(r"[ \u3000]{0,2}(?:、|和|及|与|或|至|到|~|～|-|—|－|–|——)[ \u3000]{0,2}")
_COMMA_JOIN = re.compile(r"[ \u3000]{0,2}[，,][ \u3000]{0,2}")
#: units that a header, a label in parentheses or a 单位： line may declare
_DECLARED = r"亿元|万元|千元|百万元|元/人|元|亿|万|%|％|‰|万人次|人次|万人|人|户|家|个月|个|项|天|日|次"
_PAREN_UNIT = re.compile(
    rf"[（(][ \u3000]{{0,2}}(?:单位[：:][ \u3000]{{0,2}})?(?P<u>{_DECLARED})[ \u3000]{{0,2}}[）)]"
    rf"|单位[：:][ \u3000]{{0,2}}(?P<u2>{_DECLARED})"
)
_HAN_PHRASES = ("八项规定", "两条线", "十项规定", "一次性", "跑一次", "一次都", "一成不变", "一人一", "一户一",
                "三项制度", "一个中心", "两个确保", "一张网", "一张表", "一张卡", "一个窗口", "一天一")
_ORDINAL_LIST_BEFORE = frozenset(" \u3000\t\n。；;：:！？!?）)”\"'】]>")
_MINUS = "-−－"
_YEAR_LIKE = re.compile(r"(?:19[5-9]\d|20[0-4]\d)")
# first characters of the patterns tried after and before a number ("" — the end of the text —
# is in none of them, so ``text[p:p + 1] in ...`` is false there)
_SPACE_CHARS = frozenset(" \u3000")
_APPROX_FIRST = frozenset("余多")
_MULT_FIRST = frozenset("万亿千百")
_POST_FIRST = frozenset("以左之内")
_UNIT_FIRST = frozenset(w[0] for w, _, _ in _UNIT_TABLE) | {"分"}
#: the last character of a comparator or 约/近 word, or a space that may follow one
_BEFORE_LAST = _COMPARATOR_LAST | frozenset("约为合计近 \u3000")
_NOT_MINUS_BEFORE = re.compile(r"[\d元人次%％个项家户万亿天日月年）)]")


def _is_money_context(text: str, start: int, end: int) -> bool:
    lo = max(0, start - 80)
    hi = min(len(text), end + 80)
    for ch in _SENTENCE_BREAK:
        k = text.rfind(ch, lo, start)
        if k >= 0:
            lo = max(lo, k + 1)
        k = text.find(ch, end, hi)
        if k >= 0:
            hi = min(hi, k)
    return _MONEY_WORDS.search(text, lo, hi) is not None


def _clause_start(text: str, pos: int, limit: int) -> int:
    """Start of the clause containing ``pos``, looking back at most ``limit`` characters."""
    lo = max(0, pos - limit)
    k = pos - 1
    while k >= lo:
        if text[k] in _CLAUSE_BREAK_SET:
            return k + 1
        k -= 1
    return lo


class _Figure:
    """A figure while it is being read (mutable; becomes a Mention at the end)."""

    __slots__ = ("approx", "bare_mult", "comparator", "end", "flags", "han", "mult", "negative_word",
                 "start", "unit", "unit_source", "value", "value_end", "value_start")

    def __init__(self, start: int, value: Decimal) -> None:
        self.start = start
        self.value_start = start
        self.value_end = start
        self.end = start
        self.value = value
        self.unit = ""
        self.unit_source = "written"
        self.mult: str | None = None
        self.bare_mult = False
        self.approx: Approx | None = None
        self.comparator: str | None = None
        self.negative_word: str | None = None
        self.flags: list[str] = []
        self.han = False

    def mention(self, text: str, block_index: int) -> Mention:
        return Mention(
            quantity=Quantity(self.value, self.unit, self.approx),
            block=block_index,
            start=self.start,
            end=self.end,
            raw=text[self.start:self.end],
            negative_word=self.negative_word,
            comparator=self.comparator,
            unit_source=self.unit_source,
            flags=tuple(self.flags),
        )


def _read_tail(text: str, fig: _Figure, pos: int, *, han: bool) -> int:
    """Read multiplier, 余/多, unit and 以上/以下/内 after the digits; return the new end."""
    n = len(text)
    # each pattern below is tried only where its first character stands (most figures are
    # followed directly by their unit: one dictionary-free character test instead of a match)
    p = _SP.match(text, pos).end() if text[pos:pos + 1] in _SPACE_CHARS else pos  # type: ignore[union-attr]
    approx: Approx | None = None
    ch = text[p:p + 1]
    m = _APPROX_AFTER.match(text, p) if ch in _APPROX_FIRST else None
    if m and not han:
        approx = m.group()  # type: ignore[assignment]
        p = m.end()
    mult: str | None = None
    if not han:
        m = _MULT_RE.match(text, p) if text[p:p + 1] in _MULT_FIRST else None
        if m:
            mult = m.group()
            p = m.end()
            # colloquial 13万2 / 13万2千 / 1亿2
            if mult in ("万", "亿") and approx is None and "." not in text[fig.value_start:fig.value_end]:
                c = _COLLOQUIAL.match(text, p)
                if c:
                    fig.value = Decimal(f"{fig.value}.{c.group()[0]}")
                    fig.flags.append("colloquial")
                    p = c.end()
            if approx is None:
                m = _APPROX_AFTER.match(text, p)
                if m:
                    approx = m.group()  # type: ignore[assignment]
                    p = m.end()
    q = _SP.match(text, p).end() if text[p:p + 1] in _SPACE_CHARS else p  # type: ignore[union-attr]
    unit = ""
    m = _UNIT_RE.match(text, q) if text[q:q + 1] in _UNIT_FIRST else None
    if m:
        unit = UNIT_ALIASES.get(m.group(), m.group())
        if han and unit in _HAN_UNITS_EXCLUDED:
            unit = ""
        else:
            p = m.end()
    if han and fig.mult:
        mult = fig.mult
    if mult:
        combined = mult + unit if unit else None
        if combined and combined in UNITS:
            unit = combined
        elif unit:
            fig.value = fig.value.scaleb(MULTIPLIERS[mult])
        else:
            fig.mult = mult
            fig.bare_mult = True
    fig.unit = unit
    if approx is None and p < n:
        m = _APPROX_AFTER.match(text, p) if unit and text[p] in _APPROX_FIRST else None
        if m:
            approx = m.group()  # type: ignore[assignment]
            p = m.end()
    if p < n and text[p] in _POST_FIRST:
        m = _POST.match(text, p)
        if m:
            word = m.group()
            if word in ("以上", "以下"):
                approx = approx or word  # type: ignore[assignment]
                p = m.end()
            elif word == "左右":
                approx = approx or "约"
                p = m.end()
            elif unit in _TIME_UNITS or unit == "":
                if unit:
                    fig.comparator = "≤"
                    fig.flags.append("time_limit")
                    p = m.end()
            elif word != "内":
                fig.comparator = "≤"
                p = m.end()
    fig.approx = approx
    return p


def _read_before(text: str, fig: _Figure, floor: int) -> None:
    """Sign, comparator and 约/近 written before the number (not before ``floor``)."""
    s = fig.value_start
    if s > floor and text[s - 1] in _MINUS:
        before = text[s - 2] if s >= 2 else ""
        if not before or not _NOT_MINUS_BEFORE.match(before):
            fig.value = -fig.value
            fig.start = s - 1
    elif s > floor and text[s - 1] == "负" and (s < 2 or text[s - 2] not in "正"):
        fig.value = -fig.value
        fig.negative_word = "负"
        fig.start = s - 1
    lo = max(floor, fig.start - 8)
    if fig.start <= lo or text[fig.start - 1] not in _BEFORE_LAST:
        return  # nothing before, or a character that ends no comparator and no 约/近 word
    window = text[lo:fig.start]
    last = window.rstrip(" \u3000")[-1:]
    m = _COMPARATOR_BEFORE.search(window) if last and last in _COMPARATOR_LAST else None
    if m and m.lastgroup:
        fig.comparator = {"ge": "≥", "le": "≤", "gt": ">", "lt": "<", "eq": "="}[m.lastgroup]
        fig.start = lo + m.start()
        window = text[lo:fig.start]
    last = window.rstrip(" \u3000")[-1:]
    m = _APPROX_BEFORE.search(window) if last and last in "约为合计近" else None
    if m:
        word = m.group().strip()
        at = lo + m.start()
        context = text[max(0, at - 1):at + 2]
        if not any(bad in context for bad in _APPROX_NOT):
            fig.approx = fig.approx or ("近" if word in ("近", "将近", "接近") else "约")
            fig.start = at


def _negative_word(text: str, fig: _Figure, floor: int) -> None:
    if fig.negative_word:
        return
    if _NEGATIVE.search(text, max(floor, fig.start - 14), fig.start) is None:
        return  # none in the 14 characters before, so none in the clause (a part of them)
    lo = max(floor, _clause_start(text, fig.start, 14))
    last = None
    for m in _NEGATIVE.finditer(text, lo, fig.start):
        last = m
    if last is None:
        return
    after = text[last.end():last.end() + 2]
    if after[:1] in ("至", "到") or after in ("了至", "为至"):
        return  # 降低至5500元: a level, not a decrease
    fig.negative_word = last.group()


def _is_list_marker(text: str, fig: _Figure, floor: int) -> bool:
    s, e = fig.value_start, fig.value_end
    if e - s > 2:
        return False
    digits = text[s:e]
    if not digits.isdigit():
        return False
    nxt = text[e:e + 1]
    before = text[s - 1] if s > floor else ""
    if before in ("（", "(") and nxt in ("）", ")"):
        return True  # （1）
    if nxt not in ("、", ".", "．", "）", ")"):
        return False
    after = text[e + 1:e + 2]
    if nxt in (".", "．") and after.isdigit() and not re.match(rf"{_Y}{_S}[年度]", text[e + 1:e + 8]):
        return False
    k = s - 1
    while k >= 0 and k > s - 8 and text[k] in " \u3000":
        k -= 1
    return k < 0 or text[k] in _ORDINAL_LIST_BEFORE


def _skip_unitless(text: str, fig: _Figure, floor: int) -> bool:
    """Unit-less numbers that are not figures: phone numbers, long codes, house numbers."""
    digits = text[fig.value_start:fig.value_end]
    if len(digits) >= 11 and digits.isdigit():
        return True
    after = _SP.match(text, fig.value_end).end()  # type: ignore[union-attr]
    if text.startswith(("号", "楼", "层", "室", "期", "届", "级", "版", "号文"), after):
        return True
    return _PHONE_LABEL.search(text, max(floor, fig.value_start - 8), fig.value_start) is not None


def _scan(text: str, block_index: int) -> list[_Figure]:
    figures: list[_Figure] = []
    pos = 0
    n = len(text)
    floor = 0  # earlier figures' text is not read again as context
    while pos < n:
        # find a character that can start a match (one fast C scan), then try the alternatives there
        c = _CANDIDATE.search(text, pos)
        if c is None:
            break
        at = c.start()
        m = (_MASTER_DIGIT if text[at] in _DIGITS else _MASTER).match(text, at)
        if m is None:
            pos = at + 1
            continue
        kind = m.lastgroup
        pos = m.end()
        if kind in ("docno", "code", "ordinal", "label", "phone", "date"):
            floor = m.end()
            continue
        if kind == "pct":
            body = m.group()
            value = parse_chinese_percent(body.replace("．", "."))
            if value is None:
                continue
            fig = _Figure(m.start(), value)
            fig.value_end = fig.end = m.end()
            fig.unit = "%"
            fig.han = True
            p = fig.end
            post = _POST.match(text, p)
            if post and post.group() in ("以上", "以下"):
                fig.approx = post.group()  # type: ignore[assignment]
                p = post.end()
            fig.end = p
            _read_before(text, fig, floor)
            _negative_word(text, fig, floor)
            figures.append(fig)
            pos = floor = fig.end
            continue
        if kind == "han":
            fig_or_none = _read_han(text, m, floor)
            if fig_or_none is None:
                continue
            fig = fig_or_none
        else:
            raw = m.group().replace(",", "").replace("．", ".")
            try:
                value = Decimal(raw)
            except InvalidOperation:  # pragma: no cover - the regex admits digits only
                continue
            fig = _Figure(m.start(), value)
            fig.value_end = m.end()
            if _is_list_marker(text, fig, floor):
                floor = m.end() + 1
                pos = floor
                continue
            fig.end = _read_tail(text, fig, m.end(), han=False)
            if fig.unit == "" and not fig.bare_mult:
                if _skip_unitless(text, fig, floor):
                    floor = fig.end
                    pos = fig.end
                    continue
                if _YEAR_LIKE.fullmatch(text, fig.value_start, fig.value_end):
                    fig.flags.append("year_like")  # 2020市财政…: dropped unless a table gives a unit
            _read_before(text, fig, floor)
            _negative_word(text, fig, floor)
        if fig.bare_mult:
            _resolve_bare_multiplier(text, fig)
        figures.append(fig)
        pos = floor = max(fig.end, pos)
    return figures


def _read_han(text: str, m: re.Match[str], floor: int) -> _Figure | None:
    run = m.group()
    start = m.start()
    if len(run) > 24:
        return None
    if (run[-1] not in "万亿" and not text.startswith("成", m.end())
            and _UNIT_RE.match(text, _SP.match(text, m.end()).end()) is None):  # type: ignore[union-attr]
        return None  # 一是, 一般, 十三五: cheap exit for the common case
    if start > 0 and text[start - 1] in "“「『\"":
        return None  # “十项规定”, “三公”: names, not figures
    window = text[max(0, start - 2):m.end() + 3]
    if any(p in window for p in _HAN_PHRASES):
        return None
    after = m.end()
    if text.startswith("成", after):
        nxt = text[after + 1:after + 2]
        pct = None
        end = after + 1
        if nxt and nxt in "一二三四五六七八九":
            pct = parse_chinese_percent(text[start:after + 2])
            end = after + 2
        if pct is None:
            pct = parse_chinese_percent(text[start:after + 1])
            end = after + 1
        if pct is None:
            return None
        fig = _Figure(start, pct)
        fig.value_end = fig.end = end
        fig.unit = "%"
        fig.han = True
        post = _POST.match(text, end)
        if post and post.group() in ("以上", "以下"):
            fig.approx = post.group()  # type: ignore[assignment]
            fig.end = post.end()
        _read_before(text, fig, floor)
        _negative_word(text, fig, floor)
        return fig
    body = run
    mult = None
    while body and body[-1] in "万亿":
        # 一千二百三十四万元 → 一千二百三十四 × 万元; 十三万二千人 keeps 万 inside the number
        mult = body[-1] + (mult or "")
        body = body[:-1]
    if mult and mult not in MULTIPLIERS:
        return None
    value = parse_chinese_number(body) if body else None
    if value is None:
        return None
    fig = _Figure(start, value)
    fig.value_end = m.end()
    fig.han = True
    fig.mult = mult
    fig.end = _read_tail(text, fig, m.end(), han=True)
    if not fig.unit and not fig.bare_mult:
        return None  # 一是, 十三五, 二〇一九: no unit, no figure
    _read_before(text, fig, floor)
    _negative_word(text, fig, floor)
    return fig


def _resolve_bare_multiplier(text: str, fig: _Figure) -> None:
    """``16.4亿`` with no unit: 亿元 in a money sentence, else a scaled unit-less figure."""
    mult = fig.mult or ""
    money = _is_money_context(text, fig.start, fig.end)
    if money and mult + "元" in UNITS:
        fig.unit = mult + "元"
        fig.unit_source = "context"
        fig.flags.append("bare_multiplier")
    elif money and mult in MULTIPLIERS:
        fig.value = fig.value.scaleb(MULTIPLIERS[mult] - 4)
        fig.unit = "万元"
        fig.unit_source = "context"
        fig.flags.append("bare_multiplier")
    else:
        fig.value = fig.value.scaleb(MULTIPLIERS.get(mult, 0))
        fig.flags.append("bare_multiplier")
    fig.bare_mult = False


# --------------------------------------------------------------------------------------------
# Units written once for many numbers
# --------------------------------------------------------------------------------------------


def _unit_for_label(written: str, text: str, start: int, end: int) -> str:
    unit = UNIT_ALIASES.get(written, written)
    if written in ("亿", "万"):
        return unit if _is_money_context(text, start, end) else ""
    return unit


def _inside_figure(figures: list[_Figure], starts: list[int], pos: int) -> bool:
    k = bisect_left(starts, pos + 1) - 1
    return k >= 0 and figures[k].start <= pos < figures[k].end


def _apply_written_once(text: str, figures: list[_Figure]) -> None:
    # 1. lists: 74200、65884万元 → both 万元 (right to left so chains work: 1、2、3万元)
    for i in range(len(figures) - 2, -1, -1):
        a, b = figures[i], figures[i + 1]
        if a.unit or not b.unit or b.unit_source not in ("written", "list", "context"):
            continue
        gap_ok = _LIST_JOIN.fullmatch(text, a.end, b.start) is not None
        if not gap_ok and _COMMA_JOIN.fullmatch(text, a.end, b.start):
            gap_ok = "分别" in text[max(0, a.start - 24):a.start]
        if gap_ok:
            a.unit = b.unit
            a.unit_source = "list"
    # 2. labels: 发行总额（亿）10.00, 收入（万元）：1000
    starts = [f.start for f in figures]
    labels = ([lab for lab in _PAREN_UNIT.finditer(text) if not _inside_figure(figures, starts, lab.start())]
              if "（" in text or "(" in text or "单位" in text else [])
    if labels:
        ends = [lab.end() for lab in labels]
        written = [0]  # prefix counts of figures with a written unit
        for f in figures:
            written.append(written[-1] + (1 if f.unit and f.unit_source == "written" else 0))
        for i, fig in enumerate(figures):
            if fig.unit:
                continue
            k = bisect_left(ends, fig.start + 1) - 1
            if k < 0:
                continue
            lab = labels[k]
            between = text[lab.end():fig.start]
            if any(ch in between for ch in "。；;") or len(between) > 60:
                continue
            j = bisect_left(starts, lab.end())
            if written[i] - written[j] > 0:
                continue
            unit = _unit_for_label(lab.group("u") or lab.group("u2"), text, lab.start(), fig.end)
            if unit:
                fig.unit = unit
                fig.unit_source = "label"
    # 3. asides: 调整追加预算270.61万元（其中压减预算26.58，追加预算297.19）
    for i, fig in enumerate(figures):
        if fig.unit or i == 0:
            continue
        lo = max(0, fig.start - 40)
        open_at = max(text.rfind("（", lo, fig.start), text.rfind("(", lo, fig.start))
        if open_at < 0 or fig.start - open_at > 40:
            continue
        if any(ch in text[open_at:fig.start] for ch in "）)。；"):
            continue
        if not text.startswith("其中", open_at + 1):
            continue
        j = i - 1
        while j >= 0 and figures[j].start > open_at:
            j -= 1
        if j < 0:
            continue
        prev = figures[j]
        if prev.unit and prev.end <= open_at and open_at - prev.end <= 2:
            fig.unit = prev.unit
            fig.unit_source = "context"


#: a unit given to unit-less numbers standing alone in [lo, hi) of a block: (lo, hi, unit, source)
_Span = tuple[int, int, str, str]


def _apply_spans(text: str, figures: list[_Figure], spans: list[_Span]) -> None:
    """Give a span's unit to the unit-less figure that is all there is in that span (a cell)."""
    spans = sorted(spans)
    los = [sp[0] for sp in spans]
    for fig in figures:
        if fig.unit or fig.han or "bare_multiplier" in fig.flags:
            continue
        k = bisect_left(los, fig.start + 1) - 1
        if k < 0:
            continue
        lo, hi, unit, source = spans[k]
        if not (lo <= fig.start and fig.end <= hi) or not unit:
            continue
        rest = (text[lo:fig.start] + text[fig.end:hi]).strip(" \u3000\t：:≥≤<>=＝")
        if rest and not rest.endswith(("：", ":")):
            continue  # prose around the number: not a table figure
        fig.unit = unit
        fig.unit_source = source


def _tab_spans(text: str, unit: str | None, columns: dict[int, str] | None) -> list[_Span]:
    spans: list[_Span] = []
    lo = 0
    for col, seg in enumerate(text.split("\t")):
        hi = lo + len(seg)
        if columns and col in columns:
            spans.append((lo, hi, columns[col], "column"))
        elif unit:
            spans.append((lo, hi, unit, "table"))
        lo = hi + 1
    return spans


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def find_mentions(block: Block, block_index: int, *, unit_hint: str | None = None) -> list[Mention]:
    """Every figure in ``block.text``, in order.

    ``unit_hint`` is a unit written once elsewhere (a table's ``单位：万元``); it is given to
    unit-less numbers that stand alone in the block (a cell) or in one of its tab-separated
    segments.
    """
    spans: list[_Span] = []
    if unit_hint:
        unit = UNIT_ALIASES.get(unit_hint, unit_hint)
        spans = _tab_spans(block.text, unit, None)
    return _find(block.text, block_index, spans)


def _find(text: str, block_index: int, spans: list[_Span]) -> list[Mention]:
    figures = _scan(text, block_index)
    if figures:
        _apply_written_once(text, figures)
        if spans:
            _apply_spans(text, figures, spans)
    return [f.mention(text, block_index) for f in figures if f.unit or "year_like" not in f.flags]


_UNIT_LINE = re.compile(
    rf"(?:^|[\s（(])(?:金额|计量)?单位[ \u3000]{{0,2}}[：:][ \u3000]{{0,2}}(?P<u>{_DECLARED})"
    r"[ \u3000]{0,2}[）)]?[ \u3000]*$"
)
_HEADER_UNIT = re.compile(rf"[（(][ \u3000]{{0,2}}(?P<u>{_DECLARED})[ \u3000]{{0,2}}[）)]")
_NO_UNIT_HEADER = re.compile(r"分值|得分|权重|序号|编号|行次|栏次|年度|年份|代码|科目编码")
_HAS_DIGIT = re.compile(r"\d")


def _header_unit(text: str) -> str | None:
    """Unit declared by a header cell: ``金额（万元）`` → 万元; ``得分`` → '' (no unit); else None."""
    if _HAS_DIGIT.search(text):
        return None
    m = _HEADER_UNIT.search(text) or _UNIT_LINE.search(text)
    if m:
        written = m.group("u")
        unit = UNIT_ALIASES.get(written, written)
        return unit
    if _NO_UNIT_HEADER.search(text):
        return ""
    return None


def _table_hints(doc: Document) -> dict[int, tuple[str, str]]:
    """id(cell block) → (unit, source) from row labels, column headers and the table's unit."""
    hints: dict[int, tuple[str, str]] = {}
    for table in doc.tables:
        table_unit = UNIT_ALIASES.get(table.unit, table.unit) if table.unit else None
        col_units: dict[int, str] = {}
        for row in table.rows:
            row_unit: str | None = None
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                declared = _header_unit(cell.text)
                if declared is not None:
                    # a header: it governs the cells below it, and those to its right in its row
                    col_units[c] = declared
                    row_unit = declared
                    continue
                if row_unit is not None:
                    hints[id(cell)] = (row_unit, "row")
                elif c in col_units:
                    hints[id(cell)] = (col_units[c], "column")
                elif table_unit:
                    hints[id(cell)] = (table_unit, "table")
    return hints


def _cell_span_in_line(cell: Block, line: Block) -> tuple[int, int] | None:
    """Where an extra cell block (txt/html tables) stands in the normalised text of its line."""
    n = len(cell.text)
    if not cell.origin:
        start = 0
    elif not line.origin:
        start = cell.origin[0]
    else:
        start = bisect_left(line.origin, cell.origin[0])
    if line.text[start:start + n] == cell.text:
        return start, start + n
    k = line.text.find(cell.text)
    return (k, k + n) if k >= 0 and cell.text else None


def find_document_mentions(doc: Document) -> list[Mention]:
    """Every figure in the document (sorted by block, then position), units written once applied.

    Table cells get their row label's unit (``发行总额（亿）``), else their column header's
    (``金额（万元）``), else the table's (``Table.unit``): in docx the cells are blocks of their
    own; in txt/html they are extra blocks over the lines, so the unit goes to the figure
    standing in that cell's part of the line. Lines with tabs that no table covers fall back
    to the text rules: a ``单位：万元`` line governs the tab-separated rows below it (until the
    first line without a tab), and a tab row of headers such as
    ``项目\t金额（万元）\t占比（%）`` gives units by column.
    """
    hints = _table_hints(doc) if doc.tables else {}
    index_of = {id(b): i for i, b in enumerate(doc.blocks)}
    line_index: dict[int, int] = {}
    for i, b in enumerate(doc.blocks):
        if b.line is not None and b.kind != "cell":
            line_index.setdefault(b.line, i)
    extra_spans: dict[int, list[_Span]] = {}
    covered: set[int] = set()  # line blocks that a reader-made table covers
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                if cell is None or id(cell) in index_of or cell.line is None:
                    continue
                bi = line_index.get(cell.line)
                if bi is None:
                    continue
                covered.add(bi)
                hint = hints.get(id(cell))
                if not hint or not hint[0]:
                    continue
                span = _cell_span_in_line(cell, doc.blocks[bi])
                if span:
                    extra_spans.setdefault(bi, []).append((span[0], span[1], hint[0], hint[1]))
    out: list[Mention] = []
    text_unit: str | None = None
    text_columns: dict[int, str] = {}
    for i, block in enumerate(doc.blocks):
        text = block.text
        if not text.strip():
            continue
        if id(block) in hints:
            unit, source = hints[id(block)]
            out.extend(_find(text, i, [(0, len(text), unit, source)] if unit else []))
            continue
        if i in covered:
            out.extend(_find(text, i, extra_spans.get(i, [])))
            continue
        if block.kind == "cell":
            out.extend(_find(text, i, []))
            continue
        line_unit = _UNIT_LINE.search(text) if "单位" in text else None
        if "\t" in text:
            declared = {k: _header_unit(seg) for k, seg in enumerate(text.split("\t")) if seg.strip()}
            if line_unit:
                text_unit = UNIT_ALIASES.get(line_unit.group("u"))
            if not _HAS_DIGIT.search(text) and any(declared.values()):  # a header row
                text_columns = {k: v for k, v in declared.items() if v is not None}
            out.extend(_find(text, i, _tab_spans(text, text_unit, text_columns or None)))
            continue
        if line_unit and len(text.strip()) <= 40:
            text_unit = UNIT_ALIASES.get(line_unit.group("u"))
            text_columns = {}
        else:
            text_unit = None
            text_columns = {}
        out.extend(_find(text, i, []))
    return out


def scan_text(text: str) -> list[Mention]:
    """Figures in one piece of text (block index 0): for tests and quick looks."""
    return _find(text, 0, [])
