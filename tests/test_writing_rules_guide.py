"""docs/writing-rules.md: the rule it builds validates, its examples pass, and the outputs
the guide shows are what the commands print."""

from __future__ import annotations

import re

import pytest

from screener.cli import main

from .conftest import ROOT

GUIDE = (ROOT / "docs" / "writing-rules.md").read_text(encoding="utf-8")
RULE_YAML = re.search(r"`my-pack/seafood.yaml`:\n\n```yaml\n(.*?)```", GUIDE, re.S).group(1)


def shown_output(command_start: str) -> list[str]:
    """The lines the guide shows after `$ <command_start>...` up to the closing fence."""
    block = GUIDE.split(f"$ {command_start}", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines()[1:] if line and not line.startswith("    '")]


@pytest.fixture
def my_pack(tmp_path, monkeypatch):
    (tmp_path / "my-pack").mkdir()
    (tmp_path / "schemas").symlink_to(ROOT / "schemas")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "my-pack"


def test_the_guides_rule_validates_as_shown(my_pack, capsys):
    (my_pack / "seafood.yaml").write_text(RULE_YAML, encoding="utf-8")
    assert main(["rules", "validate", "my-pack"]) == 0
    out, err = capsys.readouterr()
    expected = next(line for line in GUIDE.splitlines() if "[no-precedent]" in line)
    assert out.strip() == expected
    assert "0 error(s), 1 warning(s)" in err


def test_the_typo_is_reported_where_the_guide_says(my_pack, capsys):
    typo = RULE_YAML.replace("    hs_codes:\n", "    hs_code:\n")
    (my_pack / "seafood.yaml").write_text(typo, encoding="utf-8")
    assert main(["rules", "validate", "my-pack"]) == 1
    out = capsys.readouterr().out.strip()
    expected = next(line for line in GUIDE.splitlines() if "unknown key (did you mean" in line)
    assert out == expected


def test_the_guides_examples_pass_as_shown(my_pack, capsys):
    (my_pack / "seafood.yaml").write_text(RULE_YAML, encoding="utf-8")
    assert main(["rules", "test", "--rules", "my-pack"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == shown_output(".venv/bin/screener rules test --rules my-pack")


def test_the_guides_explain_output(my_pack, capsys):
    (my_pack / "seafood.yaml").write_text(RULE_YAML, encoding="utf-8")
    record = re.search(r"'(\{\"id\": \"T1\".*?\})'", GUIDE).group(1)
    assert main(["explain", "--rules", "my-pack", "--rule", "example-2371-op9-seafood",
                 record]) == 0
    out = capsys.readouterr().out.splitlines()
    shown = [line for line in shown_output(".venv/bin/screener explain") if "..." not in line]
    assert all(line in out for line in shown), [line for line in shown if line not in out]
