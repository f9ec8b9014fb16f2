"""The official documents that rules and indicators rest on, and the one way anything shown to a
user cites them.

A rule (``citation:`` in a rule set) or an indicator (``citation=`` of ``@indicator``) names an
official document by its 文号; :func:`citation_text` makes the user-facing citation from the
catalogue ``rules/documents.yaml`` — ``人社部发〔2009〕67号《关于进一步加强基本医疗保险基金管理的
指导意见》`` — and nothing for a rule with no official document behind it (a local table, a
practice, jixiao's own convention): pages then name only the rule set. The ``source`` and
``confidence`` of a rule are the maintainers' notes on provenance and are never shown.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jixiao.parsing import parse_text


class CitationError(ValueError):
    """A 文号 that the catalogue of documents does not hold."""


@lru_cache(maxsize=1)
def documents() -> dict[str, str]:
    """文号 → title of every official document jixiao cites."""
    text = (resources.files("jixiao.rules") / "documents.yaml").read_text(encoding="utf-8")
    data, _, problems = parse_text(text, "documents.yaml", "yaml")
    if problems or not isinstance(data, dict):
        raise CitationError("正式文件目录无法读取")
    return {str(number): str(title) for number, title in data.items()}


def check_citation(number: str | None) -> str | None:
    """``number`` if it is a catalogued 文号 (or None); CitationError otherwise."""
    if number is not None and number not in documents():
        raise CitationError(f"未收录的文件文号“{number}”（正式文件目录中有：{'、'.join(documents())}）")
    return number


def citation_text(number: str | None) -> str | None:
    """``文号《标题》`` of a catalogued document; None for no document."""
    if number is None:
        return None
    return f"{number}《{documents()[check_citation(number) or number]}》"


def citation_tag(number: str | None) -> str:
    """``（依据：文号《标题》）`` to close a sentence that applied the rule, or "" without a document."""
    cited = citation_text(number)
    return f"（依据：{cited}）" if cited else ""


__all__ = ["CitationError", "check_citation", "citation_tag", "citation_text", "documents"]
