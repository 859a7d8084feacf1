"""Check: the LNA power spectrum near a Hopf point against Gillespie trajectories (issue 18 follow-up).

Model: `brusselator_network` at its defaults (a = 1, b = 1.8; Hopf at b = 1 + a² = 2, so the
eigenvalues are −0.1 ± 0.995i: noise-driven quasi-cycles). For each system size Ω, K exact SSA
trajectories (Gillespie's direct method, `linstab.num.gillespie`) start at the rounded fixed point;
after a burn-in of 30 time units each is sampled every Δt = 0.25 for a time T, its mean removed,
and its periodogram P(ω_k) = Δt/N |Σ_j x_j e^{−iω_k t_j}|² (two-sided, the normalisation of
`LinearNoise.spectrum`: ∫ S dω/2π = variance) averaged over the trajectories. Compared at the
LNA's peak (the five frequency bins around it, averaged, against the LNA averaged over the same
bins), with the standard error of the mean over trajectories.

The LNA is the first order in 1/Ω of van Kampen's expansion: its relative error at the peak falls
with Ω (the quasi-cycles amplify the noise near Hopf: at Ω = 100 the standard deviation of x is
44 % of its mean, and the SSA variance is about half the LNA's). Figures go to
benchmarks/results/bench_noise_spectrum.txt.

Run: .venv/bin/python benchmarks/bench_noise_spectrum.py [OMEGA ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from linstab.analysis import linear_noise
from linstab.num import gillespie

OUT = Path(__file__).resolve().parent / "results" / "bench_noise_spectrum.txt"
DT, BURN, T, K = 0.25, 30.0, 100.0, 40


def check(omega_sys: float) -> str:
    noise = linear_noise("brusselator_network", system_size=omega_sys)
    times = np.arange(0.0, BURN + T, DT)
    t0 = time.perf_counter()
    run = gillespie("brusselator_network", x0=np.round(noise.state * omega_sys), times=times, n_trajectories=K,
                    system_size=omega_sys, seed=3, max_steps=50_000_000)
    seconds = time.perf_counter() - t0
    x = run.counts[:, times >= BURN, :] / omega_sys
    x = x - x.mean(axis=1, keepdims=True)
    n = x.shape[1]
    P = DT / n * np.abs(np.fft.rfft(x, axis=1)) ** 2           # (K, bins, species)
    w = 2 * np.pi * np.fft.rfftfreq(n, DT)
    lna = noise.spectrum(w)
    peaks = noise.peak_frequency()
    lines = [f"Ω = {omega_sys:g}: {K} trajectories, {run.steps} SSA steps in {seconds:.1f} s; "
             f"LNA eigenvalues {noise.eigenvalues[0]:.4g}, peak ω {', '.join(f'{p:.4f}' for p in peaks)}"]
    for i, name in enumerate(noise.variables):
        k = int(np.argmin(np.abs(w - peaks[i])))
        bins = slice(k - 2, k + 3)
        per_traj = P[:, bins, i].mean(axis=1)
        est, se = per_traj.mean(), per_traj.std(ddof=1) / np.sqrt(K)
        ref = lna[bins, i].mean()
        ssa_peak = w[1 + int(np.argmax(P.mean(axis=0)[1:, i]))]
        lines.append(f"  {name}: SSA {est:.4g} ± {se:.2g} vs LNA {ref:.4g} at ω ≈ {w[k]:.3f} "
                     f"(relative difference {(est - ref) / ref:+.1%}, {(est - ref) / se:+.1f} standard errors); "
                     f"SSA periodogram peak at ω = {ssa_peak:.3f}")
    return "\n".join(lines)


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [100.0, 1000.0]
    load = os.getloadavg()
    text = [f"bench_noise_spectrum ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs)"]
    for size in sizes:
        text.append(check(size))
        print(text[-1], flush=True)
    OUT.parent.mkdir(exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text("\n".join(text) + "\n")
    os.replace(tmp, OUT)


if __name__ == "__main__":
    main()
