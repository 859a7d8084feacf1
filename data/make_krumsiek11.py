"""Generate the case-study dataset of the single-cell chapter: ``linstab/data/krumsiek11.h5ad``.

The myeloid progenitor network of Krumsiek et al. (2011) — 11 transcription factors, 30 signed
regulatory edges (``data/krumsiek11/network.tsv``) — is turned into a Hill-type ODE model in the
form that scHopfield fits to single-cell data,

    dx_i/dt = sum_j W_ij phi_j(x_j) - gamma_i x_i + I_i,   phi_j(x) = x^n_j / (x^n_j + k_j^n_j).

**What is the paper's and what is ours.** The edges and their signs (activation +, repression −)
are the paper's, and they are kept exactly. The paper gives a Boolean model, not rates: the
numbers in ``network.tsv`` come from scanpy's simulation file of the same network and are not a
fitted model. The weight magnitudes ``|W_ij|`` (:data:`WEIGHT`), the basal production ``I_i >= 0``
(:data:`BASAL`), the thresholds ``k_j`` (:data:`THRESHOLD`) and the Hill exponents ``n_j``
(:data:`HILL_N`) are ours, with ``gamma_i = 1``. They were chosen so that

- the four differentiated states of the paper's Boolean network (:data:`ATTRACTORS`: erythrocyte
  GATA1, ZFPM1, KLF1, TAL1 on; megakaryocyte GATA1, ZFPM1, FLI1, TAL1 on; neutrophil CEBPA, SPI1,
  GFI1 on; monocyte CEBPA, SPI1, JUN, EGRNAB on; all other genes off) are distinct, stable fixed
  points of the ODE, with on genes above 1.5 k and off genes at small non-negative values
  (below 0.1 k);
- noisy trajectories from a progenitor state (GATA2 on, CEBPA and SPI1 at their thresholds, the
  rest 0) divide among all four of them.

The rule behind the basal rates: in an additive model a repressed gene settles at
``I_i + sum_j W_ij phi_j``; where that sum is negative the gene would be driven below zero, and
with an even Hill exponent a negative ``x`` acts as if it were on (``phi(-x) = phi(x)``). Each
``I_i`` is therefore the total repression that gene receives in the differentiated states where
it is off, plus 0.02, and where an activator and a repressor of the same gene are both on in such
a state (KLF1/FLI1, JUN, EGRNAB, GFI1) the two weights are equal (up to a small margin). Every
fixed point above is then non-negative. The remaining freedom (how strongly GATA2 acts on GATA1
and SPI1, the EGRNAB and GFI1 weights and thresholds) was set by a small random search over
noisy simulations (offline, once), for fate fractions of at least 15 % each, then rounded.

Cells are drawn from stochastic simulations (Euler–Maruyama, chemical-Langevin-like noise
``sigma * sqrt(P_i (x_i + 0.02 P_i))`` with ``P_i = sum_j max(W_ij, 0) + I_i``, reflected at 0),
started in the progenitor state and sampled at random times, and labelled by the lineage history
of their trajectory (see :func:`simulate`): progenitor; MEP-like (SPI1 and CEBPA off) then Ery or
Meg; GMP-like (SPI1 on) then Neu or Mon, where a cell counts as Ery, Meg, Neu or Mon once every
gene is on or off (above or below its threshold) as in that attractor. :func:`validate`
integrates the labelled cells without noise and reports how many reach their own attractor.

Writes (deterministic for a given seed)::

    linstab/data/krumsiek11.h5ad          the AnnData (see data/krumsiek11/README.md for every key)
    linstab/data/krumsiek11_model.h5sch   the model per cell type in the scHopfield file layout

Run from the repository root: ``python data/make_krumsiek11.py`` (``--out DIR`` to write elsewhere,
``--validate`` to also print the fixed-point and convergence checks).

Reference: J. Krumsiek, C. Marr, T. Schroeder, F. J. Theis (2011), "Hierarchical differentiation
of myeloid progenitors is encoded in the transcription factor network", PLoS ONE 6(8): e22649.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PACKAGE_DATA = HERE.parent / "linstab" / "data"  # shipped in the wheel: sch.datasets.krumsiek11()
SEED = 11

#: Names in the paper -> human (HGNC) symbols; EgrNab is the EGR/NAB complex (no single symbol).
SYMBOLS = {
    "Gata2": "GATA2", "Gata1": "GATA1", "Fog1": "ZFPM1", "EKLF": "KLF1", "Fli1": "FLI1", "SCL": "TAL1",
    "Cebpa": "CEBPA", "Pu.1": "SPI1", "cJun": "JUN", "EgrNab": "EGRNAB", "Gfi1": "GFI1",
}
GENES = list(SYMBOLS.values())

#: |W_ij| per target gene: {regulator: magnitude}; the sign of every edge is the paper's (network.tsv).
WEIGHT = {
    "GATA2": {"GATA2": 0.4, "GATA1": 0.3, "ZFPM1": 0.3, "SPI1": 0.6},
    "GATA1": {"GATA2": 0.15, "GATA1": 0.45, "FLI1": 0.2, "SPI1": 0.5},
    "ZFPM1": {"GATA1": 1.0},
    "KLF1": {"GATA1": 1.0, "FLI1": 1.0},
    "FLI1": {"GATA1": 1.0, "KLF1": 1.0},
    "TAL1": {"GATA1": 1.0, "SPI1": 0.5},
    "CEBPA": {"GATA1": 0.1, "ZFPM1": 0.1, "TAL1": 0.1, "CEBPA": 0.5},
    "SPI1": {"GATA2": 0.35, "GATA1": 0.5, "CEBPA": 0.3, "SPI1": 0.4},
    "JUN": {"SPI1": 1.0, "GFI1": 1.0},
    "EGRNAB": {"SPI1": 1.0, "JUN": 0.7, "GFI1": 1.0},
    "GFI1": {"CEBPA": 0.9, "EGRNAB": 0.85},
}
#: Basal production I_i: the repression a gene receives where it is off, plus 0.02.
BASAL = {
    "GATA2": 0.62, "GATA1": 0.52, "ZFPM1": 0.02, "KLF1": 0.02, "FLI1": 0.02, "TAL1": 0.52,
    "CEBPA": 0.32, "SPI1": 0.52, "JUN": 0.02, "EGRNAB": 0.02, "GFI1": 0.02,
}
#: Hill thresholds k_j.
THRESHOLD = {
    "GATA2": 0.5, "GATA1": 0.5, "ZFPM1": 0.5, "KLF1": 0.5, "FLI1": 0.5, "TAL1": 0.5,
    "CEBPA": 0.5, "SPI1": 0.55, "JUN": 0.5, "EGRNAB": 0.5, "GFI1": 0.5,
}
#: Hill exponents n_j (even, so that phi is defined for any real x).
HILL_N = {gene: 6.0 for gene in GENES}
GAMMA = 1.0  # gamma_i
#: The stable states of the paper's Boolean network: the genes that are on (all others off).
ATTRACTORS = {
    "Ery": ("GATA1", "ZFPM1", "KLF1", "TAL1"),
    "Meg": ("GATA1", "ZFPM1", "FLI1", "TAL1"),
    "Neu": ("CEBPA", "SPI1", "GFI1"),
    "Mon": ("CEBPA", "SPI1", "JUN", "EGRNAB"),
}
SIGMA = 0.07
DT = 0.01
T_END = 25.0
N_TRAJ = 500
SAMPLES_PER_TRAJ = 3
CELL_TYPES = ["progenitor", "MEP-like", "Ery", "Meg", "GMP-like", "Neu", "Mon"]
COLORS = ["#7f7f7f", "#e377c2", "#d62728", "#9467bd", "#17becf", "#2ca02c", "#ff7f0e"]


def read_network(path: Path = HERE / "krumsiek11" / "network.tsv") -> np.ndarray:
    """The signs of the published edges, -1/0/+1 (target x regulator), in the order of :data:`GENES`."""
    pos = {g: i for i, g in enumerate(GENES)}
    S = np.zeros((len(GENES), len(GENES)))
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("target"):
            continue
        target, regulator, weight = line.split("\t")
        S[pos[SYMBOLS[target]], pos[SYMBOLS[regulator]]] = np.sign(float(weight))
    return S


def build_model() -> dict[str, np.ndarray]:
    """W, gamma, k, n, I of the ODE model, and P (largest production, which scales the noise)."""
    S = read_network()
    pos = {g: i for i, g in enumerate(GENES)}
    magnitude = np.zeros_like(S)
    for target, inputs in WEIGHT.items():
        for regulator, value in inputs.items():
            magnitude[pos[target], pos[regulator]] = value
    if not np.array_equal(S != 0, magnitude != 0):
        raise ValueError("WEIGHT must give a magnitude for exactly the 30 edges of network.tsv")
    W = S * magnitude
    I = np.array([BASAL[g] for g in GENES])
    P = np.clip(W, 0, None).sum(axis=1) + I
    return {
        "W": W, "gamma": np.full(len(GENES), GAMMA), "k": np.array([THRESHOLD[g] for g in GENES]),
        "n": np.array([HILL_N[g] for g in GENES]), "I": I, "P": P,
    }


def phi(X: np.ndarray, m: dict[str, np.ndarray]) -> np.ndarray:
    return X ** m["n"] / (X ** m["n"] + m["k"] ** m["n"])


def rhs(X: np.ndarray, m: dict[str, np.ndarray]) -> np.ndarray:
    return phi(X, m) @ m["W"].T - m["gamma"] * X + m["I"]


def jacobian(x: np.ndarray, m: dict[str, np.ndarray]) -> np.ndarray:
    """J = W diag(phi'(x)) - diag(gamma) at one state x."""
    n, k = m["n"], m["k"]
    slope = n * k**n * x ** (n - 1) / (x**n + k**n) ** 2
    return m["W"] * slope[None, :] - np.diag(m["gamma"])


def attractors(m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The fixed point of the ODE near each Boolean state of :data:`ATTRACTORS` (Newton from the pattern)."""
    from scipy.optimize import root

    out = {}
    for name, on in ATTRACTORS.items():
        x = m["I"] + m["W"] @ np.array([g in on for g in GENES], dtype=float)
        for _ in range(20):  # a few fixed-point sweeps put the guess next to the root
            x = (phi(x, m) @ m["W"].T + m["I"]) / m["gamma"]
        x = root(lambda z: rhs(z, m), x, jac=lambda z: jacobian(z, m), method="hybr", tol=1e-14).x
        for _ in range(3):  # Newton polish
            x = x - np.linalg.solve(jacobian(x, m), rhs(x, m))
        out[name] = x
    return out


def progenitor(m: dict[str, np.ndarray]) -> np.ndarray:
    """GATA2 on (at its largest production), CEBPA and SPI1 at their thresholds, the rest 0."""
    x0 = np.zeros(len(GENES))
    x0[GENES.index("GATA2")] = m["P"][GENES.index("GATA2")]
    for name in ("CEBPA", "SPI1"):
        x0[GENES.index(name)] = m["k"][GENES.index(name)]
    return x0


def _conditions(X: np.ndarray, k: np.ndarray) -> dict[str, np.ndarray]:
    """Branch and terminal-state conditions of each row (on = above the gene's threshold k).

    A terminal state holds where every gene is on or off as in that attractor of :data:`ATTRACTORS`.
    """
    on = X > k
    pos = {g: i for i, g in enumerate(GENES)}
    cond = {
        "MegE": ~on[:, pos["SPI1"]] & ~on[:, pos["CEBPA"]],
        "GM": on[:, pos["SPI1"]],
    }
    for name, genes in ATTRACTORS.items():
        pattern = np.array([g in genes for g in GENES])
        cond[name] = (on == pattern).all(axis=1)
    return cond


def simulate(m: dict[str, np.ndarray], rng: np.random.Generator):
    """Cells sampled from N_TRAJ noisy trajectories, labelled by their lineage history.

    A trajectory's fate is the terminal state it is in at T_END; it entered its branch
    (MegE: SPI1 and CEBPA off; GM: SPI1 on) for good after the last time it was outside it, and
    its terminal state likewise. A cell sampled at time t is 'progenitor' before the branch entry,
    'MEP-like'/'GMP-like' between the two, and 'Ery', 'Meg', 'Neu' or 'Mon' after. Trajectories
    that end in no terminal state are labelled by branch only.

    Returns expression (cells x genes), time, trajectory index, cell type and fate.
    """
    n_steps = int(round(T_END / DT))
    # sampling times t = T_END u^2 (u uniform): denser early, so that progenitors are seen too
    times = T_END * rng.uniform(0.0, 1.0, (N_TRAJ, SAMPLES_PER_TRAJ)) ** 2
    steps = np.clip(np.round(times / DT).astype(int), 1, n_steps)
    X = np.tile(progenitor(m), (N_TRAJ, 1))
    out = np.zeros((N_TRAJ, SAMPLES_PER_TRAJ, len(GENES)))
    names = ("MegE", "GM", "Ery", "Meg", "Neu", "Mon")
    last_outside = {c: np.zeros(N_TRAJ, dtype=int) for c in names}  # last step not in condition c
    scale = np.sqrt(DT) * SIGMA
    for step in range(1, n_steps + 1):
        noise = scale * np.sqrt(m["P"] * (X + 0.02 * m["P"])) * rng.standard_normal(X.shape)
        X = np.abs(X + DT * rhs(X, m) + noise)
        cond = _conditions(X, m["k"])
        for c in names:
            last_outside[c][~cond[c]] = step
        hit = steps == step
        if hit.any():
            traj, sample = np.nonzero(hit)
            out[traj, sample] = X[traj]
    final = _conditions(X, m["k"])
    fate = np.full(N_TRAJ, "none", dtype=object)
    branch = np.full(N_TRAJ, "none", dtype=object)
    for c in ("Ery", "Meg", "Neu", "Mon"):
        fate[final[c]] = c
    for c in ("MegE", "GM"):
        branch[final[c]] = c
    types = np.full((N_TRAJ, SAMPLES_PER_TRAJ), "progenitor", dtype=object)
    for tr in range(N_TRAJ):
        if branch[tr] == "none":
            continue
        types[tr, steps[tr] > last_outside[branch[tr]][tr]] = "MEP-like" if branch[tr] == "MegE" else "GMP-like"
        if fate[tr] != "none":
            types[tr, steps[tr] > last_outside[fate[tr]][tr]] = fate[tr]
    cells = out.reshape(-1, len(GENES))
    t = (steps * DT).reshape(-1)
    traj = np.repeat(np.arange(N_TRAJ), SAMPLES_PER_TRAJ)
    return cells, t, traj, types.reshape(-1), np.repeat(fate, SAMPLES_PER_TRAJ)


def settle(X: np.ndarray, m: dict[str, np.ndarray], t_end: float = 100.0) -> np.ndarray:
    """Integrate every row of X without noise (scipy ``solve_ivp``, all rows at once) to ``t_end``."""
    from scipy.integrate import solve_ivp

    shape = X.shape
    sol = solve_ivp(lambda t, y: rhs(y.reshape(shape), m).ravel(), (0.0, t_end), X.ravel(),
                    method="RK45", rtol=1e-8, atol=1e-10)
    return sol.y[:, -1].reshape(shape)


def stored_model(adata) -> dict[str, np.ndarray]:
    """The model as stored in the AnnData (``varp['W_all']``, ``var``), in the form of :func:`build_model`."""
    W = np.asarray(adata.varp["W_all"], dtype=float)
    I = adata.var["I_all"].to_numpy(dtype=float)
    return {
        "W": W, "I": I, "gamma": adata.var["gamma"].to_numpy(dtype=float),
        "k": adata.var["sigmoid_threshold"].to_numpy(dtype=float),
        "n": adata.var["sigmoid_exponent"].to_numpy(dtype=float), "P": np.clip(W, 0, None).sum(axis=1) + I,
    }


def validate(adata) -> dict[str, dict[str, float]]:
    """Fixed-point checks of the four attractors and deterministic convergence of the labelled cells.

    Uses the model stored in ``adata``. Returns, per attractor: the residual, the leading eigenvalue
    (largest real part) of J, the smallest x/k of the on genes and the largest |x|/k of the off
    genes; and the fraction of the cells labelled with that type (all of them, and those sampled at
    t > 15) whose noise-free trajectory ends within 1e-3 of that attractor.
    """
    m = stored_model(adata)
    fixed = attractors(m)
    end = settle(np.asarray(adata.layers["Ms"], dtype=float), m)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    late = adata.obs["time"].to_numpy() > 15
    report = {}
    for name, x in fixed.items():
        on = np.array([g in ATTRACTORS[name] for g in GENES])
        cells = labels == name
        reached = np.abs(end - x).max(axis=1) < 1e-3
        report[name] = {
            "residual": float(np.abs(rhs(x, m)).max()),
            "leading_eigenvalue": float(np.linalg.eigvals(jacobian(x, m)).real.max()),
            "min_on_over_k": float((x[on] / m["k"][on]).min()),
            "max_off_over_k": float((np.abs(x[~on]) / m["k"][~on]).max()),
            "min_x": float(x.min()),
            "n_cells": int(cells.sum()),
            "converged": float(reached[cells].mean()),
            "n_late": int((cells & late).sum()),
            "converged_late": float(reached[cells & late].mean()),
        }
    return report


def embed(X: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PCA of log1p(x / k) (standardised genes): all components, and the explained variance."""
    L = np.log1p(X / k)
    L = (L - L.mean(axis=0)) / (L.std(axis=0) + 1e-12)
    U, s, Vt = np.linalg.svd(L, full_matrices=False)
    # fix signs so that the result is deterministic across LAPACK builds
    signs = np.sign(Vt[np.arange(Vt.shape[0]), np.abs(Vt).argmax(axis=1)])
    pcs = U * s * signs
    return pcs, s**2 / (s**2).sum()


def make(out_dir: Path = PACKAGE_DATA, *, seed: int = SEED, write: bool = True):
    """Build the AnnData (and write both files into ``out_dir``); returns the AnnData."""
    import anndata as ad
    import pandas as pd

    import linstab.sc as sch

    rng = np.random.default_rng(seed)
    m = build_model()
    X, t, traj, types, fate = simulate(m, rng)
    order = np.lexsort((t, traj))
    X, t, traj, types, fate = X[order], t[order], traj[order], types[order], fate[order]
    pcs, var_ratio = embed(X, m["k"])
    names = [f"cell{i:04d}" for i in range(X.shape[0])]
    obs = pd.DataFrame({
        "cell_type": pd.Categorical(types, categories=CELL_TYPES),
        "time": t,
        "trajectory": traj,
        "fate": pd.Categorical(fate, categories=["Ery", "Meg", "Neu", "Mon", "none"]),
    }, index=names)
    var = pd.DataFrame(index=GENES)
    var["paper_name"] = list(SYMBOLS)
    var["scHopfield_used"] = True
    var["sigmoid_threshold"] = m["k"]
    var["sigmoid_exponent"] = m["n"]
    var["gamma"] = m["gamma"]
    adata = ad.AnnData(X=X.copy(), obs=obs, var=var, layers={"Ms": X.copy()})
    present = [c for c in CELL_TYPES if (types == c).any()]
    for c in present + ["all"]:
        adata.varp[f"W_{c}"] = m["W"].copy()
        adata.var[f"I_{c}"] = m["I"].copy()
    adata.obsm["X_pca"] = pcs
    adata.uns["pca"] = {"variance_ratio": var_ratio, "method": "PCA of standardised log1p(x / k)"}
    adata.uns["cell_type_colors"] = COLORS
    adata.uns["scHopfield"] = {"spliced_key": "Ms", "cluster_key": "cell_type"}
    adata.uns["attractors"] = attractors(m)
    adata.uns["simulation"] = {
        "model": "dx/dt = W phi(x) - gamma x + I, phi_j(x) = x^n_j/(x^n_j + k_j^n_j)",
        "network": "Krumsiek et al. (2011) PLoS ONE 6(8): e22649, Table 1 (edges and signs); "
                   "magnitudes, I, k, n chosen for linstab (data/make_krumsiek11.py)",
        "seed": seed, "dt": DT, "t_end": T_END, "sigma": SIGMA, "n_trajectories": N_TRAJ,
        "samples_per_trajectory": SAMPLES_PER_TRAJ, "gamma": GAMMA,
        "progenitor": progenitor(m),
        "script": "data/make_krumsiek11.py",
    }
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
        adata.write_h5ad(out_dir / "krumsiek11.h5ad", compression="gzip")
        sch.tl.save_model(adata, out_dir / "krumsiek11_model.h5sch", overwrite=True)
    return adata


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA, help="output folder (default: linstab/data/)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--validate", action="store_true",
                        help="also print the attractors' checks and the noise-free convergence of the labelled cells")
    args = parser.parse_args(argv)
    adata = make(args.out, seed=args.seed)
    counts = adata.obs["cell_type"].value_counts().reindex(CELL_TYPES)
    print(f"wrote {args.out / 'krumsiek11.h5ad'} ({adata.n_obs} cells x {adata.n_vars} genes) and "
          f"{args.out / 'krumsiek11_model.h5sch'}")
    print(counts.to_string())
    fates = adata.obs.groupby("trajectory", observed=True)["fate"].first().value_counts(normalize=True)
    print("fates of the trajectories:", ", ".join(f"{k} {v:.1%}" for k, v in fates.items()))
    if args.validate:
        for name, r in validate(adata).items():
            print(f"{name}: residual {r['residual']:.1e}, leading eigenvalue {r['leading_eigenvalue']:.3f}, "
                  f"on genes >= {r['min_on_over_k']:.2f} k, off genes <= {r['max_off_over_k']:.3f} k; "
                  f"reach it without noise: {r['converged']:.1%} of {r['n_cells']} cells, "
                  f"{r['converged_late']:.1%} of {r['n_late']} sampled at t > 15")


if __name__ == "__main__":
    main()
