"""``linstab models``: the built-in models, one line each (name, variables, title)."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

__all__ = ["register", "run", "builtin_titles"]

_MODELS = Path(__file__).resolve().parents[1] / "data" / "models"


def builtin_titles() -> dict[str, tuple[str, list[str]]]:
    """``{name: (title, variable names)}`` of the built-in models, read from their TOML files
    without loading SymPy (``linstab --help`` lists them)."""
    out = {}
    for path in sorted(_MODELS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = (str(data.get("title", "")), list(data.get("equations") or data.get("variables", {})))
    return out


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``models`` subcommand."""
    parser = subparsers.add_parser(
        "models", help="list the built-in models",
        description="List the built-in models: each name works wherever a command takes MODEL.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows = builtin_titles()
    width = max(map(len, rows))
    for name, (title, variables) in rows.items():
        print(f"{name:<{width}}  {title} [{', '.join(variables)}]")
    return 0
