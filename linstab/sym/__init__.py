"""Symbolic layer: Jacobians, fixed points, characteristic polynomials, Routh–Hurwitz, bifurcations."""

__all__: list[str] = []
