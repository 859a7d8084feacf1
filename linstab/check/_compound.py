"""Matrices, polynomials and sets of values (eigenvalues, fixed points)."""

from __future__ import annotations

import sympy as sp

from linstab.check._expr import Probe, correct_message, diagnose, equivalent
from linstab.check._feedback import Feedback
from linstab.check._numeric import all_close

__all__ = ["compare_matrix", "compare_polynomial", "compare_set"]


def _of(right: int, total: int, noun: str) -> str:
    """``"1 of 3 values is"`` / ``"2 of 3 values are"``."""
    return f"{right} of {total} {noun} {'is' if right == 1 else 'are'}"


def _entry_name(i: int, j: int) -> str:
    return f"row {i + 1}, column {j + 1}"


def compare_matrix(answer: sp.Matrix, reference: sp.Matrix, probe: Probe) -> Feedback:
    """Entry by entry, with diagnoses for transposition, misplaced entries and per-entry slips."""
    if answer.shape != reference.shape:
        return Feedback(
            False,
            f"Your matrix is {answer.shape[0]}×{answer.shape[1]}, but a "
            f"{reference.shape[0]}×{reference.shape[1]} matrix is expected (one row per equation, "
            "one column per variable).",
            "shape",
            method="symbolic",
        )
    rows, cols = reference.shape
    verdicts = {}
    methods = set()
    ref_vals = {}
    ans_vals = {}
    for i in range(rows):
        for j in range(cols):
            ok, method, av = equivalent(answer[i, j], reference[i, j], probe)
            verdicts[i, j] = ok
            methods.add(method)
            ans_vals[i, j] = av
    if all(v is True for v in verdicts.values()):
        method = "symbolic" if methods == {"symbolic"} else "numeric"
        return Feedback(True, correct_message(method, probe, "matrix"), "correct", method=method)
    wrong = [k for k, v in verdicts.items() if v is not True]
    right = rows * cols - len(wrong)
    for k in wrong:
        ref_vals[k] = probe.values(reference[k])

    # the whole matrix negated
    if all(all_close([None if a is None else -a for a in ans_vals[k]], probe.values(reference[k])) in (True, None)
           for k in verdicts) and any(all_close([None if a is None else -a for a in ans_vals[k]], probe.values(reference[k])) is True for k in wrong):
        return Feedback(
            False,
            "Your matrix is the expected one with every sign flipped. Check the overall sign "
            "(e.g. A versus −A, or f versus −f).",
            "sign",
            method="numeric",
        )
    # transposed
    if rows == cols and not reference.is_symmetric():
        if all(equivalent(answer[j, i], reference[i, j], probe)[0] is True for i in range(rows) for j in range(cols)):
            return Feedback(
                False,
                "Your matrix is the transpose of the expected one. In a Jacobian, row i holds the "
                "derivatives of the i-th equation and column j the derivatives with respect to the "
                "j-th variable.",
                "transposed",
                method="numeric",
            )
    # right entries in the wrong place
    misplaced = []
    for k in wrong:
        for m in wrong:
            if m != k and all_close(ans_vals[k], ref_vals[m]) is True:
                misplaced.append((k, m))
                break
    if misplaced and len(misplaced) == len(wrong):
        details = tuple(
            f"the entry at {_entry_name(*k)} belongs at {_entry_name(*m)}" for k, m in misplaced
        )
        return Feedback(
            False,
            f"{_of(right, rows * cols, 'entries')} right, and the others hold right expressions in "
            "the wrong place. Check the order of rows (equations) and columns (variables).",
            "misplaced_entries",
            method="numeric",
            details=details,
        )
    details = []
    for k in sorted(wrong):
        code, message = diagnose(answer[k], reference[k], probe, ans_vals[k])
        details.append(f"{_entry_name(*k)}: {message}")
    return Feedback(
        False,
        f"{_of(right, rows * cols, 'entries')} right; "
        f"{'this one is' if len(wrong) == 1 else 'these are'} not:",
        "entries",
        method="numeric",
        details=tuple(details),
    )


