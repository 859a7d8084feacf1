"""The :class:`Model`: a system of ODEs ``dx/dt = f(x; p)`` held as SymPy expressions.

A model comes from a TOML file, a built-in name (``data/models/*.toml``), or a dict of strings or
SymPy expressions. Loading parses every expression with :func:`linstab._parse.parse_expr`, which
never executes code from the file.

TOML layout::

    name = "repressilator"
    title = "Protein-only repressilator (dimensionless)"   # optional
    [variables]              # optional; domain = "real" (default) | "nonnegative" | "positive"
    x1 = { domain = "nonnegative", initial = 1.0 }   # initial: for simulate without x0 (all or none)
    [parameters]             # a number, or a table with value and domain
    beta = { value = 10.0, domain = "positive" }
    n = 3.0
    [equations]              # d(name)/dt = expression; the keys are the state variables, in order
    x1 = "beta/(1 + x3**n) - x1"
    [diffusion]              # optional: a diffusion coefficient per species (see linstab._diffusion)
    x1 = 1.0

Instead of ``[equations]``, a ``[reactions]`` table may define a reaction network, whose rate
equations ``dx/dt = S a(x)`` become the right-hand side (see :mod:`linstab._reactions`).
"""

from __future__ import annotations

import difflib
import keyword
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy as sp

from linstab._errors import ModelError, ParameterError
from linstab._parse import CONSTANTS, FUNCTIONS, Delay, normalize_name, parse_expr
from linstab._reactions import Reaction, parse_reactions, reaction_rhs

if TYPE_CHECKING:
    from linstab.num import Kernel

__all__ = ["Model", "Reaction", "load_model", "builtin_models", "DOMAINS"]

#: Domains a variable or parameter may be declared in, with the SymPy assumptions they carry.
DOMAINS: Mapping[str, Mapping[str, bool]] = {
    "real": {"real": True},
    "nonnegative": {"nonnegative": True},
    "positive": {"positive": True},
}

_BUILTIN_DIR = Path(__file__).parent / "data" / "models"
_MAX_FILE_BYTES = 1_000_000
_MAX_VARIABLES = 500
_TOP_KEYS = {"name", "title", "description", "reference", "variables", "parameters", "equations", "reactions", "diffusion"}


def builtin_models() -> list[str]:
    """Names of the built-in models, loadable with :func:`load_model`.

    Examples
    --------
    >>> "repressilator" in builtin_models()
    True
    """
    return sorted(p.stem for p in _BUILTIN_DIR.glob("*.toml"))


