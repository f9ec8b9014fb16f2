"""The figures of one normalised text, read from each number outwards.

The scan is one compiled regular expression (:data:`_MASTER`) whose alternatives all start with a
fixed character class, so matching is linear in the length of the text; everything around a match
(units, 约/余/以上, 减少/下降, list markers) is read from a bounded window next to it.

What is *not* a figure, and is skipped: dates (``2019年``, ``2019年12月31日``, ``12月底``,
``2019. 4. 28``), document numbers (``株政发〔2017〕13号``, ``米编发〔2002〕02号``,
``川财社[2019]18号``), ordinals (``第1批``, ``第一``), list markers (``1.``, ``2、``, ``（1）``),
figure and annex labels (``（图1：``, ``附件2``), bracketed codes (``[304]``), telephone numbers,
identifiers glued to ASCII letters (``_Toc15396600``), and Chinese numerals without a unit
(``一是``, ``十三五``, ``“十项规定”``).

Units written once for several numbers are not this module's business (:mod:`.written_once`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.numerals import MULTIPLIERS, NUMERAL_CHARS, parse_chinese_number, parse_chinese_percent
from jixiao.audit.quantities.units import HAN_UNITS_EXCLUDED, TIME_UNITS, UNIT_ALIASES, UNIT_TABLE, unit_alternation
from jixiao.numbers import UNITS, Approx, Quantity

_HAN_START: Final = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_HAN: Final = NUMERAL_CHARS
_Y: Final = r"(?:19|20)\d{2}"  # a year
_S: Final = r"[ \u3000]{0,2}"  # a few spaces

_MASTER_PARTS: Final = (
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
_MASTER: Final = re.compile("|".join(_MASTER_PARTS))
#: the alternatives that can start with a digit (phone, date, num), in the same order: where the
#: candidate is a digit this gives the same match as _MASTER without trying the others
_MASTER_DIGIT: Final = re.compile(
    "|".join(p for p in _MASTER_PARTS if p.startswith(("(?P<phone>", "(?P<date>", "(?P<num>"))))
_DIGITS: Final = frozenset("0123456789")

#: every character a match of _MASTER can start with
_CANDIDATE: Final = re.compile(rf"[0-9〔\[【（(第附图表百{_HAN_START}]")
_MULT_RE: Final = re.compile(r"万亿|千万|百万|亿|万|千(?!元)")
_UNIT_RE: Final = re.compile(rf"(?:{unit_alternation()})")
_SP: Final = re.compile(r"[ \u3000]{0,2}")
#: a unit after at most two spaces (no unit starts with a space, so this is _UNIT_RE after _SP)
_UNIT_AFTER_SPACES: Final = re.compile(rf"[ \u3000]{{0,2}}(?:{unit_alternation()})")
_APPROX_AFTER: Final = re.compile(r"余(?![额下量款粮])|多(?![元样方种类少])")
_POST: Final = re.compile(r"以上|以下|左右|以内|之内|内")
#: the approximation words read after a figure, as :data:`~jixiao.numbers.Approx` values
_APPROX_WORDS: Final[dict[str, Approx]] = {"余": "余", "多": "多", "以上": "以上", "以下": "以下"}
_COLLOQUIAL: Final = re.compile(r"[1-9](?![\d.．年月日号%])(?:千(?!万))?")

_COMPARATOR_BEFORE: Final = re.compile(
    r"(?:(?P<ge>≥|>=|＞=|大于等于|大于或等于|不低于|不少于|不小于)"
    r"|(?P<le>≤|<=|＜=|小于等于|小于或等于|不高于|不超过|不多于|不大于)"
    r"|(?P<gt>>|＞|大于|高于|超过|多于|逾)"
    r"|(?P<lt><|＜|小于|低于|少于|不足|不到)"
    r"|(?P<eq>=|＝|等于))"
    r"[ \u3000]{0,2}$"
)
_COMPARATOR_LAST: Final = frozenset("≥≤><=＞＜＝于过足到逾")
_APPROX_BEFORE: Final = re.compile(r"(?:大约|约为|约合|约计|约|将近|接近|近)[ \u3000]{0,2}$")
_APPROX_NOT: Final = ("节约", "制约", "签约", "协约", "违约", "预约", "特约", "契约", "集约", "履约", "最近",
                      "就近", "附近", "邻近", "靠近", "临近", "亲近", "相近", "新近", "近年", "近期")
_NEGATIVE: Final = re.compile(r"减少|下降|降低|降幅|减幅|亏损|赤字|缺口|下滑|回落|压减|缩减|负增长|减收")
_CLAUSE_BREAK_SET: Final = frozenset("，,。；;！？!?：:\t\n（）()")
_SENTENCE_BREAK: Final = "。；;！？!?\n"
_MONEY_WORDS: Final = re.compile(
    r"元|收入|支出|资金|金额|总额|余额|经费|存款|基金|费|预算|结余|资产|负债|拨款|补助|补偿|投入|成本|价格"
    r"|工资|筹资|缴费|支付|报销|封顶|起付|债|款|资本|利润|亏损|赤字|缺口|税|征缴|决算|拨付|代缴"
)
_PHONE_LABEL: Final = re.compile(r"电话|手机|传真|热线|联系方式|邮编|邮政编码|QQ|账号|帐号|卡号|编号|代码|身份证|工号")
_HAN_PHRASES: Final = ("八项规定", "两条线", "十项规定", "一次性", "跑一次", "一次都", "一成不变", "一人一", "一户一",
                       "三项制度", "一个中心", "两个确保", "一张网", "一张表", "一张卡", "一个窗口", "一天一")
_ORDINAL_LIST_BEFORE: Final = frozenset(" \u3000\t\n。；;：:！？!?）)”\"'】]>")
_MINUS: Final = "-−－"
_YEAR_LIKE: Final = re.compile(r"(?:19[5-9]\d|20[0-4]\d)")
# first characters of the patterns tried after and before a number ("" — the end of the text —
# is in none of them, so ``text[p:p + 1] in ...`` is false there)
_SPACE_CHARS: Final = frozenset(" \u3000")
_APPROX_FIRST: Final = frozenset("余多")
_MULT_FIRST: Final = frozenset("万亿千百")
#: what may follow a multiplier and be read with it: a colloquial digit (13万2) or 余/多
_AFTER_MULT_FIRST: Final = frozenset("123456789") | _APPROX_FIRST
_POST_FIRST: Final = frozenset("以左之内")
_UNIT_FIRST: Final = frozenset(w[0] for w, _, _ in UNIT_TABLE) | {"分"}
#: the last character of a comparator or 约/近 word, or a space that may follow one
_BEFORE_LAST: Final = _COMPARATOR_LAST | frozenset("约为合计近 \u3000")
_NOT_MINUS_BEFORE: Final = re.compile(r"[\d元人次%％个项家户万亿天日月年）)]")


def is_money_context(text: str, start: int, end: int) -> bool:
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


class Figure:
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


def _read_tail(text: str, fig: Figure, pos: int, *, han: bool) -> int:
    """Read multiplier, 余/多, unit and 以上/以下/内 after the digits; return the new end."""
    n = len(text)
    # each pattern below is tried only where its first character stands (most figures are
    # followed directly by their unit: one dictionary-free character test instead of a match)
    p = _after_spaces(text, pos) if text[pos:pos + 1] in _SPACE_CHARS else pos
    approx: Approx | None = None
    mult: str | None = None
    if not han:
        if text[p:p + 1] in _APPROX_FIRST:
            approx, p = _approx_at(text, p)
        m = _MULT_RE.match(text, p) if text[p:p + 1] in _MULT_FIRST else None
        if m:
            mult = m.group()
            p = m.end()
            if text[p:p + 1] in _AFTER_MULT_FIRST:
                approx, p = _after_multiplier(text, fig, mult, p, approx)
    q = _after_spaces(text, p) if text[p:p + 1] in _SPACE_CHARS else p
    unit = ""
    m = _UNIT_RE.match(text, q) if text[q:q + 1] in _UNIT_FIRST else None
    if m:
        unit = UNIT_ALIASES.get(m.group(), m.group())
        if han and unit in HAN_UNITS_EXCLUDED:
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
    if approx is None and p < n and unit and text[p] in _APPROX_FIRST:
        approx, p = _approx_at(text, p)
    if p < n and text[p] in _POST_FIRST:
        approx, p = _read_post_word(text, fig, p, approx)
    fig.approx = approx
    return p


def _after_spaces(text: str, pos: int) -> int:
    """The offset after the (at most two) spaces at ``pos``."""
    m = _SP.match(text, pos)
    return m.end() if m is not None else pos


def _approx_at(text: str, p: int) -> tuple[Approx | None, int]:
    """余/多 at ``p`` (3000余人, 20多万元): the word and the offset after it."""
    m = _APPROX_AFTER.match(text, p)
    return (_APPROX_WORDS[m.group()], m.end()) if m else (None, p)


def _after_multiplier(text: str, fig: Figure, mult: str, p: int, approx: Approx | None) -> tuple[Approx | None, int]:
    """A colloquial digit after 万/亿 (13万2) and 余/多 after that (20多万元)."""
    # colloquial 13万2 / 13万2千 / 1亿2
    if mult in ("万", "亿") and approx is None and "." not in text[fig.value_start:fig.value_end]:
        c = _COLLOQUIAL.match(text, p)
        if c:
            fig.value = Decimal(f"{fig.value}.{c.group()[0]}")
            fig.flags.append("colloquial")
            p = c.end()
    if approx is None:
        approx, p = _approx_at(text, p)
    return approx, p


def _read_post_word(text: str, fig: Figure, p: int, approx: Approx | None) -> tuple[Approx | None, int]:
    """以上/以下/左右 after a figure (its approximation), or 内/以内 after a time limit (≤)."""
    m = _POST.match(text, p)
    if not m:
        return approx, p
    word = m.group()
    unit = fig.unit
    if word in ("以上", "以下"):
        return approx or _APPROX_WORDS[word], m.end()
    if word == "左右":
        return approx or "约", m.end()
    if unit in TIME_UNITS or unit == "":
        if unit:
            fig.comparator = "≤"
            fig.flags.append("time_limit")
            return approx, m.end()
        return approx, p
    if word != "内":
        fig.comparator = "≤"
        return approx, m.end()
    return approx, p


def _read_before(text: str, fig: Figure, floor: int) -> None:
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


def _negative_word(text: str, fig: Figure, floor: int) -> None:
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


def _is_list_marker(text: str, fig: Figure, floor: int) -> bool:
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


def _skip_unitless(text: str, fig: Figure, floor: int) -> bool:
    """Unit-less numbers that are not figures: phone numbers, long codes, house numbers."""
    digits = text[fig.value_start:fig.value_end]
    if len(digits) >= 11 and digits.isdigit():
        return True
    after = _after_spaces(text, fig.value_end)
    if text.startswith(("号", "楼", "层", "室", "期", "届", "级", "版", "号文"), after):
        return True
    return _PHONE_LABEL.search(text, max(floor, fig.value_start - 8), fig.value_start) is not None


def scan_figures(text: str, block_index: int) -> list[Figure]:
    """Every figure of ``text`` in order, each read alone (units written once come later)."""
    figures: list[Figure] = []
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
            fig = _read_pct(text, m, floor)
        elif kind == "han":
            fig = _read_han(text, m, floor)
        else:
            raw = m.group().replace(",", "").replace("．", ".")
            try:
                value = Decimal(raw)
            except InvalidOperation:  # pragma: no cover - the regex admits digits only
                continue
            fig = Figure(m.start(), value)
            fig.value_end = m.end()
            if _is_list_marker(text, fig, floor):
                floor = m.end() + 1
                pos = floor
                continue
            if not _read_around_number(text, fig, m.end(), floor):
                floor = fig.end
                pos = fig.end
                continue
        if fig is None:
            continue
        if fig.bare_mult:
            _resolve_bare_multiplier(text, fig)
        figures.append(fig)
        pos = floor = max(fig.end, pos)
    return figures


def _read_around_number(text: str, fig: Figure, end: int, floor: int) -> bool:
    """What stands after and before an Arabic number; False when, having no unit, it is no
    figure after all (a phone number, a long code, a house number)."""
    fig.end = _read_tail(text, fig, end, han=False)
    if fig.unit == "" and not fig.bare_mult:
        if _skip_unitless(text, fig, floor):
            return False
        if _YEAR_LIKE.fullmatch(text, fig.value_start, fig.value_end):
            fig.flags.append("year_like")  # 2020市财政…: dropped unless a table gives a unit
    _read_before(text, fig, floor)
    _negative_word(text, fig, floor)
    return True


def _read_pct(text: str, m: re.Match[str], floor: int) -> Figure | None:
    """百分之十五 / 百分之3.5."""
    value = parse_chinese_percent(m.group().replace("．", "."))
    if value is None:
        return None
    return _percent_figure(text, m.start(), m.end(), value, floor)


def _percent_figure(text: str, start: int, end: int, value: Decimal, floor: int) -> Figure:
    """A percentage written in words (百分之十五, 三成) ending at ``end``, with 以上/以下 after it."""
    fig = Figure(start, value)
    fig.value_end = fig.end = end
    fig.unit = "%"
    fig.han = True
    post = _POST.match(text, end)
    if post and post.group() in ("以上", "以下"):
        fig.approx = _APPROX_WORDS[post.group()]
        fig.end = post.end()
    _read_before(text, fig, floor)
    _negative_word(text, fig, floor)
    return fig


def _read_han(text: str, m: re.Match[str], floor: int) -> Figure | None:
    run = m.group()
    start = m.start()
    if len(run) > 24:
        return None
    if (run[-1] not in "万亿" and not text.startswith("成", m.end())
            and _UNIT_AFTER_SPACES.match(text, m.end()) is None):
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
        return _percent_figure(text, start, end, pct, floor)
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
    fig = Figure(start, value)
    fig.value_end = m.end()
    fig.han = True
    fig.mult = mult
    fig.end = _read_tail(text, fig, m.end(), han=True)
    if not fig.unit and not fig.bare_mult:
        return None  # 一是, 十三五, 二〇一九: no unit, no figure
    _read_before(text, fig, floor)
    _negative_word(text, fig, floor)
    return fig


def _resolve_bare_multiplier(text: str, fig: Figure) -> None:
    """``16.4亿`` with no unit: 亿元 in a money sentence, else a scaled unit-less figure."""
    mult = fig.mult or ""
    money = is_money_context(text, fig.start, fig.end)
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

