"""The book's exercises: references, domains and typical wrong answers, shared by chapters and tests.

Each :class:`Exercise` knows its reference answer and the assumptions under which answers are
compared; ``Exercise.check(answer)`` returns a :class:`~linstab.check.Feedback`. ``wrong`` lists
typical slips with the diagnosis each must receive; ``accepted`` lists other correct forms. The
tests run all of them; the chapters show the feedback on one slip and, in the hidden solution,
derive the reference with linstab and check it.

Examples
--------
>>> from linstab.check.exercises import exercise
>>> ex = exercise("ch2-hill-repression-slope")
>>> ex.check("-n*x0^(n-1)/(1 + x0^n)^2").correct
True
>>> ex.check("n*x0^(n-1)/(1 + x0^n)^2").diagnosis
'sign'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from linstab.check._api import check
from linstab.check._feedback import Feedback

__all__ = ["Exercise", "EXERCISES", "exercise", "by_chapter", "SYMBOLS"]

# The symbols of the exercises. Parameters are positive, as in the models' files; concentrations
# are positive too (fixed points at zero are listed explicitly where they matter).
beta, gamma, n, a = sp.symbols("beta gamma n a", positive=True)
x, y, x0, m, p, u, v = sp.symbols("x y x0 m p u v", positive=True)
x1, x2, x3 = sp.symbols("x1 x2 x3", positive=True)
tau, Delta = sp.symbols("tau Delta", real=True)
lamda = sp.Symbol("lambda")
c1, c2, c3 = sp.symbols("c1 c2 c3", real=True)           # coefficients of a cubic
k = sp.Symbol("k", positive=True)                         # Hill threshold
w11, w12, w21, w22 = sp.symbols("w11 w12 w21 w22", real=True)   # interaction weights
d1, d2, g1, g2 = sp.symbols("d1 d2 g1 g2", positive=True)       # Hill slopes, degradation rates
j11, j12, j21, j22 = sp.symbols("j11 j12 j21 j22", real=True)   # Jacobian entries  # as linstab.sym.charpoly names it; students may type lambda, lam or λ

#: Every symbol used by an exercise, by name.
SYMBOLS: dict[str, sp.Symbol] = {
    s.name: s
    for s in (beta, gamma, n, a, x, y, x0, m, p, u, v, x1, x2, x3, tau, Delta, lamda, c1, c2, c3, k,
              w11, w12, w21, w22, d1, d2, g1, g2, j11, j12, j21, j22)
}


@dataclass(frozen=True)
class Exercise:
    """One exercise: what is asked, the reference, where to compare, and known slips.

    Attributes
    ----------
    key
        A stable identifier, ``ch<N>-<name>``.
    chapter
        The chapter it belongs to.
    title
        A short title.
    kind
        The kind of answer (see :data:`linstab.check.KINDS`).
    reference
        The expected answer (SymPy).
    options
        Keyword arguments for :func:`linstab.check.check` (``ranges``, ``where``, ``variable``...).
    wrong
        Pairs ``(answer, diagnosis)``: typical slips and the diagnosis each must receive.
    accepted
        Other correct forms, all of which must be accepted.

    Examples
    --------
    >>> ex = EXERCISES["ch3-toggle-symmetric-stability"]
    >>> ex.kind, ex.symbols
    ('condition', ['a'])
    >>> ex.check("a^2 < 1").correct      # a > 0, so this is the same condition
    True
    """

    key: str
    chapter: int
    title: str
    kind: str
    reference: object
    options: Mapping[str, object] = field(default_factory=dict)
    wrong: tuple[tuple[str, str], ...] = ()
    accepted: tuple[str, ...] = ()

    def check(self, answer: object) -> Feedback:
        """Check ``answer`` against the reference under this exercise's assumptions.

        Examples
        --------
        >>> EXERCISES["ch1-fixed-point-linear"].check("gamma/beta").diagnosis
        'reciprocal'
        """
        return check(answer, self.reference, kind=self.kind, **self.options)

    @property
    def symbols(self) -> list[str]:
        """Names the answer may use."""
        ref = self.reference
        free: set[sp.Symbol] = set()
        for item in ref if isinstance(ref, (list, tuple)) else [ref]:
            free |= set(item.free_symbols)
        if self.options.get("variable") is not None:
            free.add(self.options["variable"])
        return sorted(s.name for s in free)


def _hill_slope(u: sp.Symbol) -> sp.Expr:
    """d/du of u**n/(1 + u**n)."""
    return n * u ** (n - 1) / (1 + u**n) ** 2


_EXERCISES = [
    # ---------------------------------------------------------------- chapter 1
    Exercise(
        "ch1-fixed-point-linear", 1, "Fixed point of constitutive expression", "expression",
        beta / gamma,
        wrong=(("gamma/beta", "reciprocal"), ("-beta/gamma", "sign"), ("beta", "missing_factor")),
        accepted=("beta*gamma^(-1)", "(2*beta)/(2*gamma)", "beta/gamma + 0*gamma"),
    ),
    Exercise(
        "ch1-autoactivation-slope", 1, "Slope of the autoactivation right-hand side", "expression",
        beta * _hill_slope(x) - 1,
        wrong=(
            ("beta*x^(n-1)/(1 + x^n)^2 - 1", "missing_factor"),
            ("beta*n*x^n/(1 + x^n)^2 - 1", "wrong_exponent"),
            ("beta*n*x^(n-1)/(1 + x^n) - 1", "wrong_exponent"),
            ("beta*n*x^(n-1)/(1 + x^n)^2", "missing_term"),
            ("-beta*n*x^(n-1)/(1 + x^n)^2 - 1", "sign"),
        ),
        accepted=(
            "beta*n*x^(n-1)/(1 + x^n)^2 - 1",
            "(beta*n*x^n/x - (1 + x^n)^2)/(1 + x^n)^2",
            "beta*n*x^(n-1)*(1 + x^n)^(-2) - 1",
            "β*n*x**(n-1)/(1+x**n)**2 - 1",
        ),
    ),
    Exercise(
        "ch1-bistability-condition", 1, "When autoactivation with n = 2 is bistable", "condition",
        beta > 2,
        wrong=(("beta < 2", "reversed"), ("beta > 1", "too_weak"), ("beta > 4", "too_strong")),
        accepted=("beta^2 > 4", "beta - 2 > 0", "2 < beta", "4 < beta**2"),
    ),
    Exercise(
        "ch1-autoactivation-fixed-points", 1, "Fixed points of autoactivation with n = 2", "set",
        [sp.Integer(0), (beta - sp.sqrt(beta**2 - 4)) / 2, (beta + sp.sqrt(beta**2 - 4)) / 2],
        options={"ranges": {"beta": (2.0, 10.0)}},
        wrong=(
            ("[(beta - sqrt(beta^2 - 4))/2, (beta + sqrt(beta^2 - 4))/2]", "count"),
            ("[0, beta - sqrt(beta^2 - 4), beta + sqrt(beta^2 - 4)]", "elements"),
        ),
        accepted=(
            "[0, beta/2 + sqrt(beta^2/4 - 1), beta/2 - sqrt(beta^2/4 - 1)]",
            "{(beta + sqrt(beta^2 - 4))/2, 0, 2/(beta + sqrt(beta^2 - 4))}",
        ),
    ),
    Exercise(
        "ch1-switch-on-from-half", 1, "For which beta a start at x = 1/2 switches autoactivation on", "condition",
        beta > sp.Rational(5, 2),
        wrong=(("beta > 2", "too_weak"), ("beta < 5/2", "reversed"), ("beta > 5", "too_strong")),
        accepted=("2*beta > 5", "beta - 5/2 > 0", "4*beta^2 > 25", "beta > 10/4"),
    ),
    # ---------------------------------------------------------------- chapter 2
    Exercise(
        "ch2-hill-repression-slope", 2, "Taylor coefficient of the repressing Hill function", "expression",
        -_hill_slope(x0),
        wrong=(
            ("n*x0^(n-1)/(1 + x0^n)^2", "sign"),
            ("-x0^(n-1)/(1 + x0^n)^2", "missing_factor"),
            ("-n*x0^n/(1 + x0^n)^2", "wrong_exponent"),
            ("-n*x0^(n-1)/(1 + x0^n)", "wrong_exponent"),
        ),
        accepted=("-n*x0^(n-1)*(1 + x0^n)^(-2)", "-n*x0^n/(x0*(1 + x0^n)^2)", "-n/(x0^(1-n)*(1+x0^n)^2)"),
    ),
    Exercise(
        "ch2-autorepression-jacobian", 2, "Jacobian of the mRNA–protein autorepression circuit", "matrix",
        sp.Matrix([[-1, -beta * _hill_slope(p)], [gamma, -gamma]]),
        wrong=(
            ("[[-1, gamma], [-beta*n*p^(n-1)/(1 + p^n)^2, -gamma]]", "transposed"),
            ("[[-1, beta*n*p^(n-1)/(1 + p^n)^2], [gamma, -gamma]]", "entries"),
            ("[[1, beta*n*p^(n-1)/(1 + p^n)^2], [-gamma, gamma]]", "sign"),
            ("[[-1, -beta*n*p^(n-1)/(1 + p^n)^2], [gamma, -1]]", "entries"),
            ("[[-1, -beta*n*p^(n-1)/(1 + p^n)^2, 0], [gamma, -gamma, 0]]", "shape"),
        ),
        accepted=(
            "[[-1, -beta*n*p^n/(p*(1 + p^n)^2)], [gamma, -gamma]]",
            "Matrix([[-1, -n*beta*p**(n - 1)*(p**n + 1)**(-2)], [gamma, -gamma]])",
        ),
    ),
    Exercise(
        "ch2-repressilator-jacobian", 2, "Jacobian of the repressilator at any point", "matrix",
        sp.Matrix([
            [-1, 0, -beta * _hill_slope(x3)],
            [-beta * _hill_slope(x1), -1, 0],
            [0, -beta * _hill_slope(x2), -1],
        ]),
        wrong=(
            (
                "[[-1, -beta*n*x3^(n-1)/(1+x3^n)^2, 0], [-beta*n*x1^(n-1)/(1+x1^n)^2, -1, 0],"
                " [0, -beta*n*x2^(n-1)/(1+x2^n)^2, -1]]",
                "misplaced_entries",
            ),
            (
                "[[-1, -beta*n*x1^(n-1)/(1+x1^n)^2, 0], [0, -1, -beta*n*x2^(n-1)/(1+x2^n)^2],"
                " [-beta*n*x3^(n-1)/(1+x3^n)^2, 0, -1]]",
                "transposed",
            ),
            (
                "[[-1, 0, -beta*x3^(n-1)/(1+x3^n)^2], [-beta*x1^(n-1)/(1+x1^n)^2, -1, 0],"
                " [0, -beta*x2^(n-1)/(1+x2^n)^2, -1]]",
                "entries",
            ),
        ),
        accepted=(
            "[[-1, 0, -beta*n*x3^n/(x3*(1+x3^n)^2)], [-n*beta*x1^(n-1)*(1+x1^n)^(-2), -1, 0],"
            " [0, -beta*n*x2^(n-1)/(1+2*x2^n+x2^(2*n)), -1]]",
        ),
    ),
    Exercise(
        "ch2-repressilator-a", 2, "The repressilator's coupling a in terms of n and x0", "expression",
        n * x0**n / (1 + x0**n),
        options={"symbols": (beta,)},
        wrong=(
            ("beta*n*x0^(n-1)/(1 + x0^n)^2", "extra_dependence"),
            ("x0^n/(1 + x0^n)", "missing_factor"),
            ("n*x0^(n-1)/(1 + x0^n)", "wrong_exponent"),
        ),
        accepted=("n - n/(1 + x0^n)", "n*x0^n*(1 + x0^n)^(-1)", "n/(1 + x0^(-n))"),
    ),
    Exercise(
        "ch2-autoactivation-return-rate", 2, "How fast autoactivation (n = 2) returns to its high state", "expression",
        sp.sqrt(beta**2 - 4) / beta,
        options={"ranges": {"beta": (2.0, 10.0)}},
        wrong=(
            ("1", "missing_dependence"),
            ("-sqrt(beta^2 - 4)/beta", "sign"),
            ("sqrt(beta^2 - 4)", "missing_factor"),
            ("sqrt(beta^2 - 4)/(2*beta)", "constant_factor"),
        ),
        accepted=(
            "sqrt(1 - 4/beta^2)",
            "1 - 4/(beta^2 + beta*sqrt(beta^2 - 4))",
            "1 - (beta - sqrt(beta^2 - 4))/beta",
        ),
    ),
    # ---------------------------------------------------------------- chapter 3
    Exercise(
        "ch3-eigenvalues-trace-det", 3, "Eigenvalues from trace and determinant", "set",
        [tau / 2 + sp.sqrt(tau**2 - 4 * Delta) / 2, tau / 2 - sp.sqrt(tau**2 - 4 * Delta) / 2],
        wrong=(
            ("[tau + sqrt(tau^2 - 4*Delta), tau - sqrt(tau^2 - 4*Delta)]", "elements"),
            ("[tau/2 + sqrt(tau^2 - 4*Delta)/2]", "count"),
        ),
        accepted=(
            "[(tau - sqrt(tau^2 - 4*Delta))/2, (tau + sqrt(tau^2 - 4*Delta))/2]",
            "[tau/2 + sqrt(tau^2/4 - Delta), tau/2 - sqrt(tau^2/4 - Delta)]",
        ),
    ),
    Exercise(
        "ch3-toggle-jacobian", 3, "Jacobian of the toggle switch", "matrix",
        sp.Matrix([[-1, -beta * _hill_slope(v)], [-beta * _hill_slope(u), -1]]),
        wrong=(
            ("[[-1, -beta*n*u^(n-1)/(1+u^n)^2], [-beta*n*v^(n-1)/(1+v^n)^2, -1]]", "transposed"),
            ("[[-1, beta*n*v^(n-1)/(1+v^n)^2], [beta*n*u^(n-1)/(1+u^n)^2, -1]]", "entries"),
            ("[[-1, -beta*n*v^n/(1+v^n)^2], [-beta*n*u^(n-1)/(1+u^n)^2, -1]]", "entries"),
        ),
        accepted=("[[-1, -n*beta*v^(n-1)*(1+v^n)^(-2)], [-beta*n*u^n/(u*(1+u^n)^2), -1]]",),
    ),
    Exercise(
        "ch3-toggle-symmetric-stability", 3, "When the toggle's symmetric fixed point is stable", "condition",
        a < 1,
        wrong=(("a > 1", "reversed"), ("a < 2", "too_weak"), ("a < 1/2", "too_strong")),
        accepted=("a^2 < 1", "1 - a^2 > 0 and -2 < 0", "-1 + a < 0", "[1 - a^2 > 0, -2 < 0]"),
    ),
    Exercise(
        "ch3-stable-spiral-region", 3, "The stable spirals in the trace–determinant plane", "condition",
        sp.And(tau < 0, tau**2 < 4 * Delta),
        wrong=(
            ("tau^2 < 4*Delta", "partial_domain"),
            ("tau < 0 and Delta > 0", "too_weak"),
            ("tau < 0 and tau^2 < 4*Delta and Delta > 1", "too_strong"),
            ("tau > 0 and tau^2 < 4*Delta", "not_equivalent"),
        ),
        accepted=("tau < 0 and 4*Delta - tau^2 > 0", "[tau < 0, tau^2/4 < Delta]"),
    ),
    Exercise(
        "ch3-toggle-saddle-escape-rate", 3, "How fast trajectories leave the toggle's saddle at beta = 10, n = 2",
        "expression",
        sp.Rational(3, 5),
        wrong=(("8/5", "constant_factor"), ("-13/5", "constant_factor"), ("-3/5", "sign")),
        accepted=("0.6", "-1 + 8/5", "6/10"),
    ),
    # ---------------------------------------------------------------- chapter 4
    Exercise(
        "ch4-repressilator-charpoly", 4, "Characteristic polynomial of the linearized repressilator", "polynomial",
        (1 + lamda) ** 3 + a**3,
        options={"variable": lamda},
        wrong=(
            ("(1 + lambda)^3 - a^3", "coefficients"),
            ("(1 + lambda)^2 + a^3", "degree"),
            ("(1 + lambda)^3 + 3*a^3", "coefficients"),
        ),
        accepted=(
            "lambda^3 + 3*lambda^2 + 3*lambda + 1 + a^3",
            "-(1 + lambda)^3 - a^3",
            "(lambda + 1 + a)*((lambda + 1)^2 - a*(lambda + 1) + a^2)",
        ),
    ),
    Exercise(
        "ch4-repressilator-eigenvalues", 4, "Eigenvalues of the linearized repressilator", "set",
        [-1 - a, -1 + a / 2 * (1 + sp.I * sp.sqrt(3)), -1 + a / 2 * (1 - sp.I * sp.sqrt(3))],
        wrong=(
            ("[-1 - a, -1 + a*(1 + I*sqrt(3)), -1 + a*(1 - I*sqrt(3))]", "elements"),
            ("[-1 - a]", "count"),
        ),
        accepted=(
            "[-1 + a/2 - I*sqrt(3)*a/2, -(1 + a), -1 + a/2 + I*sqrt(3)*a/2]",
            "[-1 - a, -1 + a*exp(I*pi/3), -1 + a*exp(-I*pi/3)]",
        ),
    ),
    Exercise(
        "ch4-repressilator-instability", 4, "When the repressilator's fixed point is unstable", "condition",
        a > 2,
        wrong=(("a < 2", "reversed"), ("a > 1", "too_weak"), ("a > 3", "too_strong")),
        accepted=("-1 + a/2 > 0", "a/2 - 1 > 0", "a^3 > 8"),
    ),
    Exercise(
        "ch4-repressilator-fixed-point", 4, "The repressilator's fixed point, solved for beta", "equation",
        sp.Eq(beta, x0 * (1 + x0**n)),
        options={"solve_for": beta},
        wrong=(("beta == x0*(1 + x0^(n-1))", "wrong_exponent"), ("beta == -x0*(1 + x0^n)", "not_equivalent")),
        accepted=("x0 == beta/(1 + x0^n)", "beta - x0 - x0^(n+1) == 0", "x0*(1 + x0^n) == beta"),
    ),
    Exercise(
        "ch4-repressilator-hopf-line", 4, "The repressilator's bifurcation line beta(n)", "expression",
        n / 2 * (n / 2 - 1) ** (-(n + 1) / n),
        options={"ranges": {"n": (2.05, 6.0)}},
        wrong=(
            ("(n/2 - 1)^(-(n+1)/n)", "missing_factor"),
            ("n/2*(n/2 - 1)^((n+1)/n)", "wrong_exponent"),
            ("-n/2*(n/2 - 1)^(-(n+1)/n)", "sign"),
        ),
        accepted=("n/2/(n/2 - 1)^(1 + 1/n)", "n*(n/2 - 1)**(-(n + 1)/n)/2", "(n/2)*((n - 2)/2)^(-1 - 1/n)"),
    ),
    Exercise(
        "ch4-ring4-charpoly", 4, "Characteristic polynomial of a ring of four repressors", "polynomial",
        (1 + lamda) ** 4 - a**4,
        options={"variable": lamda},
        wrong=(
            ("(1 + lambda)^4 + a^4", "coefficients"),
            ("(1 + lambda)^3 - a^4", "degree"),
            ("(1 + lambda)^4 - 4*a^4", "coefficients"),
        ),
        accepted=(
            "lambda^4 + 4*lambda^3 + 6*lambda^2 + 4*lambda + 1 - a^4",
            "((1 + lambda)^2 - a^2)*((1 + lambda)^2 + a^2)",
            "a^4 - (1 + lambda)^4",
        ),
    ),
    Exercise(
        "ch4-ring4-eigenvalues", 4, "Eigenvalues of a ring of four repressors", "set",
        [-1 - a, -1 + a, -1 + sp.I * a, -1 - sp.I * a],
        wrong=(
            ("[-1 - a, -1 + a, -1 + I*a]", "count"),
            ("[-1 - a, -1 + a, -1 + a*I/2, -1 - a*I/2]", "elements"),
            ("[-1 - a, 1 - a, -1 + I*a, -1 - I*a]", "elements"),
        ),
        accepted=("[-1 + I*a, -1 - I*a, a - 1, -(1 + a)]", "[-1 + a, -1 + a*I, -1 - a, -1 - a*I]"),
    ),
    Exercise(
        "ch4-ring4-instability", 4, "When the symmetric state of a four-repressor ring is unstable", "condition",
        a > 1,
        wrong=(("a < 1", "reversed"), ("a > 2", "too_strong"), ("a > 1/2", "too_weak")),
        accepted=("-1 + a > 0", "a^2 > 1", "a^4 > 1"),
    ),
    # ---------------------------------------------------------------- chapter 5
    Exercise(
        "ch5-repressilator-hopf-at-n3", 5, "The repressilator's Hopf point at n = 3", "expression",
        3 * sp.cbrt(2),
        wrong=(("3*2^(4/3)", "wrong_exponent"), ("-3*2^(1/3)", "sign"), ("3/2", "constant_factor")),
        accepted=("3/2*2^(4/3)", "3/2*(1/2)^(-4/3)", "cbrt(54)"),
    ),
    Exercise(
        "ch5-toggle-pitchfork-line", 5, "The toggle switch's pitchfork line beta(n)", "expression",
        n * (n - 1) ** (-(n + 1) / n),
        options={"ranges": {"n": (1.05, 6.0)}},
        wrong=(
            ("(n - 1)^(-(n+1)/n)", "missing_factor"),
            ("n*(n - 1)^((n+1)/n)", "wrong_exponent"),
            ("n/(n - 1)", "not_equivalent"),
        ),
        accepted=("n/((n - 1)*(n - 1)^(1/n))", "n/(n-1)^(1 + 1/n)"),
    ),
    Exercise(
        "ch5-repressilator-oscillation-region", 5, "Where in the (n, beta) plane the repressilator oscillates",
        "condition",
        sp.And(n > 2, beta > n / 2 * (n / 2 - 1) ** (-(n + 1) / n)),
        options={"ranges": {"n": (1.0, 6.0), "beta": (0.5, 500.0)}},
        wrong=(
            ("n > 2", "too_weak"),
            ("n > 2 and beta < n/2*(n/2 - 1)^(-(n+1)/n)", "not_equivalent"),
            ("n > 3 and beta > n/2*(n/2 - 1)^(-(n+1)/n)", "too_strong"),
        ),
        accepted=("n > 2 and beta*(n/2 - 1)^((n+1)/n) > n/2", "[beta > n/(2*(n/2 - 1)^(1 + 1/n)), n > 2]"),
    ),
    Exercise(
        "ch5-toggle-bistable-n3", 5, "Where the toggle switch with n = 3 is bistable", "condition",
        beta > 3 * 2 ** sp.Rational(-4, 3),
        wrong=(("beta > 2", "too_strong"), ("beta < 3*2^(-4/3)", "reversed"), ("beta > 1", "too_weak")),
        accepted=("beta > 3/2^(4/3)", "beta^3 > 27/16", "2^(4/3)*beta > 3"),
    ),
    Exercise(
        "ch5-mrna-hopf-at-b1", 5, "Hopf point of the mRNA-protein repressilator at b = 1, n = 2", "expression",
        3 * sp.sqrt(2),
        wrong=(("sqrt(2)", "constant_factor"), ("-3*sqrt(2)", "sign"), ("2*sqrt(2)", "constant_factor")),
        accepted=("sqrt(18)", "6/sqrt(2)", "sqrt(2)*(1 + 2)"),
    ),
    # ---------------------------------------------------------------- chapter 6
    Exercise(
        "ch6-cubic-routh-hurwitz", 6, "Routh–Hurwitz conditions for a cubic", "condition",
        sp.And(c1 > 0, c3 > 0, c1 * c2 > c3),
        wrong=(
            ("c1 > 0 and c3 > 0", "too_weak"),
            ("c1 > 0 and c2 > 0 and c1*c2 > c3", "partial_domain"),
            ("c1 > 0 and c3 > 0 and c1*c2 > 2*c3", "too_strong"),
            ("c1 < 0 and c3 < 0 and c1*c2 < c3", "not_equivalent"),
        ),
        accepted=("c1 > 0 and c2 > 0 and c3 > 0 and c1*c2 - c3 > 0", "[c3 > 0, c1*c2 > c3, c1 > 0]"),
    ),
    Exercise(
        "ch6-repressilator-hurwitz", 6, "The repressilator's stability from Routh–Hurwitz", "condition",
        a < 2,
        wrong=(("a^3 < 9", "too_weak"), ("a > 2", "reversed"), ("a < 1", "too_strong")),
        accepted=("9 > 1 + a^3", "3*3 - (1 + a^3) > 0", "a^3 < 8"),
    ),
    Exercise(
        "ch6-repressilator-period", 6, "Period of the repressilator's oscillation at onset", "expression",
        2 * sp.pi / sp.sqrt(3),
        wrong=(("2*pi*sqrt(3)", "wrong_exponent"), ("pi/sqrt(3)", "constant_factor"), ("sqrt(3)", "constant_factor")),
        accepted=("2*pi*sqrt(3)/3", "2*pi/3^(1/2)"),
    ),
    Exercise(
        "ch6-goodwin-onset-n10", 6, "Synthesis rate at which the Goodwin oscillator with n = 10 starts to oscillate",
        "expression",
        5 * 2 ** sp.Rational(1, 5),
        wrong=(("2^(1/5)", "constant_factor"), ("5*2^(1/10)", "wrong_exponent"), ("-5*2^(1/5)", "sign")),
        accepted=("5*4^(1/10)", "10*2^(-4/5)", "2^(1/5)*(1 + 4)"),
    ),
    Exercise(
        "ch6-goodwin4-hurwitz", 6, "Stability of a four-stage Goodwin loop from Routh–Hurwitz", "condition",
        sp.Symbol("g", positive=True) < 4,
        wrong=(("g < 8", "too_weak"), ("g > 4", "reversed"), ("g < sqrt(2)", "too_strong")),
        accepted=("16*g < 64", "4 - g > 0", "64 - 16*g > 0"),
    ),
    # ---------------------------------------------------------------- chapter 7
    Exercise(
        "ch7-hill-activation-slope", 7, "Slope of the activating Hill function with threshold k", "expression",
        n * k**n * x ** (n - 1) / (x**n + k**n) ** 2,
        wrong=(
            ("n*x^(n-1)/(x^n + k^n)^2", "missing_factor"),
            ("n*k^n*x^n/(x^n + k^n)^2", "wrong_exponent"),
            ("n*k^n*x^(n-1)/(x^n + k^n)", "wrong_exponent"),
            ("-n*k^n*x^(n-1)/(x^n + k^n)^2", "sign"),
        ),
        accepted=("n*x^(n-1)/(x^n + k^n) - n*x^(2*n-1)/(x^n + k^n)^2", "n*k^n*x^n/(x*(x^n + k^n)^2)"),
    ),
    Exercise(
        "ch7-grn-jacobian", 7, "Jacobian of a two-gene network W phi(x) - gamma x", "matrix",
        sp.Matrix([[w11 * d1 - g1, w12 * d2], [w21 * d1, w22 * d2 - g2]]),
        wrong=(
            ("[[w12*d2, w11*d1 - g1], [w21*d1, w22*d2 - g2]]", "misplaced_entries"),
            ("[[w11*d1 - g1, w12*d1], [w21*d2, w22*d2 - g2]]", "entries"),
            ("[[w11*d1 - g1, w21*d1], [w12*d2, w22*d2 - g2]]", "transposed"),
            ("[[w11*d1, w12*d2], [w21*d1, w22*d2]]", "entries"),
        ),
        accepted=("[[d1*w11 - g1, d2*w12], [d1*w21, -g2 + d2*w22]]",),
    ),
    Exercise(
        "ch7-rotational-part", 7, "The rotational (antisymmetric) part of a 2x2 Jacobian", "matrix",
        sp.Matrix([[0, (j12 - j21) / 2], [(j21 - j12) / 2, 0]]),
        options={"symbols": (j11, j22)},
        wrong=(
            ("[[0, (j21 - j12)/2], [(j12 - j21)/2, 0]]", "sign"),
            ("[[0, j12 - j21], [j21 - j12, 0]]", "entries"),
            ("[[j11, (j12 + j21)/2], [(j12 + j21)/2, j22]]", "entries"),
        ),
        accepted=("[[0, j12/2 - j21/2], [-(j12 - j21)/2, 0]]",),
    ),
    Exercise(
        "ch7-pair-saddle", 7, "When a mutually regulating pair without self-regulation has an unstable direction",
        "condition",
        w12 * w21 * d1 * d2 > g1 * g2,
        wrong=(
            ("w12*w21*d1*d2 < g1*g2", "reversed"),
            ("w12*w21 > 0", "too_weak"),
            ("w12*w21 > g1*g2", "not_equivalent"),
        ),
        accepted=("g1*g2 - w12*w21*d1*d2 < 0", "d1*d2*w12*w21/(g1*g2) > 1"),
    ),
    Exercise(
        "ch7-pair-rotation", 7, "When the flow of a 2x2 Jacobian rotates (complex eigenvalues)", "condition",
        (j11 - j22) ** 2 + 4 * j12 * j21 < 0,
        wrong=(
            ("(j12 - j21)^2 > 0", "too_weak"),
            ("j12*j21 < 0", "too_weak"),
            ("(j11 - j22)^2 - 4*j12*j21 < 0", "not_equivalent"),
            ("(j11 - j22)^2 + 4*j12*j21 > 0", "reversed"),
        ),
        accepted=("(j11 + j22)^2 - 4*(j11*j22 - j12*j21) < 0", "(j11 - j22)^2 < -4*j12*j21"),
    ),
]


# ---------------------------------------------------------------- chapter 8 (bistability and hysteresis)
_EXERCISES += [
    Exercise(
        "ch8-hill-inflection", 8, "Where the activating Hill function has its inflection point", "expression",
        ((n - 1) / (n + 1)) ** (1 / n),
        options={"ranges": {"n": (1.05, 6.0)}},
        wrong=(
            ("((n+1)/(n-1))^(1/n)", "reciprocal"),
            ("(n-1)/(n+1)", "not_equivalent"),
        ),
        accepted=("(1 - 2/(n+1))^(1/n)", "(n-1)^(1/n)/(n+1)^(1/n)"),
    ),
    Exercise(
        "ch8-fold-alpha", 8, "Basal expression on the fold curve, in terms of the fold position", "expression",
        x * (n - 1 - x**n) / n,
        options={"ranges": {"n": (1.05, 6.0)}},
        wrong=(
            ("x*(n-1-x^n)", "missing_factor"),
            ("-x*(n-1-x^n)/n", "sign"),
            ("x*(n+1-x^n)/n", "not_equivalent"),
        ),
        accepted=("x - x*(1+x^n)/n", "x*(1 - (1 + x^n)/n)", "(n*x - x - x^(n+1))/n"),
    ),
    Exercise(
        "ch8-cusp-beta-n2", 8, "The activation strength at the cusp for n = 2", "expression",
        8 * sp.sqrt(3) / 9,
        wrong=(
            ("4*sqrt(3)/9", "constant_factor"),
            ("-8*sqrt(3)/9", "sign"),
        ),
        accepted=("8/(3*sqrt(3))", "(4/3)^2/(2/sqrt(3))", "sqrt(64/27)"),
    ),
    Exercise(
        "ch8-irreversible-switch", 8, "When a pulse of basal expression switches autoactivation on for good",
        "condition",
        beta > 4 * sp.Integer(3) ** sp.Rational(-3, 4),
        wrong=(
            ("beta < 4*3^(-3/4)", "reversed"),
            ("beta > 2", "too_strong"),
            ("beta > 4/3", "too_weak"),
        ),
        accepted=("beta > 4/3^(3/4)", "beta^4 > 256/27", "27*beta^4 - 256 > 0"),
    ),
]


# ---------------------------------------------------------------- chapter 9 (limit cycles and excitability)
b_, eps_ = sp.symbols("b eps", positive=True)      # Brusselator/Sel'kov b; FitzHugh–Nagumo b and eps
v_real = sp.Symbol("v", real=True)                 # a membrane potential may be negative
SYMBOLS.update({"b": b_, "eps": eps_})
_EXERCISES += [
    Exercise(
        "ch9-fhn-trace", 9, "Trace of the FitzHugh–Nagumo Jacobian", "expression",
        1 - v_real**2 - b_ * eps_,
        wrong=(
            ("1 - v^2", "missing_term"),
            ("1 - v^2 + b*eps", "sign"),
            ("1 - v^2 - eps", "missing_factor"),
        ),
        accepted=("(1 - v)*(1 + v) - eps*b", "-(v^2 - 1 + b*eps)"),
    ),
    Exercise(
        "ch9-brusselator-onset-period", 9, "Period of the Brusselator's oscillation at onset", "expression",
        2 * sp.pi / a,
        wrong=(
            ("pi/a", "constant_factor"),
            ("2*pi/a^2", "wrong_exponent"),
            ("2*pi*a", "missing_factor"),
        ),
        accepted=("2*pi*a^(-1)", "2*pi/sqrt(a^2)", "(2/a)*pi"),
    ),
    Exercise(
        "ch9-selkov-instability", 9, "When the Sel'kov fixed point is unstable", "condition",
        b_**4 + (2 * a - 1) * b_**2 + a + a**2 < 0,
        options={"ranges": {"a": (0.01, 0.2), "b": (0.05, 1.5)}},
        wrong=(
            ("b^2 < 1 - 2*a", "too_weak"),
            ("b^4 + (2*a - 1)*b^2 + a + a^2 > 0", "reversed"),
            ("b^4 + (2*a + 1)*b^2 + a + a^2 < 0", "too_strong"),
        ),
        accepted=("b^4 - b^2 + 2*a*b^2 + a*(1 + a) < 0", "(b^4 + (2*a - 1)*b^2 + a + a^2)/(a + b^2) < 0"),
    ),
    Exercise(
        "ch9-fhn-hopf-current", 9, "The current at which the FitzHugh–Nagumo rest state starts to oscillate",
        "expression",
        (a - sp.sqrt(1 - b_ * eps_)) / b_ + sp.sqrt(1 - b_ * eps_) - (1 - b_ * eps_) ** sp.Rational(3, 2) / 3,
        options={"ranges": {"b": (0.2, 1.5), "eps": (0.01, 0.5)}},
        wrong=(
            ("(a - sqrt(1-b*eps))/b + sqrt(1-b*eps) + (1-b*eps)^(3/2)/3", "sign"),
            ("(a + sqrt(1-b*eps))/b - sqrt(1-b*eps) + (1-b*eps)^(3/2)/3", "not_equivalent"),
        ),
        accepted=("a/b - sqrt(1 - b*eps)*(1/b - 1 + (1 - b*eps)/3)",),
    ),
]


# ---------------------------------------------------------------- chapter 10 (negative autoregulation)
k1, k2 = sp.symbols("k1 k2", positive=True)         # strengths of the two links of a feedback loop
SYMBOLS.update({"k1": k1, "k2": k2})
_EXERCISES += [
    Exercise(
        "ch10-nar-relaxation-rate", 10, "How fast negative autoregulation returns to its steady state",
        "expression",
        1 + n * x0**n / (1 + x0**n),
        wrong=(
            ("n*x0^n/(1+x0^n)", "missing_term"),
            ("1 - n*x0^n/(1+x0^n)", "sign"),
            ("1 + n*x0^(n-1)/(1+x0^n)", "wrong_exponent"),
        ),
        accepted=("1 + n - n/(1+x0^n)", "(1 + (n + 1)*x0^n)/(1 + x0^n)"),
    ),
    Exercise(
        "ch10-damped-oscillation", 10, "When a two-variable negative feedback loop rings", "condition",
        (g1 - g2) ** 2 < 4 * k1 * k2,
        wrong=(
            ("(g1 + g2)^2 < 4*k1*k2", "too_strong"),
            ("(g1 - g2)^2 > 4*k1*k2", "reversed"),
        ),
        accepted=("(g1 + g2)^2 < 4*(g1*g2 + k1*k2)", "g1^2 + g2^2 < 2*g1*g2 + 4*k1*k2"),
    ),
    Exercise(
        "ch10-goodwin-min-hill", 10, "The Hill coefficients that let the three-stage Goodwin loop oscillate",
        "condition",
        n > 8,
        options={"ranges": {"n": (1.0, 20.0)}},
        wrong=(
            ("n > 2", "too_weak"),
            ("n > 9", "too_strong"),
            ("n < 8", "reversed"),
        ),
        accepted=("n^2 > 64", "n - 8 > 0", "8 < n"),
    ),
    Exercise(
        "ch10-goodwin4-instability", 10, "When a four-stage negative feedback loop is unstable", "condition",
        b_ > 4,
        wrong=(
            ("b > 8", "too_strong"),
            ("b > 2", "too_weak"),
            ("b < 4", "reversed"),
        ),
        accepted=("b^(1/4) > sqrt(2)", "b^2 > 16", "b^(1/4)*cos(pi/4) > 1"),
    ),
]

# ---------------------------------------------------------------- chapter 13 (noise near a stable state)
k_p, g_m, g_p = sp.symbols("k_p g_m g_p", positive=True)   # translation rate, mRNA and protein decay rates
SYMBOLS.update({"k_p": k_p, "g_m": g_m, "g_p": g_p})
_EXERCISES += [
    Exercise(
        "ch13-birth-death-variance", 13, "The copy-number variance of a gene made at rate β and degraded at rate γ",
        "expression",
        beta / gamma,
        wrong=(
            ("beta/(2*gamma)", "constant_factor"),
            ("gamma/beta", "reciprocal"),
        ),
        accepted=("(beta + gamma*(beta/gamma))/(2*gamma)",),
    ),
    Exercise(
        "ch13-two-stage-fano", 13, "The Fano factor of a protein translated from a fluctuating mRNA", "expression",
        1 + k_p / (g_m + g_p),
        wrong=(
            ("1 + k_p/g_m", "missing_dependence"),
            ("k_p/(g_m + g_p)", "missing_term"),
        ),
        accepted=("1 + (k_p/g_m)/(1 + g_p/g_m)", "(g_m + g_p + k_p)/(g_m + g_p)"),
    ),
    Exercise(
        "ch13-nar-fano", 13, "The Fano factor of a negatively autoregulated gene", "expression",
        (1 + x0**n) / (1 + (n + 1) * x0**n),
        wrong=(
            ("1 + n*x0^n/(1+x0^n)", "reciprocal"),
            ("1/(1 + n*x0^(n-1)/(1+x0^n))", "wrong_exponent"),
        ),
        accepted=("1/(1 + n*x0^n/(1+x0^n))", "1 - n*x0^n/(1 + (n+1)*x0^n)"),
    ),
    Exercise(
        "ch13-quasi-cycle-frequency", 13, "The frequency of the Brusselator's noise-driven quasi-cycles at its Hopf point",
        "expression",
        a,
        wrong=(
            ("a^2", "wrong_exponent"),
            ("2*pi*a", "constant_factor"),
        ),
        accepted=("sqrt(a^2)",),
    ),
]

# ---------------------------------------------------------------- chapter 11 (delay oscillators)
r_ = sp.Symbol("r", positive=True)                 # growth rate of the delayed logistic equation
SYMBOLS.update({"r": r_})
_ONSET = {"ranges": {"a": (1.5, 5.0), "gamma": (0.1, 1.0)}}  # a > gamma: where the crossing exists
_EXERCISES += [
    Exercise(
        "ch11-hayes-critical-delay", 11, "The critical delay of dx/dt = -a x(t - tau)", "expression",
        sp.pi / (2 * a),
        wrong=(
            ("pi/a", "constant_factor"),
            ("pi/(2*a^2)", "wrong_exponent"),
            ("a*pi/2", "missing_factor"),
        ),
        accepted=("pi/2/a", "asin(1)/a"),
    ),
    Exercise(
        "ch11-onset-frequency", 11, "The frequency at which a delayed autorepressor starts to oscillate",
        "expression",
        sp.sqrt(a**2 - gamma**2),
        options=_ONSET,
        wrong=(
            ("sqrt(gamma^2 - a^2)", "swapped_symbols"),
            ("sqrt(a^2 + gamma^2)", "not_equivalent"),
            ("a - gamma", "not_equivalent"),
        ),
        accepted=("sqrt((a - gamma)*(a + gamma))", "a*sqrt(1 - gamma^2/a^2)"),
    ),
    Exercise(
        "ch11-critical-delay", 11, "The delay at which a delayed autorepressor starts to oscillate", "expression",
        sp.acos(-gamma / a) / sp.sqrt(a**2 - gamma**2),
        options=_ONSET,
        wrong=(
            ("acos(-gamma/a)*sqrt(a^2 - gamma^2)", "wrong_exponent"),
            ("acos(gamma/a)/sqrt(a^2 - gamma^2)", "not_equivalent"),
        ),
        accepted=("(pi - acos(gamma/a))/sqrt(a^2 - gamma^2)",),
    ),
    Exercise(
        "ch11-oscillation-condition", 11, "When some delay makes a delayed autorepressor oscillate", "condition",
        a > gamma,
        wrong=(
            ("a > 2*gamma", "too_strong"),
            ("a < gamma", "reversed"),
            ("a > gamma/2", "too_weak"),
        ),
        accepted=("a - gamma > 0", "a^2 > gamma^2", "gamma/a < 1"),
    ),
    Exercise(
        "ch11-hutchinson-stability", 11, "When the delayed logistic equation returns to its carrying capacity",
        "condition",
        r_ * tau < sp.pi / 2,
        options={"ranges": {"r": (0.1, 3.0), "tau": (0.01, 5.0)}},
        wrong=(
            ("r*tau < pi", "too_weak"),
            ("r*tau > pi/2", "reversed"),
            ("r*tau < 1", "too_strong"),
        ),
        accepted=("tau < pi/(2*r)", "2*r*tau < pi"),
    ),
]

# ---------------------------------------------------------------- chapter 12 (Turing patterns)
detJ = sp.Symbol("detJ", positive=True)          # det J at the homogeneous state (stable: > 0)
d_ratio = sp.Symbol("d", positive=True)          # the diffusion ratio d_v/d_u
SYMBOLS.update({"detJ": detJ, "d": d_ratio})
_EXERCISES += [
    Exercise(
        "ch12-critical-wavenumber", 12, "The critical wavenumber of a Turing instability", "expression",
        sp.sqrt(detJ / (d1 * d2)),
        wrong=(("detJ/(d1*d2)", "not_equivalent"), ("sqrt(detJ/d1)", "missing_dependence")),
        accepted=("(detJ/(d1*d2))^(1/2)", "sqrt(detJ)/sqrt(d1*d2)"),
    ),
    Exercise(
        "ch12-fastest-mode", 12, "Where det(J - k^2 D) is smallest", "expression",
        (d2 * j11 + d1 * j22) / (2 * d1 * d2),
        wrong=(("(d1*j11 + d2*j22)/(2*d1*d2)", "swapped_symbols"), ("(d2*j11 + d1*j22)/(d1*d2)", "constant_factor")),
        accepted=("j11/(2*d1) + j22/(2*d2)",),
    ),
    Exercise(
        "ch12-critical-ratio", 12, "How much faster the inhibitor must diffuse", "condition",
        d_ratio > sp.Rational(9, 2),
        options={"ranges": {"d": (0.01, 50.0)}},
        wrong=(("d > 3/2", "too_weak"), ("d < 9/2", "reversed"), ("d > 9", "too_strong")),
        accepted=("2*d > 9", "d^2 > 81/4"),
    ),
    Exercise(
        "ch12-pattern-wavelength", 12, "The wavelength of the first pattern", "expression",
        2 * sp.pi * sp.sqrt(3),
        wrong=(("2*pi/3", "constant_factor"), ("2*pi/sqrt(3)", "wrong_exponent")),
        accepted=("sqrt(12)*pi",),
    ),
    Exercise(
        "ch12-gierer-meinhardt-ratio", 12, "The critical diffusion ratio of the Gierer–Meinhardt model", "expression",
        (1 + sp.sqrt(2)) ** 2 / b_,
        wrong=(("(1+sqrt(2))/b", "constant_factor"), ("(1+sqrt(2))^2/b^2", "wrong_exponent")),
        accepted=("(3 + 2*sqrt(2))/b",),
    ),
]

#: All exercises, by key.
EXERCISES: dict[str, Exercise] = {ex.key: ex for ex in _EXERCISES}


def exercise(key: str) -> Exercise:
    """The exercise called ``key``.

    Examples
    --------
    >>> exercise("ch1-bistability-condition").kind
    'condition'
    """
    try:
        return EXERCISES[key]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(key, list(EXERCISES), n=3)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        msg = f"`key` must name an exercise, got {key!r}{hint} (known: {len(EXERCISES)} exercises, see EXERCISES)."
        raise KeyError(msg) from None


def by_chapter(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in book order.

    Examples
    --------
    >>> [ex.key for ex in by_chapter(3)][:2]
    ['ch3-eigenvalues-trace-det', 'ch3-toggle-jacobian']
    """
    return [ex for ex in _EXERCISES if ex.chapter == chapter]
