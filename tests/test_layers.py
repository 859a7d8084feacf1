"""The import graph keeps the layers of README "Design: layers" true.

Every module under ``linstab/`` is parsed with :mod:`ast` (imports at module level, inside
functions and inside ``if TYPE_CHECKING:``), each import is resolved to the module it loads, and
three rules are checked:

1. imports go down the layers (core < sym < num < analysis < plot < sc, check < cli), except
   for the few lazy convenience methods in ``UPWARD_ALLOWED``;
2. the imports that run when a module is loaded (module level, outside ``TYPE_CHECKING``) form
   no cycle;
3. no package imports another package's private module or private name (a package's own
   submodules may use its privates; core modules such as ``linstab._parse`` are the shared
   kernel of every layer, but their ``_private`` names are not).
"""

from __future__ import annotations

import ast
import graphlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(importlib.util.find_spec("linstab").origin).parent  # the linstab that the tests import

CORE = {"linstab", "linstab._errors", "linstab._parse", "linstab._atomic", "linstab._limits", "linstab._budget",
        "linstab._optional", "linstab._progress", "linstab._linalg", "linstab.model", "linstab._reactions",
        "linstab._dask", "linstab._diffusion", "linstab._interrupt"}

# Layer of each package, lowest first. Equal ranks may not import each other.
RANK = {"core": 0, "sym": 1, "sbml": 1, "num": 2, "analysis": 3, "plot": 4, "sc": 5, "check": 5, "cli": 6}

# Upward imports that are allowed: (module, enclosing function, imported module). Each is a lazy
# convenience that hands a result to the layer that draws or compiles it.
UPWARD_ALLOWED = {
    # the one lambdify path, compiled on demand for a model or a closed-form curve
    ("linstab.model", "Model.kernel", "linstab.num"),
    ("linstab.model", "TYPE_CHECKING", "linstab.num"),  # the annotation of Model.kernel
    # load_model reads an SBML file with the reader of that format (SymPy and libsbml, no numerics)
    ("linstab.model", "load_model", "linstab.sbml"),
    ("linstab.sym._bifurcation", "BifurcationCurve.evaluate", "linstab.num"),
    # the kinds' numeric hooks moved to linstab.num; the old methods forward to them (they warn)
    ("linstab.sym._kinds", "BifurcationKind.test_function", "linstab.num"),
    ("linstab.sym._kinds", "BifurcationKind.crossing_ok", "linstab.num"),
    # .plot() hands a result to the layer that draws it
    ("linstab.sym._bifurcation", "BifurcationCurve.plot", "linstab.plot"),
    ("linstab.num._maps", "StabilityMap.plot", "linstab.plot"),
    ("linstab.analysis._noise", "NoiseScan.plot", "linstab.plot"),
    ("linstab.num._dispersion", "TuringMap.plot", "linstab.plot"),
    # deprecated old homes of names that moved to the composition layer (they warn)
    ("linstab.sym", "__getattr__", "linstab.analysis"),
    ("linstab.sym", "__getattr__", "linstab.num"),  # classify_zero_eigenvalue moved to num
    ("linstab.num", "__getattr__", "linstab.analysis"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(module: str) -> str:
    if module in CORE:
        return "core"
    if module == "linstab.cli" or module.startswith("linstab._cli"):
        return "cli"
    return module.split(".")[1]


@dataclass(frozen=True)
class Import:
    source: str      # importing module
    function: str    # enclosing function's qualified name, "" at module level, "TYPE_CHECKING"
    target: str      # the module that is loaded
    names: tuple[str, ...]  # names taken from it ("" for a plain `import x`)
    line: int

    @property
    def runs_on_load(self) -> bool:
        return self.function == ""


def _resolve(source: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = source if MODULES[source].name == "__init__.py" else source.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str) -> list[Import]:
    tree = ast.parse(MODULES[source].read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, scope: list[str], function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, scope + [child.name], ".".join(scope + [child.name]))
            elif isinstance(child, ast.ClassDef):
                visit(child, scope + [child.name], function)
            elif isinstance(child, ast.If) and _is_type_checking(child) and not function:
                visit(child, scope, "TYPE_CHECKING")
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "linstab":
                        found.append(Import(source, function, alias.name, ("",), child.lineno))
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(source, child)
                if target.split(".")[0] != "linstab":
                    continue
                for alias in child.names:
                    # `from linstab.plot import _style` loads the submodule linstab.plot._style
                    if f"{target}.{alias.name}" in MODULES:
                        found.append(Import(source, function, f"{target}.{alias.name}", ("",), child.lineno))
                    else:
                        found.append(Import(source, function, target, (alias.name,), child.lineno))
            else:
                visit(child, scope, function)

    visit(tree, [], "")
    return found


ALL_IMPORTS = [imp for source in MODULES for imp in imports_of(source)]


def _where(imp: Import) -> str:
    return f"{MODULES[imp.source].relative_to(ROOT.parent)}:{imp.line} ({imp.function or 'module level'})"


def test_every_module_has_a_layer():
    unknown = {m for m in MODULES if layer(m) not in RANK}
    assert not unknown, f"modules outside every layer: {sorted(unknown)}; add them to RANK/CORE"


def test_the_parser_sees_function_level_and_relative_imports():
    # The rules below are only as good as this parser: it must see lazy imports inside methods.
    found = {(imp.function, layer(imp.target)) for imp in imports_of("linstab.model")}
    assert ("Model.kernel", "num") in found and ("TYPE_CHECKING", "num") in found


def test_imports_go_down_the_layers():
    upward = []
    for imp in ALL_IMPORTS:
        a, b = layer(imp.source), layer(imp.target)
        if a == b or RANK[b] < RANK[a]:
            continue
        key = (imp.source, imp.function, ".".join(imp.target.split(".")[:2]))
        if key not in UPWARD_ALLOWED:
            upward.append(f"{_where(imp)} [{a}] imports {imp.target} [{b}]")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_allowlist_has_no_stale_entries():
    used = {(imp.source, imp.function, ".".join(imp.target.split(".")[:2])) for imp in ALL_IMPORTS}
    assert UPWARD_ALLOWED <= used, f"allowlisted upward imports that no longer exist: {UPWARD_ALLOWED - used}"


def _package(module: str) -> str:
    """The package a module belongs to for the privacy rule (core counts as one package)."""
    return layer(module)


def test_no_private_names_across_packages():
    leaks = []
    for imp in ALL_IMPORTS:
        if _package(imp.source) == _package(imp.target):
            continue
        if layer(imp.target) == "core":
            private_module = False  # linstab._parse etc. are the shared kernel: their module name is public
        else:
            private_module = any(part.startswith("_") for part in imp.target.split(".")[1:])
        private_names = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if private_module or private_names:
            what = imp.target + (f" ({', '.join(private_names)})" if private_names else "")
            leaks.append(f"{_where(imp)} imports {what}")
    assert not leaks, "private names imported across packages:\n" + "\n".join(leaks)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (module -> modules it imports), or ``None``."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_find_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert set(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})) == {"a", "b", "c"}


def test_no_import_cycle_on_load():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in ALL_IMPORTS:
        if imp.runs_on_load and imp.target in MODULES and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    cycle = find_cycle(graph)
    assert cycle is None, f"module-level import cycle: {' -> '.join(cycle)}"


#: Array libraries the symbolic layer does not import (it is SymPy only; ``lambdify`` may use numpy
#: inside SymPy, and ``mpmath``, SymPy's own arithmetic, is allowed).
NUMERIC_LIBRARIES = ("numpy", "scipy", "torch")


def external_imports(source: str) -> list[tuple[str, str, int]]:
    """``(top-level package, enclosing function or "" or "TYPE_CHECKING", line)`` of every import
    of a package outside linstab in the module ``source``."""
    tree = ast.parse(MODULES[source].read_text(encoding="utf-8"))
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, f"{function}.{child.name}".lstrip("."))
            elif isinstance(child, ast.If) and _is_type_checking(child) and not function:
                visit(child, "TYPE_CHECKING")
            elif isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], function, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and not child.level and child.module:
                found.append((child.module.split(".")[0], function, child.lineno))
            else:
                visit(child, function)

    visit(tree, "")
    return found


