"""A paragraph under construction: its clauses and the derived figures it prints (claims)."""

from __future__ import annotations

import re

from jixiao.write.printed import Fig
from jixiao.write.report import Claim, Origin, Paragraph


class Para:
    """Clauses joined by ``，``/``；`` into sentences; every derived figure added with its claim."""

    def __init__(self) -> None:
        self.sentences: list[list[str]] = [[]]
        self.claims: list[Claim] = []

    def add(self, *clauses: str | None) -> Para:
        self.sentences[-1].extend(c for c in clauses if c)
        return self

    def derive(self, got: tuple[Fig, Claim | None] | None) -> Fig | None:
        """The figure of a printed-operand computation, its claim kept (None stays None)."""
        if got is None:
            return None
        fig, claim = got
        if claim is not None:
            self.claims.append(claim)
        return fig

    def end(self) -> Para:
        """Close the sentence being built (the next clause starts a new one)."""
        if self.sentences[-1]:
            self.sentences.append([])
        return self

    @property
    def empty(self) -> bool:
        return not any(self.sentences)

    def text(self, sep: str = "，") -> str:
        return "".join(sep.join(s) + "。" for s in self.sentences if s)

    def paragraph(self, sep: str = "，", origin: Origin = "generated") -> Paragraph | None:
        if self.empty:
            return None
        text = self.text(sep)
        claims = tuple(c for c in self.claims if printed_in(c.result, text) and all(printed_in(o, text)
                                                                                       for o in c.operands))
        return Paragraph(text, origin, claims)


def printed_in(figure: str, text: str) -> bool:
    """Whether ``figure`` is printed in ``text``: as it is, or a negative one as its magnitude after
    the word that gives its sign (“下降9.63%” for −9.63%)."""
    if figure in text:
        return True
    return figure.startswith("-") and re.search(f"(?:下降|减少|缺口|亏损){re.escape(figure[1:])}", text) is not None
