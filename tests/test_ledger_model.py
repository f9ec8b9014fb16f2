"""The ledger vocabulary is the model's: every item names a model field by its title, and the
auditor's written forms file figures only under ledger names."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import jixiao.model as model
from jixiao.audit.ledger.vocab import GENERIC, TERM_OF
from jixiao.model.funds import FUNDS, FundKind
from jixiao.model.ledger import DEPARTMENT, ITEM, ITEMS, OTHER, TITLE_DIFFERS, children, is_fund


def _field(path: str) -> Any:
    cls_name, *names = path.split(".")
    cls: Any = getattr(model, cls_name)
    info = None
    for name in names:
        assert issubclass(cls, BaseModel), path
        info = cls.model_fields[name]
        cls = info.annotation
    return info


@pytest.mark.parametrize("item", [i for i in ITEMS if i.field], ids=lambda i: i.name)
def test_every_item_is_a_model_field_with_its_title(item: Any) -> None:
    info = _field(item.field)
    assert info.title == TITLE_DIFFERS.get(item.name, item.name)


def test_parents_are_items_of_the_same_kind_of_record() -> None:
    for item in ITEMS:
        if item.parent is None:
            continue
        parent = ITEM[item.parent]
        if item.field and parent.field:
            assert item.field.split(".")[0] == parent.field.split(".")[0], item.name
    assert set(children("基金收入合计")) >= {"保险费（征缴）收入", "财政补助收入", "上级补助收入", "下级上解收入"}
    assert "上解上级支出" in children("基金支出合计")


def test_the_genre_s_funds_are_fund_kinds() -> None:
    assert FundKind("长期护理保险") in FUNDS
    total = FUNDS[FundKind.basic_total]
    assert set(total.parts) == {FundKind.employee_with_maternity, FundKind.resident}
    assert is_fund("城乡居民基本医疗保险") and is_fund(DEPARTMENT) and is_fund("项目:信息化建设")
    assert not is_fund("基金收入合计")


def test_written_forms_file_only_ledger_names() -> None:
    funds = {k.value for k in FundKind}
    for written, term in TERM_OF.items():
        if term.fund is not None:
            assert term.fund in funds or is_fund(term.fund), written
        if term.item is not None and not term.item.startswith(OTHER):
            assert term.item in ITEM or term.item in GENERIC, (written, term.item)