@dataclass(frozen=True, kw_only=True)
class Model:
    """A system ``dx/dt = f(x; p)`` with named state variables and parameters.

    Build one with :func:`load_model` (or :meth:`from_file`, :meth:`from_builtin`,
    :meth:`from_dict`) rather than directly.

    Attributes
    ----------
    name
        Short identifier.
    variables
        State variables, in the order of the equations.
    parameters
        Parameters, in file order.
    rhs
        Right-hand sides ``f_i``, one per variable.
    values
        ``(name, value)`` pairs of the parameters' numeric values (``None`` where none is set).
    domains
        ``(name, domain)`` pairs for variables and parameters (see :data:`DOMAINS`).
    title
        Human-readable title.
    source
        Where the model came from (a path, ``builtin:NAME`` or ``dict``).
    initial
        ``(variable, value)`` pairs of the initial state (from SBML; empty if the model has none);
        :func:`linstab.simulate` starts there when no ``x0`` is given.
    observables
        ``(name, expression)`` pairs of quantities defined by the model as expressions of the
        variables and parameters (SBML assignment rules; a species whose amount is the state).
    species
        ``(name, amount, concentration)`` triples of SBML species, as expressions.
    reactions
        The reactions of a model given by a ``[reactions]`` table (empty otherwise); ``rhs`` is
        then ``S a(x)``.
    diffusion
        ``(variable, coefficient)`` pairs of a reaction–diffusion model (the ``[diffusion]`` table,
        one per variable, 0 where the table has none); empty for an ODE model.

    Examples
    --------
    >>> m = load_model("repressilator")
    >>> m.variable_names, m.parameter_values
    (('x1', 'x2', 'x3'), {'beta': 10.0, 'n': 3.0})
    >>> m.jacobian()[0, 2]
    -beta*n*x3**(n - 1)/(x3**n + 1)**2
    """

    name: str
    variables: tuple[sp.Symbol, ...]
    parameters: tuple[sp.Symbol, ...]
    rhs: tuple[sp.Expr, ...]
    values: tuple[tuple[str, float | None], ...]
    domains: tuple[tuple[str, str], ...]
    title: str = ""
    source: str = "dict"
    reference: str = ""
    initial: tuple[tuple[str, float | None], ...] = ()
    observables: tuple[tuple[str, sp.Expr], ...] = ()
    species: tuple[tuple[str, sp.Expr, sp.Expr], ...] = ()
    reactions: tuple[Reaction, ...] = ()
    diffusion: tuple[tuple[str, sp.Expr], ...] = ()
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_file(cls, path: str | Path) -> Model:
        """Load a model from a TOML file (see the module docstring for the layout)."""
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"model file {str(path)!r} does not exist (or is not a file)")
        size = path.stat().st_size
        if size > _MAX_FILE_BYTES:
            raise ModelError(f"{path}: the model file is {size:,} bytes; the limit is {_MAX_FILE_BYTES:,} bytes")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ModelError(f"{path}: TOML syntax error: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ModelError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
        except RecursionError:
            raise ModelError(f"{path}: the TOML is nested too deeply to read (arrays or tables within "
                             "each other hundreds of levels deep)") from None
        except (ValueError, MemoryError) as exc:  # e.g. an integer of more than 4300 digits
            raise ModelError(f"{path}: TOML value error: {exc}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_builtin(cls, name: str) -> Model:
        """Load a built-in model by name (see :func:`builtin_models`)."""
        path = _BUILTIN_DIR / f"{name}.toml"
        if not path.is_file():
            names = builtin_models()
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise ModelError(
                f"no built-in model named {name!r}{hint} Built-in models: {', '.join(names)}. "
                "To load a file, pass its path (ending in .toml)."
            )
        model = cls.from_file(path)
        return replace(model, source=f"builtin:{name}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "dict") -> Model:
        """Build a model from a mapping laid out like the TOML file.

        Equations and parameter values may be strings or SymPy expressions.

        Examples
        --------
        >>> m = Model.from_dict({"name": "decay", "parameters": {"k": 2.0},
        ...                      "equations": {"x": "-k*x"}})
        >>> m.jacobian()
        Matrix([[-k]])
        """
        return _build(data, source)

    # ----------------------------------------------------------------- views
    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the state variables, in order."""
        return tuple(v.name for v in self.variables)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in order."""
        return tuple(p.name for p in self.parameters)

    @property
    def parameter_values(self) -> dict[str, float | None]:
        """Numeric parameter values (``None`` where the model sets none)."""
        return dict(self.values)

    @property
    def domain(self) -> dict[str, str]:
        """Declared domain of every variable and parameter."""
        return dict(self.domains)

    @property
    def n_vars(self) -> int:
        """Number of state variables."""
        return len(self.variables)

    @cached_property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every variable and parameter symbol, by name."""
        return {s.name: s for s in (*self.variables, *self.parameters)}

    def symbol(self, name: str) -> sp.Symbol:
        """The variable or parameter called ``name``, with a close-match hint if unknown."""
        try:
            return self.symbols[name]
        except KeyError:
            raise ParameterError(_unknown(name, self.symbols, f"model {self.name!r}")) from None

    def parameter(self, name: str) -> sp.Symbol:
        """The parameter called ``name`` (an error names the parameters if it is not one)."""
        for p in self.parameters:
            if p.name == name:
                return p
        what = "a state variable, not a parameter" if name in self.variable_names else None
        if what:
            raise ParameterError(f"{name!r} is {what} of model {self.name!r}; parameters: "
                                 f"{', '.join(self.parameter_names) or 'none'}")
        raise ParameterError(_unknown(name, dict.fromkeys(self.parameter_names), f"model {self.name!r}",
                                      kind="parameter"))

    @property
    def f(self) -> sp.Matrix:
        """The right-hand side as a column matrix."""
        return sp.Matrix(self.rhs)

    def jacobian(self) -> sp.Matrix:
        """Symbolic Jacobian ``∂f_i/∂x_j``.

        Examples
        --------
        >>> load_model("toggle_switch").jacobian().shape
        (2, 2)
        """
        if "jacobian" not in self._cache:
            # powsimp writes d(x**n)/dx as n*x**(n - 1), as textbooks do, rather than n*x**n/x,
            # which would evaluate to nan at x = 0.
            # Only the variables an equation names can have a nonzero derivative: a large reaction
            # network's Jacobian is sparse, and differentiating (and powsimp-ing) its zeros dominated.
            index = {v: j for j, v in enumerate(self.variables)}
            J = sp.zeros(self.n_vars, self.n_vars)
            for i, f in enumerate(self.rhs):
                for v in f.free_symbols & index.keys():
                    J[i, index[v]] = sp.powsimp(sp.diff(f, v))
            self._cache["jacobian"] = J
        return self._cache["jacobian"]

    @property
    def delays(self) -> tuple[tuple[str, str], ...]:
        """``(variable, delay parameter)`` of every ``delay(x, tau)`` in the equations, in order of
        first use (empty for an ODE model).

        Examples
        --------
        >>> m = Model.from_dict({"parameters": {"tau": 1.0, "a": 1.0}, "equations": {"x": "-a*delay(x, tau)"}})
        >>> m.delays
        (('x', 'tau'),)
        """
        if "delays" not in self._cache:
            found: dict[tuple[str, str], None] = {}
            for e in self.rhs:
                for d in sorted(e.atoms(Delay), key=sp.default_sort_key):
                    found[(d.args[0].name, d.args[1].name)] = None
            self._cache["delays"] = tuple(found)
        return self._cache["delays"]

    # ----------------------------------------------------------------- values
    def with_values(self, values: Mapping[str, float] | None = None, /, **kwargs: float) -> Model:
        """A copy with new numeric parameter values.

        Examples
        --------
        >>> load_model("repressilator").with_values(beta=2.0).parameter_values["beta"]
        2.0
        """
        new = {**(values or {}), **kwargs}
        current = dict(self.values)
        for name, value in new.items():
            self.parameter(name)  # raises with a hint if unknown
            where = f"model {self.name!r}: value of parameter {name!r}"
            current[name] = _as_float(value, where)
            domain = self.domain[name]
            if (domain == "positive" and current[name] <= 0) or (domain == "nonnegative" and current[name] < 0):
                raise ParameterError(f"{where} must be {domain} (its declared domain), got {current[name]}")
            if current[name] < 0 and any(tau == name for _, tau in self.delays):
                raise ParameterError(f"{where} is a delay and must be >= 0, got {current[name]}")
        return replace(self, values=tuple(current.items()))

    def numeric_values(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every parameter's numeric value (after ``overrides``); error if one is unset."""
        model = self.with_values(overrides) if overrides else self
        missing = [k for k, v in model.values if v is None]
        if missing:
            raise ParameterError(
                f"model {self.name!r}: no value for parameter(s) {', '.join(missing)}; "
                f"set them, e.g. values={{'{missing[0]}': 1.0}} or model.with_values({missing[0]}=1.0)"
            )
        return {k: float(v) for k, v in model.values}

    def substituted(self, overrides: Mapping[str, float] | None = None) -> sp.Matrix:
        """The right-hand side with every parameter replaced by its numeric value."""
        vals = self.numeric_values(overrides)
        return self.f.subs({self.symbols[k]: sp.Float(v) for k, v in vals.items()})

    def parameter_vector(self, overrides: Mapping[str, float] | None = None) -> list[float]:
        """Parameter values in the order of :attr:`parameters` (for the compiled kernels)."""
        vals = self.numeric_values(overrides)
        return [vals[p.name] for p in self.parameters]

    # ----------------------------------------------------------------- numerics
    def kernel(self, what: str = "rhs", *, backend: str = "numpy") -> Kernel:
        """Compiled numeric kernel of the right-hand side, the Jacobian or the reactions' propensities.

        The kernel is called as ``kernel(x, p)`` with ``x[..., n_vars]`` and
        ``p[..., n_params]``; leading dimensions broadcast (see :func:`linstab.num.compile_kernel`).

        Examples
        --------
        >>> m = load_model("repressilator")
        >>> J = m.kernel("jacobian")
        >>> J([1.0, 1.0, 1.0], m.parameter_vector()).shape
        (3, 3)
        """
        key = ("kernel", what, backend)
        if key not in self._cache:
            from linstab.num import compile_kernel

            exprs = {"rhs": list(self.rhs), "jacobian": self.jacobian(),
                     "propensities": [r.propensity for r in self.reactions]}
            if what not in exprs:
                raise ValueError(f"kernel: `what` must be 'rhs', 'jacobian' or 'propensities', got {what!r}")
            if what == "propensities" and not self.reactions:
                raise ValueError(f"kernel: model {self.name!r} has no reactions, hence no propensities")
            self._cache[key] = compile_kernel(exprs[what], [self.variables, self.parameters], backend=backend)
        return self._cache[key]

    # ----------------------------------------------------------------- export
    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (strings and numbers) that :meth:`from_dict` reads back."""
        dom = self.domain
        start = dict(self.initial) if all(v is not None for _, v in self.initial) else {}
        return {
            "name": self.name,
            "title": self.title,
            "variables": {v: {"domain": dom[v], **({"initial": start[v]} if start.get(v) is not None else {})}
                          for v in self.variable_names},
            "parameters": {k: {"value": v, "domain": dom[k]} if v is not None else {"domain": dom[k]}
                           for k, v in self.values},
            **({"reactions": {r.name: {"reactants": dict(r.reactants), "products": dict(r.products),
                                       "propensity": str(r.propensity)} for r in self.reactions}}
               if self.reactions else
               {"equations": {v.name: str(e) for v, e in zip(self.variables, self.rhs)}}),
            **({"diffusion": {v: str(e) for v, e in self.diffusion}} if self.diffusion else {}),
        }

    def __repr__(self) -> str:
        eqs = "; ".join(f"d{v}/dt = {e}" for v, e in zip(self.variables, self.rhs))
        return f"Model({self.name!r}: {eqs})"


# --------------------------------------------------------------------- loading
def load_model(model: Model | str | Path | Mapping[str, Any]) -> Model:
    """A :class:`Model` from a model, a built-in name, a TOML path or a mapping.

    Parameters
    ----------
    model
        A :class:`Model` (returned as is), the name of a built-in model (see
        :func:`builtin_models`), a path to a ``.toml`` model file, a path to an SBML file
        (``.xml``/``.sbml``, read by :func:`linstab.sbml.read_sbml`, extra ``linstab[sbml]``), or a
        mapping laid out like a TOML file.

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        If the file or mapping is malformed; the message names the file, the key and the problem.

    Examples
    --------
    >>> load_model("toggle_switch").variable_names
    ('u', 'v')
    """
    if isinstance(model, Model):
        return model
    if isinstance(model, Mapping):
        return Model.from_dict(model)
    if isinstance(model, (str, Path)) and Path(model).suffix.lower() in (".xml", ".sbml"):
        from linstab.sbml import read_sbml

        return read_sbml(model)
    if isinstance(model, Path) or (isinstance(model, str) and (
            model.endswith(".toml") or "/" in model or "\\" in model or Path(model).is_file())):
        return Model.from_file(model)
    if isinstance(model, str):
        return Model.from_builtin(model)
    raise TypeError(
        f"load_model: expected a Model, a built-in name, a path to a .toml file or a mapping, "
        f"got {type(model).__name__}"
    )


def _unknown(name: str, known: Mapping[str, Any], where: str, *, kind: str = "symbol") -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "."
    return f"{where}: unknown {kind} {name!r}{hint} Known: {', '.join(known) or 'none'}"


def _as_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, sp.Number)):
        if isinstance(value, sp.Basic) and value.is_number:
            value = complex(value)
            if value.imag == 0:
                return float(value.real)
        raise ParameterError(f"{where} must be a number, got {value!r} ({type(value).__name__})")
    try:
        out = float(value)
    except OverflowError:
        raise ParameterError(f"{where} must be finite, got a number too large for double precision") from None
    if not math.isfinite(out):
        raise ParameterError(f"{where} must be finite, got {out}")
    return out


def _check_name(name: Any, where: str) -> str:
    """The name, NFKC-normalized as Python's parser reads it, checked only after normalizing."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ModelError(f"{where}: {name!r} is not a valid name (letters, digits and _, not starting with a digit)")
    written, name = name, normalize_name(name)
    if name != written and not name.isidentifier():
        raise ModelError(f"{where}: {written!r} is not a valid name once Unicode is normalized (it reads as {name!r})")
    if name != written and (name in FUNCTIONS or name in CONSTANTS):
        raise ModelError(f"{where}: {written!r} reads as {name!r} (Unicode NFKC normalization, as Python's parser "
                         "applies it), the name of a built-in function or constant; rename it")
    if name.startswith("_"):
        raise ModelError(f"{where}: name {name!r} may not start with an underscore")
    if keyword.iskeyword(name):
        raise ModelError(f"{where}: {name!r} is a reserved word; rename it (e.g. {name}_)")
    if name in FUNCTIONS or name in CONSTANTS:
        raise ModelError(f"{where}: {name!r} is the name of a built-in function or constant; rename it")
    return name


def _normalized(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``table`` with its keys NFKC-normalized and checked; two keys that normalize alike are an error."""
    out: dict[str, Any] = {}
    written: dict[str, str] = {}
    for key, value in table.items():
        name = _check_name(key, where)
        if name in out:
            raise ModelError(f"{where}: {written[name]!r} and {key!r} are the same name {name!r} once Unicode is "
                             "normalized (NFKC, as Python's parser reads names); rename one")
        out[name], written[name] = value, key
    return out


def _check_real_finite(expr: sp.Expr, where: str) -> None:
    """A right-hand side must be real and finite: no ``I``, ``oo``, ``zoo`` or ``nan``, no number
    beyond double precision (which the numeric layer could not represent)."""
    for bad, what in ((sp.I, "the imaginary unit I"), (sp.zoo, "complex infinity (a division by zero)"),
                      (sp.nan, "an undefined value (nan)"), (sp.oo, "infinity (oo)"),
                      (-sp.oo, "infinity (-oo)")):
        if expr.has(bad):
            raise ModelError(f"{where}: the equation contains {what}; the right-hand side of a model must be "
                             "real and finite")
    for num in expr.atoms(sp.Number):
        try:
            value = float(num)
        except (OverflowError, TypeError, ValueError):
            value = math.inf
        if not math.isfinite(value) or (value == 0 and num != 0):
            raise ModelError(f"{where}: the number {sp.sstr(num)[:40]}... is outside the double-precision range "
                             "(about 1e-308 to 1e308) that the numeric analysis uses")


def _domain_of(spec: Any, where: str, *, default: str = "real") -> str:
    if spec is None:
        return default
    if not isinstance(spec, str) or spec not in DOMAINS:
        raise ModelError(f"{where}: unknown domain {spec!r}; expected one of {', '.join(DOMAINS)}")
    return spec


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ModelError(f"{where}: [{key}] must be a table, got {type(value).__name__}")
    return value


def _build(data: Mapping[str, Any], source: str) -> Model:
    where = source
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: expected a mapping, got {type(data).__name__}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ModelError(f"{where}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}; "
                         f"expected some of {', '.join(sorted(_TOP_KEYS))}")
    name = data.get("name", Path(source).stem if source not in ("dict",) else "model")
    if not isinstance(name, str) or not name:
        raise ModelError(f"{where}: `name` must be a non-empty string, got {name!r}")
    reaction_table = data.get("reactions")
    if reaction_table is not None:
        if "equations" in data:
            raise ModelError(f"{where}: both [equations] and [reactions]; give one (the reactions define the "
                             "equations dx/dt = S a(x))")
        equations = dict.fromkeys(_table(data, "variables", where))
        if not equations:
            raise ModelError(f"{where}: [reactions] needs a [variables] table naming the species, e.g. x = {{}}")
    else:
        equations = _table(data, "equations", where)
    if not equations:
        raise ModelError(f"{where}: no equations; add an [equations] table with one `x = \"...\"` per state variable")
    var_specs = _table(data, "variables", where)
    par_specs = _table(data, "parameters", where)
    equations = _normalized(equations, f"{where}: [equations]")
    var_specs = _normalized(var_specs, f"{where}: [variables]")
    par_specs = _normalized(par_specs, f"{where}: [parameters]")
    if len(equations) > _MAX_VARIABLES:
        raise ModelError(f"{where}: {len(equations)} equations; the limit is {_MAX_VARIABLES} state variables")

    domains: dict[str, str] = {}
    initial: dict[str, float] = {}
    for vname in equations:
        _check_name(vname, f"{where}: [equations]")
    for vname, spec in var_specs.items():
        _check_name(vname, f"{where}: [variables]")
        if vname not in equations:
            raise ModelError(f"{where}: [variables] {vname}: declared but has no equation in [equations]")
        default = "real" if reaction_table is None else "nonnegative"
        if isinstance(spec, str):
            domains[vname] = _domain_of(spec, f"{where}: [variables] {vname}")
        elif isinstance(spec, Mapping):
            extra = set(spec) - {"domain", "description", "initial"}
            if extra:
                raise ModelError(f"{where}: [variables] {vname}: unknown key(s) {', '.join(sorted(extra))}")
            domains[vname] = _domain_of(spec.get("domain"), f"{where}: [variables] {vname}", default=default)
            if spec.get("initial") is not None:
                initial[vname] = _as_value(spec["initial"], f"{where}: [variables] {vname}: initial")
                _check_in_domain(initial[vname], domains[vname], f"{where}: [variables] {vname}: initial")
        else:
            raise ModelError(f"{where}: [variables] {vname}: expected a table such as {{ domain = \"positive\" }}")
    for vname in equations:  # a species count or concentration is nonnegative unless declared otherwise
        domains.setdefault(vname, "real" if reaction_table is None else "nonnegative")
    if initial and len(initial) < len(equations):
        missing = [v for v in equations if v not in initial]
        raise ModelError(f"{where}: [variables] declares initial values for some variables but not for "
                         f"{', '.join(missing)}; give every variable one (or none)")

    values: dict[str, float | None] = {}
    for pname, spec in par_specs.items():
        _check_name(pname, f"{where}: [parameters]")
        if pname in equations:
            raise ModelError(f"{where}: {pname!r} is used both as a state variable and as a parameter; rename one")
        pwhere = f"{where}: [parameters] {pname}"
        if isinstance(spec, Mapping):
            extra = set(spec) - {"value", "domain", "description"}
            if extra:
                raise ModelError(f"{pwhere}: unknown key(s) {', '.join(sorted(extra))}; expected value, domain")
            domains[pname] = _domain_of(spec.get("domain"), pwhere)
            raw = spec.get("value")
        else:
            domains[pname] = "real"
            raw = spec
        values[pname] = None if raw is None else _as_value(raw, pwhere)
        if values[pname] is not None:
            _check_in_domain(values[pname], domains[pname], pwhere)

    symbols = {n: sp.Symbol(n, **DOMAINS[d]) for n, d in domains.items()}
    variables = tuple(symbols[v] for v in equations)
    parameters = tuple(symbols[p] for p in par_specs)

    rhs = []
    reactions: tuple[Reaction, ...] = ()
    if reaction_table is not None:
        reactions = parse_reactions(reaction_table, list(equations), symbols, where=f"{where}: [reactions]")
        rhs = reaction_rhs(reactions, list(equations))
        for r in reactions:
            _check_real_finite(r.propensity, f"{where}: [reactions] {r.name}: propensity")
    for vname, text in (equations.items() if reaction_table is None else ()):
        ewhere = f"{where}: [equations] {vname}"
        if isinstance(text, sp.Basic):
            expr = _rebind(text, symbols, ewhere)
        elif isinstance(text, (int, float)) and not isinstance(text, bool):
            expr = sp.sympify(text)
        else:
            expr = parse_expr(text, symbols, where=ewhere)
        if not isinstance(expr, sp.Expr) or isinstance(expr, (sp.Tuple,)):
            raise ModelError(f"{ewhere}: expected an algebraic expression, got {expr!r}")
        _check_real_finite(expr, ewhere)
        _check_delays(expr, equations, values, ewhere)
        rhs.append(expr)

    diffusion = ()
    if "diffusion" in data:
        from linstab._diffusion import parse_diffusion

        diffusion = parse_diffusion(data["diffusion"], variables={v.name: v for v in variables},
                                    parameters={p.name: p for p in parameters}, values=values, where=where)
    title = data.get("title", "")
    reference = data.get("reference", "")
    for key, val in (("title", title), ("reference", reference)):
        if not isinstance(val, str):
            raise ModelError(f"{where}: `{key}` must be a string, got {type(val).__name__}")
    return Model(
        name=name,
        variables=variables,
        parameters=parameters,
        rhs=tuple(rhs),
        values=tuple(values.items()),
        domains=tuple((n, domains[n]) for n in (*equations, *par_specs)),
        title=title,
        source=source,
        reference=reference,
        initial=tuple((v, initial[v]) for v in equations) if initial else (),
        reactions=reactions,
        diffusion=diffusion,
    )


def _check_delays(expr: sp.Expr, variables: Mapping[str, Any], values: Mapping[str, float | None], where: str) -> None:
    """Every ``delay(x, tau)``: ``x`` a state variable, ``tau`` a parameter whose value is not negative."""
    for d in expr.atoms(Delay):
        x, tau = d.args[0].name, d.args[1].name
        if x not in variables:
            raise ModelError(f"{where}: delay({x}, {tau}) delays {x!r}, which is a parameter, not a state variable; "
                             f"delay a variable of [equations] ({', '.join(variables)})")
        if tau not in values:
            raise ModelError(f"{where}: delay({x}, {tau}): the delay {tau!r} is a state variable, not a parameter; "
                             f"declare the delay under [parameters], e.g. tau = {{ value = 1.0, domain = \"nonnegative\" }}")
        if values[tau] is not None and values[tau] < 0:
            raise ModelError(f"{where}: delay({x}, {tau}): the delay {tau} = {values[tau]} is negative; a delay "
                             "must be >= 0 (a negative one would need the future); give it a value >= 0")


def _as_value(raw: Any, where: str) -> float:
    """A parameter value read from a model file (a bad one is an error of the file)."""
    if isinstance(raw, str):
        raise ModelError(f"{where}: value must be a number, got the string {raw!r}")
    try:
        return _as_float(raw, f"{where}: value")
    except ParameterError as exc:
        raise ModelError(str(exc)) from None


def _check_in_domain(value: float, domain: str, where: str) -> None:
    if (domain == "positive" and value <= 0) or (domain == "nonnegative" and value < 0):
        raise ModelError(f"{where}: value {value} is outside its declared domain ({domain})")


def _rebind(expr: sp.Basic, symbols: Mapping[str, sp.Symbol], where: str) -> sp.Basic:
    """Replace a user's SymPy symbols by the model's (same names, the model's assumptions)."""
    mapping = {}
    for s in expr.free_symbols:
        if s.name not in symbols:
            raise ModelError(_unknown(s.name, symbols, where))
        mapping[s] = symbols[s.name]
    return expr.xreplace(mapping)
