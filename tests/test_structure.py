"""The package's shape: no import cycle, no branching on a framework's name, no request object.

These read the source with `ast`; they fail when a change reintroduces what the structure removed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "glorotcalc"
MODULES = {path.stem: path for path in PACKAGE.glob("*.py") if path.stem != "__main__"}
FRAMEWORK_NAMES = {
    *("torch", "keras", "jax", "flax", "tf-keras", "tf-compat-v1", "tf1-contrib", "keras2.2"),
    *("flax-nnx", "haiku", "equinox", "mlx", "paddle", "tinygrad", "mxnet", "chainer", "caffe"),
    *("flux", "tfjs"),
}


def imports_of(path: Path) -> set[str]:
    """Every glorotcalc module `path` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("glorotcalc"):
            target = node.module.split(".")[1] if "." in node.module else None
            if target is None:  # from glorotcalc import x: x may be a module
                found |= {alias.name for alias in node.names if alias.name in MODULES}
            else:
                found.add(target)
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("glorotcalc.")}
    return found - {"__init__"}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in `graph` as a list of modules, or None (depth-first search with colours)."""
    colour = dict.fromkeys(graph, 0)
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        colour[module] = 1
        stack.append(module)
        for other in sorted(graph.get(module, ())):
            if colour.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if colour.get(other) == 0:
                cycle = visit(other)
                if cycle:
                    return cycle
        stack.pop()
        colour[module] = 2
        return None

    for module in sorted(graph):
        if colour[module] == 0:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    """The check below can fail: a graph with a cycle is reported."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    graph = {name: imports_of(path) & set(MODULES) for name, path in MODULES.items() if name != "__init__"}
    assert find_cycle(graph) is None, f"import cycle: {' → '.join(find_cycle(graph))}"


def test_only_the_cli_reads_options():
    """No module but the CLI defines or imports a request object; the old `commands` is gone."""
    assert "commands" not in MODULES
    for name, path in MODULES.items():
        source = path.read_text()
        assert "Request" not in source, f"{name}.py mentions a Request"


def _framework_comparisons(path: Path) -> list[str]:
    """``x == "keras"``, ``x in ("torch", …)``, ``.get("flax")``-style tests on a framework name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for value in [node.left, *node.comparators]:
                literals = [value] if isinstance(value, ast.Constant) else getattr(value, "elts", [])
                names = {c.value for c in literals if isinstance(c, ast.Constant)} & FRAMEWORK_NAMES
                if names:
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "module", ["frameworks", "convention", "compare", "defaults", "emit", "lookup", "results", "inputs"]
)
def test_no_analysis_branches_on_a_framework_name(module):
    """Each framework is a record of facts: code reads its fields, never asks which one it is.

    The layout strings of `fans.py`/`layers.py` (where ``"torch"`` names a weight *layout*) are the
    only place a framework word is compared.
    """
    assert _framework_comparisons(MODULES[module]) == []


def test_the_comparison_finder_finds_a_branch(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('def f(fw):\n    if fw.name == "keras":\n        return 1\n')
    assert _framework_comparisons(bad) == ["line 2: fw.name == 'keras'"]


def test_every_framework_is_one_record():
    from glorotcalc.frameworks import FRAMEWORKS, Framework

    assert set(FRAMEWORKS) == FRAMEWORK_NAMES
    assert all(isinstance(fw, Framework) for fw in FRAMEWORKS.values())
    # facts that differ are fields: the normal each *_normal draws, and Keras's clamp
    truncated = {"keras", "jax", "flax", "tf-keras", "tf-compat-v1", "tf1-contrib", "keras2.2"}
    truncated |= {"flax-nnx", "haiku", "equinox", "tfjs"}
    assert {name for name, fw in FRAMEWORKS.items() if fw.normal == "truncated"} == truncated
    clamped = {"keras", "tf-keras", "tf-compat-v1", "keras2.2", "haiku", "tfjs"}
    assert {name for name, fw in FRAMEWORKS.items() if fw.min_n == 1.0} == clamped
    # the truncated *_normal's σ: uncorrected in Keras 2.2 and TF.js, √1.3·√Var in TF1 contrib
    sigma = {
        name: round(fw.truncated_sigma, 6) for name, fw in FRAMEWORKS.items() if fw.normal == "truncated"
    }
    assert sigma == {
        **dict.fromkeys(truncated, round(1 / 0.87962566103423978, 6)),
        "keras2.2": 1.0,
        "tfjs": 1.0,
        "tf1-contrib": round(1.3**0.5, 6),
    }


def test_absent_peers_are_one_summary_line_each():
    """120 torch tests skipped are one line, not 120 (pytest's -ra listed each)."""
    from conftest import skip_summary

    reasons = ["could not import 'torch': No module named 'torch'"] * 120 + ["zsh is not installed"] * 2
    assert skip_summary(reasons) == [
        "skipped 120 tests: torch is not installed (a test-time peer; see README, Run the tests)",
        "skipped 2 tests: zsh is not installed",
    ]


def test_pytest_lists_no_skip_reasons_itself():
    tomllib = pytest.importorskip("tomllib")  # Python ≥ 3.11

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "s" not in config["addopts"].split("-r")[-1].split()[0]  # -rfE: failures and errors only


def test_readme_names_every_audit_csv_column():
    """Each column audit's CSV writes is named in the README (std_*/ratio_* as a family)."""
    import re

    from glorotcalc.audit import CSV_COLUMNS

    readme = (PACKAGE.parent / "README.md").read_text()
    start = readme.index("one row per tensor with the same numbers flat")
    named = set(re.findall(r"`([a-z_0-9]+)`", readme[start : readme.index("```console", start)]))
    for column in CSV_COLUMNS:
        assert column.key in named or re.fullmatch(r"(std|ratio)_\w+", column.key), column.key


PEER_MARK = re.compile(r"mark\.(keras|jax|tf|haiku|equinox|mlx|paddle|tinygrad)\b")


def _listed_peer_files(text: str, start: str, end: str) -> set[str]:
    block = text[text.index(start) : text.index(end, text.index(start))]
    return set(re.findall(r"tests/test_\w+\.py", block))


def test_ci_and_readme_run_every_peer_file():
    """Each test file that uses a live-peer marker (not torch's, which runs in the main suite) is in
    `.ci/run`'s peer loop and in the README's peer command, and nothing else is (a listed file
    whose tests are all deselected makes pytest exit 5)."""
    root = PACKAGE.parent
    files = (root / "tests").glob("test_*.py")
    marked = {f"tests/{path.name}" for path in files if PEER_MARK.search(path.read_text())}
    ci = _listed_peer_files((root / ".ci" / "run").read_text(), "peer_files=(", ")")
    readme = _listed_peer_files((root / "README.md").read_text(), "for file in tests/", "; do")
    assert ci == marked
    assert readme == marked
