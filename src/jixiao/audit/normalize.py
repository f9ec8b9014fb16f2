"""Remove conversion debris from report text, keeping a map back to the original characters.

Reports reach jixiao after Word → text, PDF → text or HTML → text conversions that leave
debris around the figures: ``[bookmark: _Toc15396600]``, ``[image: ]``, ``<p>`` tags,
full-width digits (``７４２００``), thousands separators (``355,212``), spaces between a
number and its unit (``17096 万元``), stray letters (``760.35d万元``), NBSP and ideographic
spaces. :func:`normalize` removes them and says, for each character it keeps, where that
character stood in the input, so a figure found in the clean text is reported at its place
in the file.

What is changed (and what deliberately is not):

* deleted: ``[bookmark: …]``, ``[image: …]``, HTML tags of known HTML elements (block
  elements such as ``<p>``/``</p>``/``<br>``/``<td>`` become one space when they stand between
  two non-space characters, so ``12</p><p>34`` never becomes ``1234``), HTML comments,
  zero-width characters and soft hyphens;
* replaced one for one: full-width digits and Latin letters → ASCII, ``％`` → ``%``,
  ``／`` → ``/``, ``＋ ＝ ＜ ＞`` → ASCII, ``．`` → ``.`` and ``：`` → ``:`` only between two
  digits, ``－``/``−`` → ``-`` only before a digit, NBSP/ideographic/other exotic spaces
  and control characters → an ASCII space (tabs and newlines are kept: tabs separate table
  cells);
* replaced by one character: the HTML entities ``&nbsp; &amp; &lt; &gt; &quot; &#…;``;
* thousands separators: a ``,`` or ``，`` is dropped only inside ``d{1,3}(,ddd)+`` with
  nothing digit-like on either side (``355,212`` and ``1,562.46`` lose it; ``2019,2020``,
  ``1,2,3`` and ``12,34`` keep it, so do ``，`` between clauses);
* spaces inside a number are dropped only where unambiguous: groups ``d{1,3}( ddd)+`` not
  preceded by another number and directly followed by a unit (``355 212 万元``); a bare
  ``100 200`` may be two numbers in a row and is left alone;
* spaces between a number and a following unit character are dropped (``17096 万元`` →
  ``17096万元``, ``2018 年`` → ``2018年``), unless that character starts a common word
  (``表 3 人员情况``, ``附件 2 项目`` stay);
* one ASCII letter glued between a number and a money/person/percent unit is dropped
  (``760.35d万元`` → ``760.35万元``).

Chinese punctuation (``，。：（）`` outside numbers) is kept, so sentence splitting still works.
Every pattern is bounded (no nested quantifiers over unbounded text), so normalisation is
linear in the input: a line of a million characters takes a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

# ---------------------------------------------------------------------------------------------
# One-for-one character folds (offsets unchanged)
# ---------------------------------------------------------------------------------------------


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for i in range(10):
        table[0xFF10 + i] = chr(0x30 + i)  # ０-９
    for i in range(26):
        table[0xFF21 + i] = chr(0x41 + i)  # Ａ-Ｚ
        table[0xFF41 + i] = chr(0x61 + i)  # ａ-ｚ
    table[ord("％")] = "%"
    table[ord("／")] = "/"
    table[ord("＋")] = "+"
    table[ord("＝")] = "="
    table[ord("＜")] = "<"
    table[ord("＞")] = ">"
    # exotic whitespace → ASCII space (tab and newline are kept)
    for cp in (0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x0B, 0x0C, 0x0D, 0x85):
        table[cp] = " "
    for cp in range(0x2000, 0x200B):
        table[cp] = " "
    # control characters → space (they only come from broken conversions or binary junk)
    for cp in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]:
        table[cp] = " "
    return table


_FOLD: Final = _build_fold_table()
_FOLD_CHARS: Final = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD)) + "]")

# context-dependent one-for-one replacements, applied after the fold (each pattern starts with
# its character and looks back after it: the scan then jumps from one ： to the next instead of
# trying the look-behind at every position)
_DOT_BETWEEN_DIGITS: Final = re.compile(r"．(?<=\d．)(?=\d)")
_COLON_BETWEEN_DIGITS: Final = re.compile(r"：(?<=\d：)(?=\d)")
_MINUS_BEFORE_DIGIT: Final = re.compile(r"[－−](?=\d)")

# ---------------------------------------------------------------------------------------------
# Deletions and replacements (offsets change; recorded as edits)
# ---------------------------------------------------------------------------------------------

_BLOCK_TAGS: Final = (
    "p|div|br|hr|td|th|tr|table|tbody|thead|tfoot|caption|li|ul|ol|dl|dt|dd|h[1-6]|"
    "section|article|header|footer|blockquote|pre|center|col|colgroup|body|html|head|title"
)
_INLINE_TAGS: Final = "span|font|b|i|u|s|em|strong|sup|sub|a|img|small|big|strike|mark|o:p|w:[a-z]{1,20}"

# (every alternative after the first starts with the same ``<``, written once: the pattern then
# starts with ``[`` or ``<`` and the scan skips to those characters)
_MARKUP: Final = re.compile(
    r"\[(?:bookmark|image):[^\[\]\n\t]{0,300}\]"  # Word → text converters
    r"|<(?:!--[^<>\n]{0,300}-->"
    rf"|(?P<block>/?(?:{_BLOCK_TAGS})(?:\s[^<>\n\t]{{0,300}})?/?>)"
    rf"|/?(?:{_INLINE_TAGS})(?:\s[^<>\n\t]{{0,300}})?/?>)",
    re.IGNORECASE,
)

_ENTITIES: Final = re.compile(r"&(?:nbsp|amp|lt|gt|quot|apos|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_ENTITY_VALUES: Final = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}

# 355,212 / 1,562.46 / 12,345,678 — a whole number with thousands separators, nothing
# digit-like glued on either side
_THOUSANDS: Final = re.compile(r"\d{1,3}(?:[,，]\d{3})+(?![\d]|[,，]\d)")
_NOT_BEFORE_NUMBER: Final = frozenset("0123456789.,，")

# unit characters a number may be followed by (first characters of units in numbers.UNITS,
# plus 万/亿/年/月/倍/岁/分 and %/‰).
# A unit character that also starts common words is a unit only when that word does not
# follow: ``表 3 人员情况`` must not become ``表 3人员情况`` (3人), nor ``附件 2 项目`` become 2项.
_UNIT_CLASS: Final = (
    "(?:[万亿千百元年月日天岁倍张辆床篇%‰]"
    "|人(?![员民口事])|个(?![人体别])|家(?![庭属])|户(?![籍口])|名(?![称单字义])|项(?![目])"
    "|次(?![要])|分(?![别析配类项管])|台(?![账])|件(?![事])|所(?![属有以在])|条(?![件例])"
    "|份(?![额])|种(?![类])|批(?![准复]))"
)

# 355 212 万元 — digit groups separated by single spaces, directly followed by a unit, and not
# preceded by another number (``2019 12 345`` stays)
_SPACED_NUMBER: Final = re.compile(rf"\d{{1,3}}(?: \d{{3}})+(?:\.\d{{1,12}})?(?= ?{_UNIT_CLASS})")
# (patterns start with a digit rather than a look-behind: the regex engine then skips ahead fast)
_SPACE_BEFORE_UNIT: Final = re.compile(rf"\d( {{1,8}})(?={_UNIT_CLASS})")
_STRAY_LETTER: Final = re.compile(r"\d([A-Za-z])(?=万元|亿元|千元|元|万人|人(?![员民])|%)")
_INVISIBLE: Final = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

Edit = tuple[int, int, str]  # replace text[start:end] by the string (often "")


def _fold_one(m: re.Match[str]) -> str:
    return _FOLD[ord(m.group())]


def _fold(text: str) -> str:
    """One-for-one folds: the result has the same length as ``text``."""
    # str.translate looks every character up in a dict; scanning for the few characters that
    # fold is ten times faster on clean text
    folded = _FOLD_CHARS.sub(_fold_one, text)
    if "．" in folded:
        folded = _DOT_BETWEEN_DIGITS.sub(".", folded)
    if "：" in folded:
        folded = _COLON_BETWEEN_DIGITS.sub(":", folded)
    if "－" in folded or "−" in folded:
        folded = _MINUS_BEFORE_DIGIT.sub("-", folded)
    return folded


def _markup_edits(t: str) -> Iterator[Edit]:
    """Markup deletions; a chain of block tags between two non-space characters becomes a space."""
    chain_start = -1
    chain_end = -1
    chain_block = False
    for m in _MARKUP.finditer(t):
        if m.start() != chain_end and chain_start >= 0:
            yield from _close_chain(t, chain_start, chain_end, chain_block)
            chain_start = -1
        if chain_start < 0:
            chain_start, chain_block = m.start(), False
        chain_end = m.end()
        chain_block = chain_block or m.group("block") is not None
    if chain_start >= 0:
        yield from _close_chain(t, chain_start, chain_end, chain_block)


def _close_chain(t: str, start: int, end: int, block: bool) -> Iterator[Edit]:
    before = t[start - 1] if start > 0 else " "
    after = t[end] if end < len(t) else " "
    space = block and not before.isspace() and not after.isspace()
    yield (start, end, " " if space else "")


def _edits(t: str) -> list[Edit]:
    """Every edit on folded text ``t``, sorted and non-overlapping."""
    edits: list[Edit] = []
    if "[" in t or "<" in t:
        edits.extend(_markup_edits(t))
    if "&" in t:
        for m in _ENTITIES.finditer(t):
            edits.append((m.start(), m.end(), _entity_value(m.group())))
    _number_edits(t, edits)
    for m in _INVISIBLE.finditer(t):
        edits.append((m.start(), m.end(), ""))
    if not edits:
        return edits
    edits.sort()
    merged: list[Edit] = []
    last_end = -1
    for e in edits:
        if e[0] >= last_end:  # drop an edit inside one already taken (a comma inside a bookmark)
            merged.append(e)
            last_end = e[1]
    return merged


# a digit followed by a separator, a space or a letter: the only places where the number rules
# can apply. One scan finds them all; each rule is then tried at that position only.
_CANDIDATE: Final = re.compile(r"\d[,， A-Za-z]")


def _number_start(t: str, i: int) -> int:
    """Start of the digit run ending at ``i``, or -1 when the run is longer than 3 digits."""
    j = i
    while j > 0 and t[j - 1].isdigit():
        j -= 1
        if i - j >= 3:
            return -1
    return j


def _number_edits(t: str, edits: list[Edit]) -> None:
    covered = -1  # end of the last number whose separators were taken
    for m in _CANDIDATE.finditer(t):
        i = m.start()
        sep = t[i + 1]
        if sep == " ":
            if i >= covered:
                j = _number_start(t, i)
                before = t[j - 1] if j > 0 else ""
                if j >= 0 and before not in _NOT_BEFORE_NUMBER and not (before == " " and t[j - 2: j - 1].isdigit()):
                    n = _SPACED_NUMBER.match(t, j)
                    if n:  # 355 212 万元 (``2019 12 345`` is two numbers and stays)
                        edits.extend((k, k + 1, "") for k in range(j, n.end()) if t[k] == " ")
                        covered = n.end()
            u = _SPACE_BEFORE_UNIT.match(t, i)
            if u:  # 17096 万元
                edits.append((u.start(1), u.end(1), ""))
        elif sep in ",，":
            if i >= covered:
                j = _number_start(t, i)
                if j >= 0 and (j == 0 or t[j - 1] not in _NOT_BEFORE_NUMBER):
                    n = _THOUSANDS.match(t, j)
                    if n:  # 355,212 / 1,562.46
                        edits.extend((k, k + 1, "") for k in range(j, n.end()) if t[k] in ",，")
                        covered = n.end()
        else:
            u = _STRAY_LETTER.match(t, i)
            if u:  # 760.35d万元
                edits.append((u.start(1), u.end(1), ""))


def _entity_value(entity: str) -> str:
    if entity in _ENTITY_VALUES:
        return _ENTITY_VALUES[entity]
    try:
        code = int(entity[3:-1], 16) if entity[2] in "xX" else int(entity[2:-1])
        ch = chr(code)
    except (ValueError, OverflowError):
        return " "
    return ch.translate(_FOLD) if ch not in "\n\r\t" else " "


def _apply(t: str, edits: list[Edit], start: int, end: int) -> tuple[str, list[int] | None]:
    """Apply the edits lying in ``t[start:end]``; origins are relative to ``start``.

    Returns ``(text, None)`` when nothing was edited (the origin is then the identity).
    """
    if not edits:
        return t[start:end], None
    pieces: list[str] = []
    origin: list[int] = []
    pos = start
    for e_start, e_end, repl in edits:
        if e_start > pos:
            pieces.append(t[pos:e_start])
            origin.extend(range(pos - start, e_start - start))
        if repl:
            pieces.append(repl)
            origin.extend([e_start - start] * len(repl))
        pos = min(e_end, end)
    if pos < end:
        pieces.append(t[pos:end])
        origin.extend(range(pos - start, end - start))
    return "".join(pieces), origin


def normalize(text: str) -> tuple[str, list[int]]:
    """Normalised ``text`` and, for each of its characters, the offset in ``text`` it comes from."""
    folded = _fold(text)
    out, origin = _apply(folded, _edits(folded), 0, len(folded))
    return out, (origin if origin is not None else list(range(len(out))))


def normalize_compact(text: str) -> tuple[str, list[int]]:
    """Like :func:`normalize`, but the origin is ``[]`` when it is the identity.

    ``Block.origin == []`` means "same offsets as ``source_text``" (see
    :meth:`jixiao.audit.document.Block.original_span`); the readers use this so that clean
    text costs no per-character list.
    """
    folded = _fold(text)
    out, origin = _apply(folded, _edits(folded), 0, len(folded))
    return out, (origin if origin is not None else [])


def normalize_lines(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[str, list[int]]]:
    """Normalise a whole file at once and cut the result into lines.

    ``spans`` are the ``[start, end)`` offsets of each line in ``text`` (terminators excluded).
    No edit ever crosses a newline, so normalising the file once (a few regex passes in C) and
    distributing the edits gives the same result as normalising every line, only faster.
    Origins are relative to each line's start, ``[]`` when the line was not edited.
    """
    folded = _fold(text)
    edits = _edits(folded)
    if not edits:  # clean text (the common case): every line as it stands, identity origins
        for start, end in spans:
            yield folded[start:end], []
        return
    k = 0
    n = len(edits)
    for start, end in spans:
        while k < n and edits[k][0] < start:
            k += 1
        j = k
        while j < n and edits[j][0] < end:
            j += 1
        line_edits = edits[k:j] if j > k else []
        out, origin = _apply(folded, line_edits, start, end)
        k = j
        yield out, (origin if origin is not None else [])
