"""The README's frameworks table is the one generated from the records (glorotcalc.catalog)."""

from __future__ import annotations

import re
from pathlib import Path

from glorotcalc.catalog import CHECKED, markdown_table, normal_text
from glorotcalc.frameworks import FRAMEWORKS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_is_generated_from_the_records():
    text = README.read_text()
    found = re.search(r"<!-- frameworks table: .*? -->\n(.*?)<!-- end of frameworks table -->", text, re.S)
    assert found, "the README has no frameworks table"
    assert found.group(1) == markdown_table(), "regenerate it: python -m glorotcalc.catalog"


def test_every_record_has_one_row_and_says_how_it_is_checked():
    rows = markdown_table().splitlines()[2:]
    assert len(rows) == len(FRAMEWORKS) == len(CHECKED)
    assert all(CHECKED[name].startswith(("peer: ", "cited: ")) for name in FRAMEWORKS)
    for name, row in zip(FRAMEWORKS, rows, strict=True):
        assert row.startswith(f"| `{name}` ")


def test_normal_column_reads_the_truncation_of_each_record():
    """Keras 3: σ = √Var/0.8796 (std √Var); Keras 2.2: σ = √Var (std 0.8796·√Var); torch: untruncated."""
    assert normal_text(FRAMEWORKS["keras"]) == "truncated ±2σ, std √Var"
    assert normal_text(FRAMEWORKS["keras2.2"]) == "truncated ±2σ, σ = 1·√Var (std 0.8796·√Var)"
    assert normal_text(FRAMEWORKS["torch"]) == "untruncated N(0, Var)"
