"""Lazy import of optional dependencies, with an error naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]

# module name -> the extra of linstab that provides it
_EXTRAS = {
    "torch": "grn",
    "anndata": "grn",
    "h5py": "grn",
    "tqdm": "grn",
    "pandas": "grn",
    "threadpoolctl": "grn",
    "bokeh": "plot",
    "jupyter_book": "book",
    "playwright": "export",
    "libsbml": "sbml",
    "dask": "dask",
    "distributed": "dask",
    "zarr": "dask",
}


def require(module: str, *, extra: str | None = None) -> ModuleType:
    """Import ``module`` or raise an :class:`ImportError` that names the extra to install.

    Parameters
    ----------
    module
        Dotted module name, e.g. ``"torch"`` or ``"bokeh.plotting"``.
    extra
        The linstab extra that provides it; looked up from the top-level module name if omitted.

    Examples
    --------
    >>> require("math").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = extra or _EXTRAS.get(top, "all")
        msg = (
            f"`{module}` is required for this feature but could not be imported ({exc}); "
            f"install `linstab[{extra}]`, e.g. `pip install 'linstab[{extra}]'`."
        )
        raise ImportError(msg) from exc
