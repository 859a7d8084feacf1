"""``linstab analyze MODEL [--set NAME=VALUE]... [--json | --latex]``: the step-by-step derivation."""

from __future__ import annotations

import argparse
import math

from linstab._cli._common import add_model_args, as_flags, model_from_args, reduced_model

__all__ = ["register", "run"]

_HELP = """\
Linear stability analysis of MODEL: the Jacobian, the symbolic fixed points, the Jacobian at
each, its characteristic polynomial, eigenvalues and Routh–Hurwitz stability conditions, then
every numeric fixed point at the parameter values, classified.

--json prints one JSON object: model, variables, parameters, jacobian (SymPy-parsable strings),
fixed_points (state, eigenvalues as [re, im] pairs, classification, stable). It skips the
symbolic derivation unless --derivation is given.

If the model conserves linear combinations of its variables (a moiety of a reaction network,
x + y in dx/dt = y - x, dy/dt = x - y), the analysis is of the reduced model: each law
eliminates one variable and its total becomes a parameter (value from the model's initial state;
--set total_NAME=VALUE sets it). The output lists the laws first; --no-reduce analyses the full
model, whose Jacobian then has one zero eigenvalue per law.

A model with delayed terms, delay(x, tau), gets the delay step instead: the linearisation
A0 + sum_k A_k e^(-lambda tau_k), the characteristic quasi-polynomial, the closed-form crossing
lambda = ±i omega with the critical delay tau_c, and the rightmost characteristic roots now.
A model with a [diffusion] table gets a last step, the dispersion relation: the eigenvalues of
J - k^2 D at the homogeneous state, the closed-form Turing conditions, critical wavenumber and
critical diffusion ratio for two species (numeric only beyond two), and the verdict (--json: key
"dispersion").
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` subcommand."""
    parser = subparsers.add_parser(
        "analyze", help="step-by-step linear stability analysis of a model",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    fmt.add_argument("--latex", action="store_true", help="print Markdown with LaTeX maths")
    parser.add_argument("--derivation", action="store_true",
                        help="with --json: include the symbolic derivation (slower)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="CPU seconds for the whole symbolic analysis (default: 30); past it the "
                             "output says that the symbolic step timed out and still lists the numeric "
                             "fixed points")
    parser.add_argument("--no-reduce", action="store_true",
                        help="analyse the full model even if it has conservation laws")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab analyze``; returns the exit code."""
    from linstab.analysis import report

    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise ValueError(f"--timeout must be a positive, finite number of seconds, got {args.timeout}")
    from linstab.model import load_model

    # before --set: a total of a conservation law is a parameter only of the reduced model
    if load_model(args.model).delays:  # the delay step: quasi-polynomial, crossing, roots
        from linstab.analysis import delay_report

        rep = delay_report(model_from_args(args))
        if args.json:
            import json

            print(json.dumps(rep.to_dict()))
        else:
            print(f"```\n{rep.text}```\n" if args.latex else rep.text, end="")
        return 0
    model, laws = reduced_model(args)
    if args.json:
        if any(v is None for _, v in model.values):
            model.numeric_values()  # raises a ParameterError naming the missing values
        rep = report(model, symbolic=bool(args.derivation), timeout=args.timeout)
        text = rep.to_json()
        if laws:
            import json

            data = json.loads(text)
            data["conservation_laws"] = [{"law": str(law), "total": law.total.name,
                                          "value": model.parameter_values[law.total.name]} for law in laws]
            text = json.dumps(data)
        if model.diffusion:
            import json

            from linstab._cli._turing import dispersion_step

            data = json.loads(text)
            data["dispersion"] = dispersion_step(model)
            text = json.dumps(data)
        print(text)
    elif args.latex:
        print(_laws_text(laws, model, latex=True) + report(model, timeout=args.timeout).markdown + _turing(model, True),
              end="")
    else:
        print(_laws_text(laws, model) + as_flags(report(model, timeout=args.timeout).text) + _turing(model, False),
              end="")
    return 0


def _turing(model, latex: bool) -> str:
    if not model.diffusion:
        return ""
    from linstab._cli._turing import dispersion_text

    return "\n" + dispersion_text(model, latex=latex)


def _laws_text(laws, model, *, latex: bool = False) -> str:
    if not laws:
        return ""
    values = model.parameter_values
    head = ("Conservation laws (constant along every solution); the analysis is of the reduced model, "
            "with the totals as parameters (from the initial state unless --set):")
    lines = [f"## Conservation laws\n\n{head}\n" if latex else head]
    for law in laws:
        value = values[law.total.name]
        at = f"total {value:.6g}" if value is not None else f"no initial state: --set {law.total.name}=VALUE"
        lines.append(f"{'- ' if latex else '  '}{law}  ({at}; eliminates {law.eliminated})")
    return "\n".join(lines) + "\n\n"
