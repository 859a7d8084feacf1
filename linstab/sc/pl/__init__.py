"""Plots on AnnData (scanpy's ``pl``) of per-cell Jacobian results; each returns a matplotlib Figure."""

__all__: list[str] = []
