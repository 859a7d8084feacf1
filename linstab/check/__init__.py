"""Checking derivations in exercises: equivalence on a domain, and feedback on common slips.

:func:`check` compares a student's answer — an expression, a matrix, a polynomial, a set of
values, a condition or an equation — with a reference under the exercise's assumptions and
returns a :class:`Feedback`. :mod:`linstab.check.exercises` holds the book's exercises with their
references and typical wrong answers.

Examples
--------
>>> import sympy as sp
>>> from linstab.check import check
>>> beta = sp.Symbol("beta", positive=True)
>>> print(check("beta - 2 > 0", beta > 2))
Correct. Your condition is equivalent to the expected one on the domain (shown symbolically).
"""

from linstab.check._api import KINDS, check
from linstab.check._domain import Domain
from linstab.check._feedback import DIAGNOSES, Feedback

__all__ = ["check", "Feedback", "Domain", "DIAGNOSES", "KINDS"]
