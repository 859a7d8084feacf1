"""Tests of the API itself: conventions from STYLE.md that every public function follows."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import linstab

HEAVY = ("torch", "anndata", "bokeh", "h5py", "tqdm", "pandas", "matplotlib")
PUBLIC_MODULES = ["linstab", "linstab.sym", "linstab.num", "linstab.analysis", "linstab.plot", "linstab.sc", "linstab.sc.tl",
                  "linstab.sc.pl", "linstab.check"]


def _public_callables():
    seen = set()
    for modname in PUBLIC_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ImportError as exc:  # an extra that is not installed
            if any(h in str(exc) for h in HEAVY):
                continue
            raise
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue  # exception classes take a message
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{modname}.{name}", obj


CALLABLES = list(_public_callables())


def test_every_public_module_declares_all():
    for modname in PUBLIC_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        assert isinstance(getattr(mod, "__all__", None), (list, tuple)), f"{modname} has no __all__"
        for name in mod.__all__:
            assert hasattr(mod, name), f"{modname}.__all__ names {name!r}, which it does not define"


def test_import_is_light():
    code = f"import linstab, linstab.sym, linstab.num, linstab.analysis, sys; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"`import linstab` imported heavy modules: {out.stdout}"


def test_cli_help_is_light():
    code = ("import sys\nfrom linstab.cli import build_parser\nbuild_parser().format_help()\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"`linstab --help` imported heavy modules: {out.stdout}"


@pytest.mark.parametrize(("name", "obj"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_signature_conventions(name, obj):
    if inspect.isclass(obj):
        obj = obj.__init__
    sig = inspect.signature(obj)
    params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 4, f"{name} takes {len(positional)} positional parameters; make options keyword-only"
    for p in positional:
        assert not (p.default is True or p.default is False), f"{name}: boolean {p.name!r} must be keyword-only"


@pytest.mark.parametrize(("name", "obj"), [c for c in CALLABLES if inspect.isfunction(c[1])],
                         ids=[n for n, o in CALLABLES if inspect.isfunction(o)])
def test_docstring_agrees_with_signature(name, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    actual = {p for p in inspect.signature(obj).parameters if p not in ("self", "cls")}
    if "Parameters\n----------" not in doc:
        assert not actual, f"{name} takes {sorted(actual)} but its docstring has no Parameters section"
        return
    section = doc.split("Parameters\n----------", 1)[1]
    for end in ("\nReturns\n", "\nRaises\n", "\nExamples\n", "\nNotes\n", "\nReferences\n", "\nSee Also\n", "\nYields\n"):
        section = section.split(end, 1)[0]
    documented = {line.split(":")[0].strip().lstrip("*") for line in section.splitlines()
                  if line and not line.startswith(" ")}
    documented = {d for part in documented for d in (s.strip() for s in part.split(","))}
    undocumented_extra = documented - actual - {"**kwargs", "*args", "kwargs", "args"}
    assert not undocumented_extra, f"{name} documents parameters it does not take: {sorted(undocumented_extra)}"


def test_version():
    assert isinstance(linstab.__version__, str) and linstab.__version__


def test_readme_functions_are_exported_at_top_level():
    """Every linstab function the README names in backticks is reachable as linstab.<name>."""
    import re
    from pathlib import Path

    import linstab

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    named = set(re.findall(r"`([a-z_]{4,})`", text))
    inner = {n for n in named for mod in (linstab.num, linstab.sym, linstab.analysis)
             if n in mod.__all__ and callable(getattr(mod, n))}
    assert inner, "the README names no function of linstab.num or linstab.sym"
    assert sorted(n for n in inner if not hasattr(linstab, n)) == []
