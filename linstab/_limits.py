"""Memory budget and range checks, applied before a computation allocates anything.

linstab refuses up front a request whose arrays cannot fit its **memory budget**: 2 GiB by
default, or the value of the environment variable ``LINSTAB_MEMORY`` (``"8GiB"``, ``"500MB"``,
a number of bytes). The estimates are of the arrays a computation keeps per grid point or
sample (measured with :mod:`tracemalloc`, rounded up) plus its fixed working set; they are
upper bounds, not exact figures.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from linstab._errors import ParameterError

__all__ = ["DEFAULT_BUDGET", "ENV_VAR", "parse_bytes", "memory_budget", "check_fits", "format_bytes",
           "check_range", "stability_map_bytes", "curve_bytes"]

#: The budget when ``LINSTAB_MEMORY`` is not set.
DEFAULT_BUDGET = 2 * 2**30
#: Environment variable that sets the budget.
ENV_VAR = "LINSTAB_MEMORY"


def parse_bytes(value: int | float | str, name: str) -> int:
    """A number of bytes from an int or a string such as ``"512MB"`` or ``"2 GiB"``.

    Examples
    --------
    >>> parse_bytes("512MB", "budget"), parse_bytes("1GiB", "budget"), parse_bytes(1000, "budget")
    (512000000, 1073741824, 1000)
    """
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be a number of bytes or a string like '2GB'; got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([kKmMgGtT]i?)?[bB]?\s*", str(value))
        if not m:
            raise ValueError(f"`{name}` must be a number of bytes or a string like '2GB'; got {value!r}")
        unit = (m.group(2) or "").lower()
        base = 1024 if unit.endswith("i") else 1000
        number = float(m.group(1)) * base ** {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}[unit[:1]]
    if not (math.isfinite(number) and number >= 1):
        raise ValueError(f"`{name}` must be at least 1 byte and finite; got {value!r}")
    return int(number)


def memory_budget() -> int:
    """The budget in bytes: ``LINSTAB_MEMORY`` if set, else :data:`DEFAULT_BUDGET` (2 GiB)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return parse_bytes(raw, f"environment variable {ENV_VAR}") if raw else DEFAULT_BUDGET


def format_bytes(n: float) -> str:
    """``7.45 GiB``-style text.

    Examples
    --------
    >>> format_bytes(8e9), format_bytes(3 * 2**20)
    ('7.45 GiB', '3.00 MiB')
    """
    for unit, power in (("TiB", 4), ("GiB", 3), ("MiB", 2), ("KiB", 1)):
        if n >= 1024**power:
            value = n / 1024**power
            return f"{value:.2f} {unit}" if value < 1e6 else f"{value:.3g} {unit}"
    return f"{int(n)} B"


def check_fits(nbytes: float, what: str, fix: str) -> None:
    """Raise :class:`MemoryError` if ``nbytes`` exceed the budget; the message names both.

    Examples
    --------
    >>> check_fits(10, "a tiny grid", "use fewer points")
    >>> check_fits(8e9, "a grid of 10**9 points", "use fewer points")
    Traceback (most recent call last):
    ...
    MemoryError: a grid of 10**9 points needs about 7.45 GiB, above linstab's memory budget of 2.00 GiB; use fewer points, or raise the budget with the environment variable LINSTAB_MEMORY (e.g. LINSTAB_MEMORY=16GiB)
    """
    budget = memory_budget()
    if nbytes > budget:
        head = f"{what} needs about {format_bytes(nbytes)}, above linstab's memory budget of {format_bytes(budget)}"
        if nbytes >= 2**40:  # beyond any machine's memory: raising the budget is no advice
            raise MemoryError(f"{head}; {fix} (the budget is set by the environment variable {ENV_VAR})")
        suggest = 2 ** max(0, math.ceil(math.log2(nbytes / 2**30 * 1.25)))
        raise MemoryError(f"{head}; {fix}, or raise the budget with the environment variable {ENV_VAR} "
                          f"(e.g. {ENV_VAR}={suggest}GiB)")


def check_range(model: Any, name: str, lo: float, hi: float, where: str) -> tuple[float, float]:
    """``(lo, hi)`` as floats after checking that they are finite and inside ``name``'s domain.

    ``where`` names the range in the message (e.g. ``"x axis"``). A parameter declared
    ``positive`` needs ``lo > 0``; ``nonnegative`` needs ``lo >= 0`` (the same rule as
    :meth:`linstab.Model.with_values`).

    Examples
    --------
    >>> from linstab import load_model
    >>> check_range(load_model("repressilator"), "n", 1.5, 5, "x axis")
    (1.5, 5.0)
    >>> check_range(load_model("repressilator"), "beta", -1, 5, "x axis")
    Traceback (most recent call last):
    ...
    linstab._errors.ParameterError: x axis: parameter 'beta' is declared positive, but the range -1.0 .. 5.0 leaves that domain
    """
    model.parameter(name)  # unknown names raise with a hint
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ParameterError(f"{where}: the range of {name!r} must be finite numbers; got {lo} .. {hi}")
    domain = model.domain[name]
    if (domain == "positive" and min(lo, hi) <= 0) or (domain == "nonnegative" and min(lo, hi) < 0):
        raise ParameterError(f"{where}: parameter {name!r} is declared {domain}, but the range {lo} .. {hi} "
                             "leaves that domain")
    return lo, hi


def stability_map_bytes(n_points: int, n_params: int, chunk_bytes: float = 256 * 2**20) -> float:
    """Upper bound of what :func:`linstab.num.stability_map` holds for ``n_points`` grid points.

    Per point: the parameter grid (``8 * n_params``), the two axes' mesh (16) and the four result
    arrays with their concatenated copies (2 x 25); plus one chunk of working memory. Measured:
    about 60 bytes per point beyond the chunk for a two-parameter model (tracemalloc, 0.5 and 2
    million points), where this bound gives 82.
    """
    return n_points * (8 * (n_params + 2) + 2 * 25) + chunk_bytes


def curve_bytes(n_points: int) -> float:
    """Upper bound of sampling one closed-form bifurcation curve at ``n_points`` values: about
    290 bytes per point measured (tracemalloc, repressilator Hopf curve, 0.2 and 1 million points)."""
    return 320.0 * n_points
