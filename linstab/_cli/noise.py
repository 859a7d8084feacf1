"""``linstab noise MODEL``: the linear noise approximation at a stable fixed point of a reaction network."""

from __future__ import annotations

import argparse
import json
import math

from linstab._cli._common import add_model_args, as_flags, model_from_args

__all__ = ["register", "run"]

_HELP = """\
Noise around the stable fixed point of a reaction network (a model with a [reactions] table):
van Kampen's linear noise approximation. The drift is the Jacobian J at the fixed point, the
diffusion S diag(a) S^T (stoichiometry S, propensities a); the covariance solves
J Σ + Σ J^T + S diag(a) S^T = 0. Prints the mean, variance, Fano factor Var(n)/<n> and
coefficient of variation of each species, the covariance, and the frequency of each spectral peak
(noise-driven quasi-cycles near a Hopf point peak at |Im λ|).

Units: --system-size Ω says that the variables are concentrations n/Ω (default 1: copy numbers).
Variances are in the model's units (Σ/Ω); the Fano factor is of the copy numbers (independent of
Ω); the CV falls like Ω^(-1/2).

Conservation laws (a promoter's on + off states): the network is reduced to its independent
species and the covariance of every species is reported; each law's total is taken from --state,
else from the species' initial values in the model, or given with --total total_g_on=2.

--json prints one JSON object. --scan NAME LO HI N computes the LNA along a parameter (batched)
and, with --html/--png/--svg, draws Fano factor, CV and the spectrum against it; without an
output it adds the scan to the text or JSON.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``noise`` subcommand."""
    parser = subparsers.add_parser(
        "noise", help="noise at a stable state: linear noise approximation (covariance, Fano, spectra)",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    parser.add_argument("--system-size", type=float, default=1.0, metavar="OMEGA",
                        help="Ω: the variables are copy numbers divided by Ω (default: 1)")
    parser.add_argument("--state", metavar="X1,X2,...",
                        help="the fixed point to use when several are stable (polished by Newton's method)")
    parser.add_argument("--total", action="append", default=[], metavar="NAME=VALUE",
                        help="the value of a conserved total (e.g. total_g_on=1; repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--scan", nargs=4, metavar=("NAME", "LO", "HI", "N"),
                        help="scan a parameter from LO to HI at N points")
    parser.add_argument("--variable", metavar="NAME", help="with --scan and an output: the species whose "
                        "spectrum is drawn (default: the last)")
    parser.add_argument("--html", metavar="OUT.html", help="with --scan: the diagrams as a static page; "
                        "without: the spectra at the fixed point")
    parser.add_argument("--png", metavar="OUT.png", help="the same as PNG (extra 'export')")
    parser.add_argument("--svg", metavar="OUT.svg", help="the same as SVG (extra 'export')")
    parser.set_defaults(func=run)


def _scan_args(scan: list[str]):
    """``(name, values)`` of ``--scan NAME LO HI N``."""
    import numpy as np

    name, lo, hi, count = scan
    try:
        lo_f, hi_f = float(lo), float(hi)
        n = int(count)
    except ValueError:
        raise ValueError(f"--scan expects NAME LO HI N (numbers LO < HI, an integer N ≥ 2), got {' '.join(scan)}") \
            from None
    if not (math.isfinite(lo_f) and math.isfinite(hi_f) and lo_f < hi_f and 2 <= n <= 100_000):
        raise ValueError(f"--scan expects finite LO < HI and 2 ≤ N ≤ 100000, got {' '.join(scan)}")
    return name, np.linspace(lo_f, hi_f, n)


def _state(text: str | None, n: int) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"--state expects {n} comma-separated numbers, got {text!r}") from None
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise ValueError(f"--state expects {n} comma-separated finite numbers (one per variable), got {text!r}")
    return values


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _clean(data):
    """``data`` with every non-finite float replaced by ``None`` (JSON has no nan)."""
    if isinstance(data, dict):
        return {k: _clean(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(v) for v in data]
    if isinstance(data, float):
        return _finite(data)
    return data


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab noise``; returns the exit code."""
    from linstab.analysis import linear_noise, noise_scan

    if not (math.isfinite(args.system_size) and args.system_size > 0):
        raise ValueError(f"--system-size must be a positive, finite number, got {args.system_size}")
    outputs = [o for o in (args.html, args.png, args.svg) if o]
    if outputs:
        from linstab._atomic import check_output_path

        for target in outputs:
            check_output_path(target)
    model = model_from_args(args)
    state = _state(args.state, model.n_vars)
    totals = _totals(args.total)
    noise = linear_noise(model, totals or None, state=state, system_size=args.system_size)
    scan = None
    if args.scan:
        name, grid = _scan_args(args.scan)
        scan = noise_scan(model, {name: grid}, values=totals or None, state=noise.state,
                          system_size=args.system_size)
    if args.variable is not None and args.variable not in model.variable_names:
        raise ValueError(f"--variable must be one of {', '.join(model.variable_names)}, got {args.variable!r}")
    if outputs:
        from linstab._cli._common import write_outputs
        from linstab.plot import noise_figure, spectrum_figure

        fig = noise_figure(scan, variable=args.variable) if scan is not None else spectrum_figure(noise)
        for line in write_outputs(fig, args, title=f"linstab · {model.name} noise"):
            print(f"{line}: {'noise against ' + _scan_name(scan) if scan else 'noise spectra'} of {model.name}")
        return 0
    if args.json:
        data = noise.as_dict()
        if scan is not None:
            data["scan"] = _scan_dict(scan)
        print(json.dumps(_clean(data), allow_nan=False))
    else:
        print(as_flags(_text(noise, scan)), end="")
    return 0


def _totals(items: list[str]) -> dict[str, float]:
    """``{name: value}`` of the ``--total NAME=VALUE`` options."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value) if sep and name.strip() else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"--total must be NAME=VALUE with a finite number, e.g. total_g_on=1; got {item!r}")
        out[name.strip()] = number
    return out


def _scan_name(scan) -> str:
    return next(iter(scan.grid))


def _scan_dict(scan) -> dict:
    import numpy as np

    name = _scan_name(scan)
    clean = lambda a: [[_finite(v) for v in row] for row in np.asarray(a).tolist()]  # noqa: E731
    return {"parameter": name, "values": [float(v) for v in scan.grid[name]], "valid": scan.valid.tolist(),
            "state": clean(scan.state), "variance": clean(scan.variance), "fano": clean(scan.fano),
            "cv": clean(scan.cv), "notes": list(scan.notes)}


def _text(noise, scan) -> str:
    names = noise.variables
    width = max(8, *map(len, names))
    omega = noise.system_size
    lines = [f"Linear noise approximation of {noise.model} (van Kampen; Ω = {omega:g}: "
             f"{'variables are copy numbers' if omega == 1 else 'variables are copy numbers / Ω'})",
             "at the stable fixed point, eigenvalues of J"
             + (f" on the independent species ({', '.join(noise.independent)})" if noise.conservation else "") + ": "
             + ", ".join(f"{e.real:.4g}{e.imag:+.4g}i" if e.imag else f"{e.real:.4g}" for e in noise.eigenvalues),
             *(f"conserved: {law} = {total} = {value:.6g} (it does not fluctuate; J has a zero eigenvalue for it)"
               for law, total, value in noise.conservation),
             "", f"{'species':<{width}}  {'mean':>11}  {'variance':>11}  {'Fano':>9}  {'CV':>9}  {'peak ω':>9}"]
    peaks = noise.peak_frequency()
    for i, name in enumerate(names):
        lines.append(f"{name:<{width}}  {noise.state[i]:>11.5g}  {noise.variance[i]:>11.5g}  {noise.fano[i]:>9.4g}  "
                     f"{noise.cv[i]:>9.4g}  {peaks[i]:>9.4g}")
    lines += ["", "covariance Σ/Ω (rows and columns in the order above):"]
    lines += ["  " + "  ".join(f"{v:>11.5g}" for v in row) for row in noise.covariance / omega]
    lines.append("Fano = Var(n)/<n> of the copy numbers; peak ω = 0: the spectrum only falls (no quasi-cycles).")
    if scan is not None:
        name = _scan_name(scan)
        lines += ["", f"scan over {name}:", f"{name:>11}  " + "  ".join(f"{'Fano ' + v:>11}" for v in names)]
        for k, value in enumerate(scan.grid[name]):
            lines.append(f"{value:>11.5g}  " + "  ".join(f"{f:>11.5g}" for f in scan.fano[k]))
        lines += list(scan.notes)
    return "\n".join(lines) + "\n"
