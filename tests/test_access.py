"""Who may read and change which unit: denied unless granted."""

from pathlib import Path

from jixiao.app.access import can_edit, can_read, parents_of, visible_units
from jixiao.ingest.files import read_files
from jixiao.model.users import Principal, Role

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

UNITS = read_files([EXAMPLES / "units.yaml"]).dataset.units  # type: ignore[union-attr]
PARENTS = parents_of(UNITS)


def test_operator_reads_and_edits_only_its_own_unit():
    op = Principal(1, "yiyang", Role.operator, "430900")
    assert can_read(op, "430900", PARENTS) and can_edit(op, "430900")
    assert not can_read(op, "430000", PARENTS)  # not even its parent
    assert not can_read(op, "430200-01", PARENTS) and not can_edit(op, "430200-01")


def test_reviewer_reads_its_region_subtree_and_edits_nothing():
    rev = Principal(2, "sichuan", Role.reviewer, "510000")
    readable = {u.code for u in visible_units(rev, UNITS)}
    assert readable == {"510000", "510400", "510421", "510421-01"}
    assert not any(can_edit(rev, code) for code in readable)


def test_admin_everything_and_no_unit_means_nothing():
    admin = Principal(3, "root", Role.admin)
    assert len(visible_units(admin, UNITS)) == len(UNITS) and can_edit(admin, "650500")
    orphan = Principal(4, "nobody", Role.reviewer, None)
    assert visible_units(orphan, UNITS) == []
