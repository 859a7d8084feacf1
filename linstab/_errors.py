"""Exception types of linstab.

Every error says what was expected, what was received and, where there is one, how to fix it.
The value-type errors derive from :class:`ValueError` (and the missing-key error from
:class:`KeyError`) so that generic ``except ValueError`` handlers keep working.
"""

from __future__ import annotations

__all__ = [
    "LinstabError",
    "ModelError",
    "ParseError",
    "DimensionError",
    "ParameterError",
    "AnalysisError",
    "MissingKeyError",
]


class LinstabError(Exception):
    """Base class of every error raised on purpose by linstab."""


class ModelError(LinstabError, ValueError):
    """A model file or model definition is malformed."""


class ParseError(ModelError):
    """An expression string could not be parsed safely."""


class DimensionError(LinstabError, ValueError):
    """An array or matrix has the wrong shape."""


class ParameterError(LinstabError, ValueError):
    """A parameter name is unknown, or a parameter value is missing or invalid."""


class AnalysisError(LinstabError, ValueError):
    """An analysis cannot be carried out on the given model (no fixed point, no crossing...)."""


class MissingKeyError(LinstabError, KeyError):
    """A key an analysis needs is missing from an AnnData object or file."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""