def test_external_import_scanner_sees_every_level(tmp_path, monkeypatch):
    path = tmp_path / "_fake.py"
    path.write_text("import numpy as np\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import scipy\n"
                    "def f():\n    from torch import nn\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "linstab.sym._fake", path)
    assert external_imports("linstab.sym._fake") == [("numpy", "", 1), ("typing", "", 2),
                                                     ("scipy", "TYPE_CHECKING", 4), ("torch", "f", 6)]


def test_sym_is_sympy_only():
    # README "Design: layers": no module of linstab.sym loads numpy, scipy or torch, at module level
    # or inside a function (annotations under TYPE_CHECKING do not load anything)
    found = [f"{MODULES[m].relative_to(ROOT.parent)}:{line} ({function or 'module level'}) imports {pkg}"
             for m in MODULES if layer(m) == "sym"
             for pkg, function, line in external_imports(m)
             if pkg in NUMERIC_LIBRARIES and function != "TYPE_CHECKING"]
    assert not found, "numeric libraries imported by the symbolic layer:\n" + "\n".join(found)


#: What linstab.plot takes from the symbolic and numeric layers directly: names and labels, no
#: computation (plot draws data; what it needs computed it asks linstab.analysis for).
PLOT_MAY_TAKE = {"linstab.sym": {"bifurcation_kind"}, "linstab.num": set()}


def test_plot_computes_no_analysis():
    taken = [f"{_where(imp)} imports {imp.target} ({', '.join(imp.names)})" for imp in ALL_IMPORTS
             if layer(imp.source) == "plot" and layer(imp.target) in ("sym", "num")
             and not set(imp.names) <= PLOT_MAY_TAKE.get(imp.target, set())]
    assert not taken, "plot imports computations of sym/num (move them to linstab.analysis):\n" + "\n".join(taken)


@pytest.mark.parametrize("source, expected", [
    ("from linstab.sym._fixed_points import _orbits\n", ("linstab.sym._fixed_points", ("_orbits",))),
    ("from . import _style\n", ("linstab.plot._style", ("",))),
    ("from .._errors import ModelError\n", ("linstab._errors", ("ModelError",))),
])
def test_resolver(source, expected, tmp_path, monkeypatch):
    # a self-check of the resolver on a module placed inside linstab.plot
    fake = "linstab.plot._fake"
    path = tmp_path / "_fake.py"
    path.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, fake, path)
    (imp,) = imports_of(fake)
    assert (imp.target, imp.names) == expected


# --------------------------------------------------------------------------- messages
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _message_strings(node):
    """The string constants of an exception raised or a warning issued at ``node``."""
    import ast

    if isinstance(node, ast.Raise) and node.exc is not None:
        target = node.exc
    elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "warn"):
        target = node
    else:
        return []
    return [n.value for n in ast.walk(target) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_library_message_names_a_cli_flag():
    """Library errors and warnings name Python arguments (q_range=, values={...}); the command line
    turns them into its flags (linstab._cli._common.as_flags). Only the CLI names flags."""
    import ast

    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("_cli/") or rel == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for text in _message_strings(node):
                if _FLAG.search(text):
                    found.append(f"linstab/{rel}:{node.lineno}: {text.strip()[:80]!r}")
    assert not found, "library messages naming CLI flags:\n" + "\n".join(found)
