"""``linstab bifurcation MODEL --kind {hopf,fold} --param P --against Q``: a bifurcation curve."""

from __future__ import annotations

import argparse
import json
import sys

from linstab._cli._common import add_model_args, reduced_model, reduced_note

__all__ = ["register", "run"]

_HELP = """\
The fold or Hopf bifurcation curve of MODEL: the parameter P (--param) as a function of the
parameter Q (--against). linstab parametrizes the fixed-point branch (using the symmetries of the
equations, or --ansatz), imposes det J = 0 (fold) or the Hurwitz condition Δₙ₋₁ = 0 (Hopf),
eliminates, and prints the derivation step by step with the curve in closed form, its domain of
validity, the criticality of a Hopf bifurcation (first Lyapunov coefficient) and sample points.
Where no closed form exists the curve is traced by numeric continuation over --range.

--kind turing (a model with a [diffusion] table): the boundary of the Turing region, where
(d_v f_u + d_u g_v)² = 4 d_u d_v det J with the homogeneous state stable; closed form where SymPy
solves it for P, each point checked on the dispersion relation, else found numerically.

--points is limited by linstab's memory budget (2 GiB; set LINSTAB_MEMORY, e.g. 8GiB); --range
must be finite and inside the declared domain of Q.

--json prints exactly one object:
  {"kind", "param", "against", "curves": [{"kind", "route", "expression", "condition", "points", "lyapunov",
                                                "codim2", "parametrization"}]}
with the requested kind on top and each curve's true kind (fold, transcritical, pitchfork, hopf),
the route that answered ("closed form" or "continuation"; the closed-form route gets --budget
seconds), expression and condition null for numerically continued curves; points are [Q, P] pairs;
parametrization ["s", "Q(s)", "P(s)"] for a parametric closed form, else null.
"""


class _KindNames:
    """The names of the bifurcation kind objects (``linstab.sym.KIND_NAMES``) as argparse choices,
    loaded when argparse first looks at them: ``linstab --help`` need not wait for SymPy."""

    @staticmethod
    def _names() -> tuple[str, ...]:
        from linstab.sym import KIND_NAMES

        return KIND_NAMES

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bifurcation`` subcommand."""
    parser = subparsers.add_parser(
        "bifurcation", help="fold or Hopf bifurcation curve, in closed form where one exists",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    parser.add_argument("--kind", required=True, choices=_KindNames(), metavar="KIND",
                        help="bifurcation kind, one of %(choices)s; fold: every det J = 0 curve, each reported "
                             "with its true kind (fold/saddle-node, transcritical or pitchfork)")
    parser.add_argument("--param", required=True, metavar="P", help="parameter to solve for (vertical axis)")
    parser.add_argument("--against", required=True, metavar="Q", help="parameter it depends on (horizontal axis)")
    parser.add_argument("--range", nargs=2, type=float, metavar=("QMIN", "QMAX"), dest="q_range",
                        help="range of Q to sample (default: around its model value, where the curve is valid)")
    parser.add_argument("--param-range", nargs=2, type=float, metavar=("PMIN", "PMAX"), dest="p_range",
                        help="where numeric continuation (and the Turing boundary search) looks in P "
                             "(default: around its model value)")
    parser.add_argument("--ansatz", default=None, help='equalities between variables, e.g. "x1=x2=x3"')
    parser.add_argument("--points", type=int, default=20, metavar="N", help="number of sample points (default 20)")
    parser.add_argument("--budget", type=float, default=10.0, metavar="SECONDS",
                        help="CPU time for the closed-form route before numeric continuation answers (default 10)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    out.add_argument("--latex", action="store_true", help="print Markdown with LaTeX (for notebooks and notes)")
    parser.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically) instead of printing it")
    parser.set_defaults(func=run)


def _curves(args: argparse.Namespace, model):
    from linstab._limits import check_fits, check_range, curve_bytes
    from linstab.analysis import find_curves

    if args.points < 2:
        raise ValueError(f"--points must be at least 2, got {args.points}")
    if args.q_range is not None:
        check_range(model, args.against, args.q_range[0], args.q_range[1], "--range")
        if not args.q_range[0] < args.q_range[1]:
            raise ValueError(f"--range expects QMIN < QMAX, got {args.q_range[0]} {args.q_range[1]}")
    if args.p_range is not None:
        check_range(model, args.param, args.p_range[0], args.p_range[1], "--param-range")
        if not args.p_range[0] < args.p_range[1]:
            raise ValueError(f"--param-range expects PMIN < PMAX, got {args.p_range[0]} {args.p_range[1]}")
    json_bytes = 48 * args.points if args.json else 0  # "[q, p], " in the printed object
    check_fits(curve_bytes(args.points) + json_bytes, f"a curve of {args.points} points", "use fewer --points")
    if not args.budget > 0:
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget}")
    return find_curves(model, args.kind, args.param, args.against, ansatz=args.ansatz,
                       q_range=tuple(args.q_range) if args.q_range else None,
                       p_range=tuple(args.p_range) if args.p_range else None, n_points=args.points,
                       budget=args.budget)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab bifurcation``; returns the exit code."""
    from linstab._atomic import check_output_path, write_text

    if args.out is not None:
        check_output_path(args.out)  # before the work, not after it
    model, laws = reduced_model(args)
    if laws:
        print(reduced_note(laws, model), file=sys.stderr)
    curves = _curves(args, model)
    if args.json:
        obj = {"kind": args.kind, "param": args.param, "against": args.against,
               "curves": [c.to_dict() for c in curves]}
        out = json.dumps(obj)
    else:
        out = (_latex if args.latex else _text)(args, model, curves)
    if args.out is None:
        print(out)
    else:
        write_text(args.out, out + "\n")
        print(f"wrote {args.out}: {len(curves)} {args.kind} curve{'s' if len(curves) != 1 else ''} of {model.name}")
    return 0


