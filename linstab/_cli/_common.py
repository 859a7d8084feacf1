"""Argument helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import math
import re

from linstab._errors import ParameterError

__all__ = ["add_model_args", "add_output_args", "check_outputs", "parse_sets", "model_from_args", "write_outputs"]


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """Add the MODEL positional and the repeatable ``--set NAME=VALUE`` option."""
    parser.add_argument("model", metavar="MODEL", help="a built-in model name, a path to a .toml model file or an SBML file (.xml, .sbml)")
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
        help="set a parameter value (repeatable)",
    )


def parse_sets(items: list[str]) -> dict[str, float]:
    """Parse ``["beta=5", "n=2.5"]`` into ``{"beta": 5.0, "n": 2.5}`` with clear errors.

    Examples
    --------
    >>> parse_sets(["beta=5", "n = 2.5"])
    {'beta': 5.0, 'n': 2.5}
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ParameterError(f"--set expects NAME=VALUE, got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise ParameterError(f"--set {name}: value must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ParameterError(f"--set {name}: value must be finite, got {value!r}")
        out[name] = number
    return out


def model_from_args(args: argparse.Namespace):
    """Load ``args.model`` and apply ``args.sets``."""
    from linstab.model import load_model

    model = load_model(args.model)
    sets = parse_sets(args.sets)
    return model.with_values(sets) if sets else model


def reduced_model(args: argparse.Namespace):
    """The model of ``args`` (reduced by its conservation laws unless --no-reduce) and the laws.

    Each total is a parameter of the reduced model, from the initial state unless ``--set``."""
    from linstab.model import load_model
    from linstab.sbml import conservation_laws, reduce_model

    model = load_model(args.model)
    sets = parse_sets(args.sets)
    # diffusion keeps a conservation law of the kinetics only where the species diffuse alike: a model
    # with a [diffusion] table is analysed in full (its k = 0 mode then shows the neutral direction)
    laws = [] if getattr(args, "no_reduce", False) or model.diffusion or model.delays else conservation_laws(model)
    totals = {law.total.name for law in laws}
    first = {k: v for k, v in sets.items() if k not in totals}
    model = model.with_values(first) if first else model
    if laws:
        model = reduce_model(model, laws)
        later = {k: v for k, v in sets.items() if k in totals}
        model = model.with_values(later) if later else model
    return model, laws


def reduced_note(laws, model) -> str:
    """One line for stderr: the laws used and the totals' values."""
    values = model.parameter_values
    parts = [f"{law} ({law.total.name} = {values[law.total.name]:.6g})" if values[law.total.name] is not None
             else f"{law} ({law.total.name}: no value, --set {law.total.name}=VALUE)" for law in laws]
    return "conserved: " + "; ".join(parts) + "; the reduced model is analysed, each total a parameter"


def add_output_args(parser: argparse.ArgumentParser) -> None:
    """``--html``, ``--png`` and ``--svg``: where to write the figure (at least one)."""
    parser.add_argument("--html", metavar="OUT.html", help="the interactive page (BokehJS inlined, works offline)")
    parser.add_argument("--png", metavar="OUT.png", help="a static PNG of the plots at the initial parameters "
                        "(needs Chromium and playwright, extra 'export')")
    parser.add_argument("--svg", metavar="OUT.svg", help="the same as SVG vector graphics")


def check_outputs(args: argparse.Namespace) -> None:
    """At least one of ``--html``/``--png``/``--svg``, each a path a file can be written to: checked
    before the work, not after it."""
    from linstab._atomic import check_output_path

    if not (args.html or args.png or args.svg):
        raise ValueError("name at least one output: --html OUT.html, --png OUT.png or --svg OUT.svg")
    for target in (args.html, args.png, args.svg):
        if target:
            check_output_path(target)


def write_outputs(fig, args: argparse.Namespace, *, title: str) -> list[str]:
    """Write ``fig`` to every output the arguments name; returns one line per file written."""
    check_outputs(args)
    done = []
    if args.html:
        from linstab.plot import save_html

        path = save_html(fig, args.html, title=title)
        done.append(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    for kind in ("png", "svg"):
        target = getattr(args, kind)
        if target:
            from linstab.plot import export_figure

            path = export_figure(fig, target, format=kind)
            done.append(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")
    return done


# Library messages name the Python argument (README, "Design: layers"); the command line says its
# flag instead. Each pair: a pattern of the library's wording, and the flag's.
_FLAGS = (
    (re.compile(r"values=\{'([^']+)': (?:\.\.\.|VALUE)\}"), r"--set \1=VALUE"),
    (re.compile(r"values=\{'([^']+)': ([^}]+)\}"), r"--set \1=\2"),
    (re.compile(r"\bansatz="), "--ansatz"),
    (re.compile(r"\bq_range="), "--range"),
    (re.compile(r"\bp_range="), "--param-range"),
    (re.compile(r"\btimeout=(?=\d)"), "--timeout "),
    (re.compile(r"\(budget=None lifts it\)"), "(a larger --budget gives it more time)"),
    (re.compile(r"\bstate=\[\.\.\.\]"), "--state X1,X2,..."),
    (re.compile(r"\btau=(?='|$| )"), "--param "),  # the delay axis: --param of diagram and bifurcation
    (re.compile(r"in full in as_dict\(\)"), "see --json"),
)


def as_flags(text: str) -> str:
    """``text`` with the Python arguments that library messages name replaced by the CLI's flags.

    Examples
    --------
    >>> as_flags("no value for k; set them, e.g. values={'k': 1.0} or model.with_values(k=1.0)")
    'no value for k; set them, e.g. --set k=1.0 or model.with_values(k=1.0)'
    >>> as_flags("give a consistent ansatz= (e.g. 'x1=x2=x3') or none; widen q_range= or check the kind")
    "give a consistent --ansatz (e.g. 'x1=x2=x3') or none; widen --range or check the kind"
    """
    for pattern, flag in _FLAGS:
        text = pattern.sub(flag, text)
    return text
