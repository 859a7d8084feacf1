"""The analysis report: the symbolic derivation (:func:`linstab.sym.derivations`) and the numeric
fixed points (:func:`linstab.num.find_fixed_points`) at the parameter values, in one
:class:`~linstab.sym.Report`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linstab._errors import AnalysisError
from linstab.model import load_model
from linstab.num import find_fixed_points
from linstab.sym import Derivation, Report, derivations

__all__ = ["report"]


def report(model: Any, values: Mapping[str, float] | None = None, *, symbolic: bool = True,
           numeric: bool = True, timeout: float | None = 30.0, max_fixed_points: int = 4) -> Report:
    """Walk the steps of linear stability analysis for a model, symbolically and numerically.

    Parameters
    ----------
    model
        The :class:`~linstab.Model`, or a name or file for :func:`~linstab.load_model`.
    values
        Overrides of the model's parameter values.
    symbolic
        Derive fixed points, Jacobians at them, characteristic polynomials, eigenvalues and
        stability conditions symbolically (the slow part); only for models of at most
        :data:`linstab.sym.MAX_SYMBOLIC_VARIABLES` variables.
    numeric
        Find and classify the fixed points at the parameter values (skipped, with a note, when a
        value is unset).
    timeout
        Seconds of CPU time for the whole symbolic analysis (``None``: no limit). Where the
        platform allows it (``fork``), the symbolic steps run in a child process under this limit
        and :data:`linstab.sym.SYMBOLIC_MEMORY` MB of memory; when the budget runs out, the report
        says so in its notes and still carries the numeric fixed points. Each single ``solve`` is also
        limited to ``timeout`` seconds.
    max_fixed_points
        At most this many symbolic fixed points are derived.

    Returns
    -------
    Report

    References
    ----------
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b.
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.
    Gantmacher, F. R., *The Theory of Matrices*, vol. II, Chelsea, 1959, ch. XV.

    Examples
    --------
    >>> r = report("repressilator")
    >>> d = r.derivations[0]
    >>> d.abbreviations
    {a: beta*n*x0**(n - 1)/(x0**n + 1)**2}
    >>> d.charpoly.compact, d.stable_if, d.unstable_if
    (a**3 + (lambda + 1)**3, a < 2, a > 2)
    >>> r.fixed_points[0].classification
    'saddle-focus'
    """
    if timeout is not None and not (isinstance(timeout, (int, float)) and 0 < timeout < float("inf")):
        raise ValueError(f"report: `timeout` must be a positive, finite number of seconds or None, got {timeout!r}")
    model = load_model(model)
    if values:
        model = model.with_values(values)
    notes: list[str] = []
    found: list[Derivation] = []
    if symbolic:
        found, notes = derivations(model, timeout=timeout, max_fixed_points=max_fixed_points)
    numeric_fps: list[Any] = []
    if numeric:
        missing = [k for k, v in model.values if v is None]
        if missing:
            notes.append(f"numeric fixed points skipped: no value for {', '.join(missing)} "
                         f"(pass values={{'{missing[0]}': ...}})")
        else:
            try:
                numeric_fps = find_fixed_points(model)
                notes += [f"numeric fixed points: {note}" for note in numeric_fps.notes]
            except AnalysisError as exc:
                notes.append(f"numeric fixed points skipped: {exc}")
    return Report(model=model, values=dict(model.values), jacobian=model.jacobian(),
                  derivations=tuple(found), fixed_points=tuple(numeric_fps), notes=tuple(notes))