def _samples(c) -> list[tuple[float, float]]:
    """At most eight points of a curve, evenly spread, to print."""
    import numpy as np

    idx = np.unique(np.linspace(0, len(c.points) - 1, min(len(c.points), 8)).astype(int))
    return [(float(q), float(p)) for q, p in c.points[idx]]


def _s_range(c) -> str:
    """``(lo, hi)``: the range of the parameter ``s`` of a parametric curve over its sampled points."""
    import numpy as np

    s = np.asarray(c.states, dtype=float)[:, 0]  # s is the first species' state
    return f"({s.min():.6g}, {s.max():.6g})"


def _text(args: argparse.Namespace, model, curves) -> str:
    """The derivation as plain text, one formula a line (as ``linstab analyze`` prints)."""
    import sympy as sp

    lines = [f"{args.kind.capitalize()} bifurcation of {model.name!r}: {args.param} as a function of {args.against}",
             "", "Model:"]
    lines += [f"    d{v}/dt = {sp.sstr(e)}" for v, e in zip(model.variables, model.rhs)]
    lines.append("")
    for i, c in enumerate(curves, 1):
        if len(curves) > 1:
            lines.append(f"--- curve {i} of {len(curves)} ---")
        if c.derivation:
            lines.append(c.explain())
        if c.route != "closed form":
            lines.append(f"{c.kind_object.label} curve traced numerically ({len(c.points)} points)"
                         + (f"; {c.lyapunov} Hopf bifurcation" if c.lyapunov else ""))
        if c.expression is not None:
            cond = "" if c.condition in (None, sp.true) else f"    for {sp.sstr(c.condition)}"
            lines += ["", f"    {args.param} = {sp.sstr(c.expression)}{cond}"]
        if c.parametrization is not None:
            s, q, p = c.parametrization
            lines += ["", f"    {args.against} = {sp.sstr(q)}, {args.param} = {sp.sstr(p)} for {s} in {_s_range(c)}"]
        lines += ["", f"    {args.against:>12}  {args.param:>14}"]
        lines += [f"    {q:12.6g}  {p:14.7g}" for q, p in _samples(c)]
        lines += [f"    codimension two: {name} at {args.against} = {q:.6g}, {args.param} = {p:.7g}"
                  for name, q, p in c.codim2]
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def _latex(args: argparse.Namespace, model, curves) -> str:
    """The derivation as Markdown with LaTeX (display math), for notebooks and lecture notes."""
    import html

    import sympy as sp

    name = html.escape(model.name, quote=False)
    lines = [f"## {args.kind.capitalize()} bifurcation of `{name}`: ${sp.latex(sp.Symbol(args.param))}$ "
             f"as a function of ${sp.latex(sp.Symbol(args.against))}$", "", "Model:", "", "$$\\begin{aligned}"]
    lines += [f"\\frac{{d{sp.latex(v)}}}{{dt}} &= {sp.latex(e)} \\\\" for v, e in zip(model.variables, model.rhs)]
    lines += ["\\end{aligned}$$", ""]
    P, Q = sp.latex(sp.Symbol(args.param)), sp.latex(sp.Symbol(args.against))
    for i, c in enumerate(curves, 1):
        if len(curves) > 1:
            lines += [f"### Curve {i} of {len(curves)}", ""]
        if c.derivation:
            lines += [c.explain(style="latex"), ""]
        if c.route != "closed form":
            lines += [f"{c.kind_object.label} curve traced numerically ({len(c.points)} points)"
                      + (f"; {c.lyapunov} Hopf bifurcation." if c.lyapunov else "."), ""]
        if c.expression is not None:
            cond = "" if c.condition in (None, sp.true) else f"\\quad\\text{{for }} {sp.latex(c.condition)}"
            lines += [f"$${P} = {sp.latex(c.expression)}{cond}$$", ""]
        if c.parametrization is not None:
            s, q, p = c.parametrization
            lines += [f"$${Q} = {sp.latex(q)},\\quad {P} = {sp.latex(p)}\\quad\\text{{for }} {sp.latex(s)} \\in "
                      f"{_s_range(c)}$$", ""]
        lines += [f"| ${Q}$ | ${P}$ |", "|---:|---:|"]
        lines += [f"| {q:.6g} | {p:.7g} |" for q, p in _samples(c)]
        lines += [f"\nCodimension two: {n} at ${Q}$ = {q:.6g}, ${P}$ = {p:.7g}." for n, q, p in c.codim2]
        lines.append("")
    return "\n".join(lines).rstrip("\n")
