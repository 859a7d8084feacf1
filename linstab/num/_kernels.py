"""The one path from SymPy expressions to numeric kernels.

:func:`compile_kernel` lambdifies an expression array (with common-subexpression elimination)
for the ``numpy`` or ``torch`` backend and wraps it so that it accepts leading batch dimensions:
a parameter grid and a set of cells go through the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import DimensionError
from linstab._parse import as_expr
from linstab._optional import require

__all__ = ["Kernel", "compile_kernel", "BACKENDS"]

BACKENDS = ("numpy", "torch")


@dataclass(frozen=True, kw_only=True)
class Kernel:
    """A compiled expression array; call it with one array per argument group.

    Each argument array has its group's symbols along the last axis; the leading axes of all
    arguments broadcast together. The result has shape ``batch + shape``.

    Attributes
    ----------
    func
        The lambdified function of the flat list of symbols, returning the flat list of entries.
    shape
        Shape of the expression array (``()`` for a scalar, ``(n,)``, ``(n, n)``...).
    group_sizes
        Number of symbols in each argument group.
    backend
        ``"numpy"`` or ``"torch"``.
    source
        The flat expression entries the kernel computes.
    """

    func: Callable[..., Any]
    shape: tuple[int, ...]
    group_sizes: tuple[int, ...]
    backend: str
    source: tuple[sp.Expr, ...]

    def __call__(self, *groups: Any, dtype: Any = None, device: Any = None) -> Any:
        if len(groups) != len(self.group_sizes):
            raise TypeError(f"kernel takes {len(self.group_sizes)} argument array(s), got {len(groups)}")
        if self.backend == "torch":
            return self._call_torch(groups, dtype, device)
        return self._call_numpy(groups, dtype)

    def _columns(self, arrays: Sequence[Any]) -> list[Any]:
        cols = []
        for i, (arr, size) in enumerate(zip(arrays, self.group_sizes)):
            if arr.shape[-1:] != (size,):
                raise DimensionError(
                    f"kernel argument {i} had shape {tuple(arr.shape)} while its last axis should "
                    f"have length {size} (one entry per symbol)"
                )
            cols.extend(arr[..., j] for j in range(size))
        return cols

    def _call_numpy(self, groups: Sequence[Any], dtype: Any) -> np.ndarray:
        dtype = np.dtype(dtype or np.float64)
        arrays = [np.asarray(g if g is not None else np.zeros(0), dtype=dtype) for g in groups]
        arrays = [a.reshape(0) if a.size == 0 and a.ndim <= 1 else a for a in arrays]
        batch = np.broadcast_shapes(*(a.shape[:-1] for a in arrays if a.ndim >= 1))
        with np.errstate(all="ignore"):
            out = self.func(*self._columns(arrays))
        entries = [np.asarray(o) for o in out]
        res_dtype = np.result_type(dtype, *entries)
        stacked = np.stack([np.broadcast_to(e.astype(res_dtype, copy=False), batch) for e in entries], axis=-1)
        return stacked.reshape(batch + self.shape)

    def _call_torch(self, groups: Sequence[Any], dtype: Any, device: Any) -> Any:
        torch = require("torch")
        ref = next((g for g in groups if isinstance(g, torch.Tensor)), None)
        dtype = dtype or (ref.dtype if ref is not None and ref.is_floating_point() else torch.float64)
        device = device or (ref.device if ref is not None else "cpu")
        arrays = [torch.as_tensor(g if g is not None else [], dtype=dtype, device=device) for g in groups]
        batch = torch.broadcast_shapes(*(a.shape[:-1] for a in arrays if a.ndim >= 1))
        out = self.func(*self._columns(arrays))
        entries = [o if isinstance(o, torch.Tensor) else torch.as_tensor(o, device=device) for o in out]
        res_dtype = dtype
        for e in entries:
            res_dtype = torch.promote_types(res_dtype, e.dtype)
        stacked = torch.stack([e.to(res_dtype).expand(batch) for e in entries], dim=-1)
        return stacked.reshape(tuple(batch) + self.shape)


def _torch_overrides(torch: Any) -> dict[str, Callable[..., Any]]:
    """Functions SymPy's torch printer maps differently from numpy's semantics.

    SymPy prints ``Max``/``Min`` as ``max``/``min``, which torch resolves to reductions that
    reject a Python number beside a tensor; here they are element-wise, as in numpy. Likewise
    ``torch.heaviside`` wants its second argument as a tensor.
    """

    def _fold(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
        def folded(*args: Any) -> Any:
            ref = next((a for a in args if isinstance(a, torch.Tensor)), None)
            tensors = [a if isinstance(a, torch.Tensor) else torch.as_tensor(
                a, dtype=ref.dtype if ref is not None else None,
                device=ref.device if ref is not None else None) for a in args]
            out = tensors[0]
            for t in tensors[1:]:
                out = op(out, t)
            return out

        return folded

    def heaviside(x: Any, h0: Any = 0.5) -> Any:
        return torch.heaviside(x, torch.as_tensor(h0, dtype=x.dtype, device=x.device))

    return {"heaviside": heaviside, "max": _fold(torch.maximum), "min": _fold(torch.minimum),
            "Max": _fold(torch.maximum), "Min": _fold(torch.minimum)}


def _drop_step_derivatives(e: sp.Expr) -> sp.Expr:
    """``e`` with derivatives of ``floor`` and ``ceiling`` (also inside ``Subs``) set to 0."""
    def step(a: sp.Basic) -> bool:
        return isinstance(a, sp.Derivative) and isinstance(a.expr, (sp.floor, sp.ceiling))

    e = e.replace(lambda a: isinstance(a, sp.Subs) and step(a.expr), lambda *a: sp.S.Zero)
    return e.replace(step, lambda *a: sp.S.Zero)


def compile_kernel(
    exprs: sp.Expr | sp.MatrixBase | Sequence[sp.Expr],
    args: Sequence[Sequence[sp.Symbol]],
    *,
    backend: str = "numpy",
) -> Kernel:
    """Lambdify ``exprs`` into a batched numeric kernel of the argument groups ``args``.

    This is the only place where linstab turns symbols into numbers (``lambdify`` with
    ``cse=True``).

    Parameters
    ----------
    exprs
        A scalar expression, a sequence (computed as a vector), or a matrix of expressions
        (computed with the matrix's shape, also when it has one column).
    args
        Argument groups, e.g. ``[model.variables, model.parameters]``; the kernel is then called
        as ``kernel(x, p)`` with ``x[..., len(variables)]`` and ``p[..., len(parameters)]``.
    backend
        ``"numpy"`` or ``"torch"`` (CPU or GPU tensors; the device follows the inputs).

    Returns
    -------
    Kernel

    Examples
    --------
    >>> x, k = sp.symbols("x k")
    >>> f = compile_kernel([x**2, -k * x], [[x], [k]])
    >>> f(np.array([[1.0], [2.0]]), [3.0])
    array([[ 1., -3.],
           [ 4., -6.]])
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if isinstance(exprs, sp.MatrixBase):
        shape = tuple(exprs.shape)  # a matrix keeps its shape, 1 x 1 and n x 1 included
        flat = tuple(exprs)
    elif isinstance(exprs, sp.Basic):
        shape, flat = (), (exprs,)
    else:
        flat = tuple(as_expr(e, where="compile_kernel") for e in exprs)
        shape = (len(flat),)
    # The derivative of Heaviside (or of Max, Min, sign) is a DiracDelta, which no numeric backend
    # has: numerically it is the classical derivative, 0 away from the jump (at the jump itself the
    # derivative does not exist, and a kernel cannot represent the distribution).
    flat = tuple(e.replace(sp.DiracDelta, lambda *a: sp.S.Zero) if e.has(sp.DiracDelta) else e for e in flat)
    # Likewise floor and ceiling (SBML MathML) are piecewise constant: derivative 0 between the steps.
    flat = tuple(_drop_step_derivatives(e) if e.has(sp.Derivative) else e for e in flat)
    groups = [tuple(g) for g in args]
    symbols = [s for g in groups for s in g]
    free = set().union(*(e.free_symbols for e in flat)) if flat else set()
    missing = free - set(symbols)
    if missing:
        names = ", ".join(sorted(s.name for s in missing))
        raise ValueError(f"compile_kernel: the expressions use {names}, which no argument group provides")
    modules: Any = backend
    if backend == "numpy" and any(e.has(sp.factorial) for e in flat):
        from scipy.special import gamma

        modules = [{"factorial": lambda x: gamma(np.add(x, 1.0))}, "numpy"]  # n! = Γ(n + 1)
    if backend == "torch":
        modules = [_torch_overrides(require("torch")), "torch"]
    # the arguments become dummies first: common-subexpression elimination names its temporaries
    # x0, x1, ..., and some SymPy versions (1.12) let them overwrite arguments of the same name
    dummies = [sp.Dummy(f"arg{i}") for i in range(len(symbols))]
    rename = dict(zip(reversed(symbols), reversed(dummies)))  # a repeated symbol maps to its first slot
    func = sp.lambdify(dummies, [e.xreplace(rename) for e in flat], modules=modules, cse=True)
    return Kernel(func=func, shape=shape, group_sizes=tuple(len(g) for g in groups),
                  backend=backend, source=flat)