def compare_polynomial(
    answer: sp.Basic, reference: sp.Basic, variable: sp.Symbol, probe: Probe, *, up_to_factor: bool
) -> Feedback:
    """Coefficient by coefficient in ``variable``; an overall constant factor is accepted when
    ``up_to_factor`` (det(λI − A) and det(A − λI) differ by (−1)ⁿ)."""
    try:
        pa = sp.Poly(sp.expand(answer), variable)
        pr = sp.Poly(sp.expand(reference), variable)
    except sp.PolynomialError:
        return Feedback(
            False,
            f"Your answer is not a polynomial in {variable}.",
            "not_equivalent",
            method="symbolic",
        )
    if pa.degree() != pr.degree():
        return Feedback(
            False,
            f"Your polynomial has degree {pa.degree()} in {variable}; the expected one has degree "
            f"{pr.degree()} (an n×n matrix has a characteristic polynomial of degree n).",
            "degree",
            method="symbolic",
        )
    deg = pr.degree()
    ca = [pa.coeff_monomial(variable**k) for k in range(deg + 1)]
    cr = [pr.coeff_monomial(variable**k) for k in range(deg + 1)]
    note = ""
    if up_to_factor:
        lead_a, lead_r = ca[deg], cr[deg]
        scale = sp.simplify(lead_r / lead_a) if lead_a != 0 else None
        if scale is not None and scale.is_number and scale != 0 and sp.simplify(scale - 1) != 0:
            ca = [scale * c for c in ca]
            note = f" (up to the overall factor {sp.sstr(1 / scale)}, which does not change the roots)"
    verdicts = []
    methods = set()
    for k in range(deg + 1):
        ok, method, _ = equivalent(ca[k], cr[k], probe)
        verdicts.append(ok)
        methods.add(method)
    if all(v is True for v in verdicts):
        method = "symbolic" if methods == {"symbolic"} else "numeric"
        return Feedback(True, correct_message(method, probe, "polynomial") + note, "correct", method=method)
    details = []
    for k in range(deg, -1, -1):
        if verdicts[k] is not True:
            _, message = diagnose(ca[k], cr[k], probe)
            term = "constant term" if k == 0 else f"coefficient of {variable}" + (f"**{k}" if k > 1 else "")
            details.append(f"{term}: {message}")
    return Feedback(
        False,
        f"{_of(sum(v is True for v in verdicts), deg + 1, 'coefficients')} right (in powers of {variable}){note}; "
        "the others are not:",
        "coefficients",
        method="numeric",
        details=tuple(details),
    )


def compare_set(answer: list[sp.Basic], reference: list[sp.Basic], probe: Probe, *, what: str = "values") -> Feedback:
    """Multisets of expressions (eigenvalues, fixed points), matched one to one in any order."""
    if len(answer) != len(reference):
        return Feedback(
            False,
            f"You gave {len(answer)} {_singular(what) if len(answer) == 1 else what}; {len(reference)} are expected"
            + (" (count each repeated value as often as it occurs)." if len(answer) < len(reference) else "."),
            "count",
            method="symbolic",
        )
    avs = [probe.values(a) for a in answer]
    rvs = [probe.values(r) for r in reference]
    free_r = list(range(len(reference)))
    unmatched_a = []
    methods = set()
    for i, a in enumerate(answer):
        for j in free_r:
            if all_close(avs[i], rvs[j]) is True:
                ok, method, _ = equivalent(a, reference[j], probe)
                if ok is False:  # a decimal that agrees to double precision only
                    continue
                methods.add(method)
                free_r.remove(j)
                break
        else:
            unmatched_a.append(i)
    if not unmatched_a:
        method = "symbolic" if methods == {"symbolic"} else "numeric"
        return Feedback(True, correct_message(method, probe, f"set of {what}"), "correct", method=method)
    details = []
    for i in unmatched_a:
        # diagnose against the unmatched reference element it is closest to
        best = min(free_r, key=lambda r: _distance(avs[i], rvs[r]))
        _, message = diagnose(answer[i], reference[best], probe, avs[i])
        details.append(f"{sp.sstr(answer[i])}: {message}")
    right = len(answer) - len(unmatched_a)
    return Feedback(
        False,
        f"{_of(right, len(reference), what)} right; {'this one is' if len(unmatched_a) == 1 else 'these are'} not:",
        "elements",
        method="numeric",
        details=tuple(details),
    )


def _singular(what: str) -> str:
    return {"values": "value", "entries": "entry"}.get(what, what)


def _distance(av: list, rv: list) -> float:
    total = 0.0
    for a, r in zip(av, rv):
        if a is None or r is None:
            total += 1e6
        else:
            total += abs(a - r) / max(1.0, abs(r))
    return total
