"""Issue 13, item 6 (YAML) and the oversized numbers of item 9, on every loader.

The alias bomb of the issue (1.4 KB, nine levels of nine references) is refused in well under a
second by ``jixiao load``, ``jixiao indicators --file``, a rule set file and units.yaml alike;
a key written twice is refused with both lines; a number of 60 digits is a clear problem, not
``decimal.InvalidOperation``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.ingest.files import read_file
from jixiao.numbers import parse_quantity, to_decimal
from jixiao.parsing import MAX_ALIAS_EXPANSION, parse_text
from jixiao.rules import RuleSetError, load_ruleset

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "examples" / "units.yaml"


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_small_and_would_expand_to_hundreds_of_millions() -> None:
    text = alias_bomb()
    assert len(text.encode()) < 1500
    _, _, problems = parse_text(text, "bomb.yaml", "yaml")
    assert [p.code for p in problems] == ["JX-IN-006"]
    assert "别名" in problems[0].message and "387420489" not in problems[0].message  # counted, not built
    assert int(problems[0].message.split("展开后有 ")[1].split(" ")[0]) > 100_000_000


def _run(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"JIXIAO_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("command", [["load"], ["indicators", "--file"]])
def test_an_alias_bomb_given_to_the_cli_is_refused_at_once(tmp_path: Path, command: list[str]) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    started = time.monotonic()
    done = _run(*command, bomb, home=tmp_path)
    assert time.monotonic() - started < 30  # the interpreter's start; the refusal itself is instant
    assert done.returncode == 1, done.stdout + done.stderr
    assert "别名" in done.stderr and "Traceback" not in done.stderr


def test_a_bomb_in_a_rule_set_file_and_in_units_yaml_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: x\nversion: '1'\n" + alias_bomb(), encoding="utf-8")
    with pytest.raises(RuleSetError, match="别名"):
        load_ruleset(str(rules))
    units = tmp_path / "units.yaml"
    units.write_text(UNITS.read_text(encoding="utf-8") + alias_bomb(), encoding="utf-8")
    result = read_file(units)
    assert result.dataset is None and [p.code for p in result.problems] == ["JX-IN-006"]


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    lines = UNITS.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines, 1) if "code: \"650500\"" in line)
    # the unit of 哈密 written out as a block, its code given twice (the second would win)
    lines[first - 1] = '  - code: "650500"\n    code: "650501"\n    name: 哈密市医疗保障局\n    level: 市\n' \
                       '    kind: 医疗保障局\n    parent: "650000"'
    path = tmp_path / "units.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_file(path)
    assert result.dataset is None
    [problem] = result.problems
    assert problem.code == "JX-IN-005" and problem.line == first + 1
    assert f"第{first}行" in problem.message and "code" in problem.message
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: a\nname: b\nversion: '1'\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="重复"):
        load_ruleset(str(rules))
    json_file = tmp_path / "data.json"
    json_file.write_text('{"money_unit": "万元", "money_unit": "元"}', encoding="utf-8")
    assert [p.code for p in read_file(json_file).problems] == ["JX-IN-005"]


def test_aliases_within_the_bound_and_merge_keys_still_work() -> None:
    text = "base: &b {level: 县, kind: 医疗保障局}\nunit:\n  <<: *b\n  code: '1'\nlist: [*b, *b]\n"
    data, lines, problems = parse_text(text, "ok.yaml", "yaml")
    assert problems == [] and data["unit"] == {"level": "县", "kind": "医疗保障局", "code": "1"}
    assert lines[("unit", "code")] == 4
    wide = "a: &a [" + ",".join(["x"] * 100) + "]\nb: [" + ",".join(["*a"] * (MAX_ALIAS_EXPANSION // 101 + 2)) + "]\n"
    assert [p.code for p in parse_text(wide, "wide.yaml", "yaml")[2]] == ["JX-IN-006"]


def test_cycles_and_deep_nesting_are_refused() -> None:
    assert [p.code for p in parse_text("a: &x [1, *x]\n", "c.yaml", "yaml")[2]] == ["JX-IN-006"]
    assert [p.code for p in parse_text("[" * 200 + "]" * 200, "d.yaml", "yaml")[2]] == ["JX-IN-006"]
    assert [p.code for p in parse_text("[" * 5000 + "]" * 5000, "d.json", "json")[2]] == ["JX-IN-006"]


@pytest.mark.parametrize("text", ["1" * 61, "0." + "1" * 61, "-" + "9" * 61, "1e999", "1E-40", "1" * 31])
def test_numbers_beyond_thirty_digits_are_a_clear_refusal(text: str) -> None:
    with pytest.raises(ValueError, match=r"位数过多|未知单位"):
        parse_quantity(text, "万元")
    with pytest.raises(ValueError):
        to_decimal(text)


def test_large_but_real_figures_keep_every_digit() -> None:
    assert str(parse_quantity("123456789012345678901234.567890", "万元").value) == "123456789012345678901234.567890"
