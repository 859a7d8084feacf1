"""Generate the case-study dataset of the single-cell chapter: ``data/krumsiek11.h5ad``.

The myeloid progenitor network of Krumsiek et al. (2011) — 11 transcription factors, 30 signed
regulatory edges (``data/krumsiek11/network.tsv``) — is turned into a Hill-type ODE model in the
form that scHopfield fits to single-cell data,

    dx_i/dt = sum_j W_ij phi_j(x_j) - gamma_i x_i + I_i,   phi_j(x) = x^n / (x^n + k_j^n),

with ``W`` the signed edge weights of the network (target x regulator), ``gamma_i = 1``,
``n = 4``, a small basal production ``I_i = 0.02`` and thresholds ``k_j`` chosen so that, under
noise, trajectories from a progenitor state (GATA2 on, CEBPA and SPI1 at their thresholds) divide
among the four differentiated states of the paper (erythrocyte, megakaryocyte,
neutrophil/granulocyte, monocyte). These are states of the noisy dynamics, not all attractors of
the ODE: without noise, late Ery and Meg cells settle in one stable state and late Mon cells in
none (see data/krumsiek11/README.md). (The thresholds are listed in ``REL_THRESHOLD``,
relative to each gene's largest production ``P_i = sum_j max(W_ij, 0) + I_i``).

Cells are drawn from stochastic simulations (Euler–Maruyama, chemical-Langevin-like noise
``sigma * sqrt(P_i (x_i + 0.02 P_i))``, reflected at 0), started in the progenitor state and
sampled at random times, and labelled by the lineage history of their trajectory (see
:func:`simulate`): progenitor; MEP-like (in the branch with SPI1 and CEBPA off) then Ery (KLF1
on, FLI1 off) or Meg (FLI1 on, KLF1 off); GMP-like (SPI1 on) then Neu (GFI1 on, EGRNAB off) or
Mon (EGRNAB on, GFI1 off).

Writes (deterministic for a given seed)::

    data/krumsiek11.h5ad           the AnnData (see data/krumsiek11/README.md for every key)
    data/krumsiek11_model.h5sch    the model per cell type in the scHopfield file layout

Run from the repository root: ``python data/make_krumsiek11.py`` (``--out DIR`` to write elsewhere).

Reference: J. Krumsiek, C. Marr, T. Schroeder, F. J. Theis (2011), "Hierarchical differentiation
of myeloid progenitors is encoded in the transcription factor network", PLoS ONE 6(8): e22649.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 11

#: Names in the paper -> human (HGNC) symbols; EgrNab is the EGR/NAB complex (no single symbol).
SYMBOLS = {
    "Gata2": "GATA2", "Gata1": "GATA1", "Fog1": "ZFPM1", "EKLF": "KLF1", "Fli1": "FLI1", "SCL": "TAL1",
    "Cebpa": "CEBPA", "Pu.1": "SPI1", "cJun": "JUN", "EgrNab": "EGRNAB", "Gfi1": "GFI1",
}
GENES = list(SYMBOLS.values())

BASAL = 0.02  # I_i
HILL_N = 4.0  # n_j
GAMMA = 1.0  # gamma_i
#: Thresholds k_j / P_j (see the module docstring).
REL_THRESHOLD = {
    "GATA2": 0.05, "GATA1": 0.02, "ZFPM1": 0.25, "KLF1": 0.15, "FLI1": 0.15, "TAL1": 0.04,
    "CEBPA": 0.32, "SPI1": 0.42, "JUN": 0.2, "EGRNAB": 0.5, "GFI1": 0.4,
}
SIGMA = 0.07
DT = 0.01
T_END = 25.0
N_TRAJ = 500
SAMPLES_PER_TRAJ = 3
CELL_TYPES = ["progenitor", "MEP-like", "Ery", "Meg", "GMP-like", "Neu", "Mon"]
COLORS = ["#7f7f7f", "#e377c2", "#d62728", "#9467bd", "#17becf", "#2ca02c", "#ff7f0e"]


def read_network(path: Path = HERE / "krumsiek11" / "network.tsv") -> np.ndarray:
    """The signed weight matrix W (target x regulator) in the order of :data:`GENES`."""
    pos = {g: i for i, g in enumerate(GENES)}
    W = np.zeros((len(GENES), len(GENES)))
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("target"):
            continue
        target, regulator, weight = line.split("\t")
        W[pos[SYMBOLS[target]], pos[SYMBOLS[regulator]]] = float(weight)
    return W


def build_model() -> dict[str, np.ndarray]:
    """W, gamma, k, n and I of the ODE model."""
    W = read_network()
    g = len(GENES)
    I = np.full(g, BASAL)
    P = np.clip(W, 0, None).sum(axis=1) + I
    k = np.array([REL_THRESHOLD[name] for name in GENES]) * P
    return {"W": W, "gamma": np.full(g, GAMMA), "k": k, "n": np.full(g, HILL_N), "I": I, "P": P}


def rhs(X: np.ndarray, m: dict[str, np.ndarray]) -> np.ndarray:
    phi = X ** m["n"] / (X ** m["n"] + m["k"] ** m["n"])
    return phi @ m["W"].T - m["gamma"] * X + m["I"]


def progenitor(m: dict[str, np.ndarray]) -> np.ndarray:
    """GATA2 on, CEBPA and SPI1 at their thresholds, the rest off."""
    x0 = np.zeros(len(GENES))
    x0[GENES.index("GATA2")] = m["P"][GENES.index("GATA2")]
    for name in ("CEBPA", "SPI1"):
        x0[GENES.index(name)] = m["k"][GENES.index(name)]
    return x0


def _conditions(X: np.ndarray, k: np.ndarray) -> dict[str, np.ndarray]:
    """Branch and terminal-state conditions of each row (on = above the gene's threshold k)."""
    on = {g: X[:, i] > k[i] for i, g in enumerate(GENES)}
    mege = ~on["SPI1"] & ~on["CEBPA"]
    gm = on["SPI1"]
    return {
        "MegE": mege,
        "GM": gm,
        "Ery": mege & on["KLF1"] & ~on["FLI1"],
        "Meg": mege & on["FLI1"] & ~on["KLF1"],
        "Neu": gm & on["GFI1"] & ~on["EGRNAB"],
        "Mon": gm & on["EGRNAB"] & ~on["GFI1"],
    }


def simulate(m: dict[str, np.ndarray], rng: np.random.Generator):
    """Cells sampled from N_TRAJ noisy trajectories, labelled by their lineage history.

    A trajectory's fate is the terminal state it is in at T_END; it entered its branch
    (MegE: SPI1 and CEBPA off; GM: SPI1 on) for good after the last time it was outside it, and its terminal state likewise. A cell sampled at time t is 'progenitor' before
    the branch entry, 'MEP-like'/'GMP-like' between the two, and 'Ery', 'Meg', 'Neu' or 'Mon'
    after. Trajectories that end in no terminal state are labelled by branch only.

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


def embed(X: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PCA of log1p(x / k) (standardised genes): all components, and the explained variance."""
    L = np.log1p(X / k)
    L = (L - L.mean(axis=0)) / (L.std(axis=0) + 1e-12)
    U, s, Vt = np.linalg.svd(L, full_matrices=False)
    # fix signs so that the result is deterministic across LAPACK builds
    signs = np.sign(Vt[np.arange(Vt.shape[0]), np.abs(Vt).argmax(axis=1)])
    pcs = U * s * signs
    return pcs, s**2 / (s**2).sum()


def make(out_dir: Path = HERE, *, seed: int = SEED, write: bool = True):
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
    adata.uns["simulation"] = {
        "model": "dx/dt = W phi(x) - gamma x + I, phi_j(x) = x^n/(x^n + k_j^n)",
        "network": "Krumsiek et al. (2011) PLoS ONE 6(8): e22649, Table 1",
        "seed": seed, "dt": DT, "t_end": T_END, "sigma": SIGMA, "n_trajectories": N_TRAJ,
        "samples_per_trajectory": SAMPLES_PER_TRAJ, "basal": BASAL, "hill_n": HILL_N, "gamma": GAMMA,
        "script": "data/make_krumsiek11.py",
    }
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
        adata.write_h5ad(out_dir / "krumsiek11.h5ad", compression="gzip")
        sch.tl.save_model(adata, out_dir / "krumsiek11_model.h5sch", overwrite=True)
    return adata


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    adata = make(args.out, seed=args.seed)
    counts = adata.obs["cell_type"].value_counts().reindex(CELL_TYPES)
    print(f"wrote {args.out / 'krumsiek11.h5ad'} ({adata.n_obs} cells x {adata.n_vars} genes) and "
          f"{args.out / 'krumsiek11_model.h5sch'}")
    print(counts.to_string())


if __name__ == "__main__":
    main()
