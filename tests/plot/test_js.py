"""The page's JavaScript against the Python side: generated rhs/Jacobian, eigenvalues, fixed points,
classification and RK4. Runs under Node.js when it is installed, else in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from linstab import load_model
from linstab.analysis import figures as num
from linstab.plot._js import LIBRARY, program

NODE = shutil.which("node") or shutil.which("nodejs")


@pytest.fixture(scope="module")
def run_js(request):
    """Evaluate a script whose last statement is ``RESULT = ...``; returns the JSON-decoded RESULT."""
    if NODE:
        def _run(code: str):
            script = "const window = {};\n" + code + "\nprocess.stdout.write(JSON.stringify(RESULT));"
            out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stderr
            return json.loads(out.stdout)
        return _run
    browser = request.getfixturevalue("browser")  # skips when there is no Chromium either
    page = browser.new_page()

    def _run_browser(code: str):
        return page.evaluate("() => { let RESULT;\n" + code + "\nreturn JSON.parse(JSON.stringify(RESULT)); }")
    return _run_browser


def _lib(code: str) -> str:
    return LIBRARY + "\n" + code


def test_generated_rhs_and_jacobian_match_the_kernels(run_js):
    rng = np.random.default_rng(0)
    for name in ("repressilator", "toggle_switch", "brusselator", "lorenz"):
        m = load_model(name)
        p = np.array(m.parameter_vector(m.numeric_values()))
        X = rng.uniform(0.1, 3.0, size=(5, m.n_vars))
        got = run_js(program(m, "k") + f"""
            const L = window.LINSTAB["k"], X = {json.dumps(X.tolist())}, p = {json.dumps(p.tolist())};
            RESULT = X.map(x => [L.rhs(x, p), L.jac(x, p)]);""")
        F, J = m.kernel("rhs"), m.kernel("jacobian")
        for x, (f, jac) in zip(X, got):
            np.testing.assert_allclose(f, F(x, p), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(np.reshape(jac, (m.n_vars, m.n_vars)), J(x, p), rtol=1e-12, atol=1e-12)


def test_eigenvalues_match_numpy(run_js):
    rng = np.random.default_rng(1)
    mats = [rng.normal(size=(n, n)) for n in (1, 2, 3, 4, 5, 6) for _ in range(8)]
    mats.append(np.array([[-1, 0, -2], [-2, -1, 0], [0, -2, -1]], float))  # repressilator at a = 2: Hopf
    mats.append(np.diag([-1.0, -1.0, -1.0]))  # a triple root: exact in closed form
    mats.append(np.diag([-2.0, -1.0, -1.0]))  # a double root
    got = run_js(_lib(f"const M = {json.dumps([m.ravel().tolist() for m in mats])};\n"
                      "RESULT = M.map(A => LS.eig(A, Math.round(Math.sqrt(A.length))));"))
    for A, ev in zip(mats, got):
        want = np.linalg.eigvals(A)
        have = np.array([complex(*e) for e in ev])
        scale = 1 + np.max(np.abs(want))
        tol = 1e-5 if np.allclose(A, np.diag(np.diag(A))) and A.shape[0] > 3 else 1e-8  # repeated roots
        dist = np.abs(have[:, None] - want[None, :])
        assert have.size == want.size
        assert dist.min(axis=0).max() < tol * scale and dist.min(axis=1).max() < tol * scale, (have, want)
        assert ev == sorted(ev, key=lambda e: (-e[0], -e[1]))  # largest real part first


def test_classification_matches_sym(run_js):
    from linstab.sym import classify

    cases = [[-1, -2], [1, 2], [-1, 2], [-1 + 2j, -1 - 2j], [1 + 2j, 1 - 2j], [2j, -2j], [0, -1],
             [-3, 0.1 + 1j, 0.1 - 1j], [-3, -0.1 + 1j, -0.1 - 1j], [1, 2, 3], [-1, -2, 3]]
    got = run_js(_lib(f"RESULT = {json.dumps([[[complex(e).real, complex(e).imag] for e in c] for c in cases])}"
                      ".map(ev => LS.classify(ev, 1e-9));"))
    assert got == [classify([complex(e) for e in c], tol=1e-9) for c in cases]


def test_roots_find_every_fixed_point_of_the_toggle_switch(run_js):
    m = load_model("toggle_switch")
    vals = {"beta": 4.0, "n": 2.0}
    got = run_js(program(m, "t") + f"""
        const L = window.LINSTAB["t"];
        RESULT = L.LS.roots(L.rhs, L.jac, {json.dumps(m.parameter_vector(vals))}, {json.dumps(num.starts(m, vals))},
                            {{lower: [0, 0], all: true}});""")
    want = sorted(tuple(np.round(fp.state, 8)) for fp in num.fixed_points(m, vals))
    assert sorted(tuple(np.round(x, 8)) for x in got) == want


def test_newton_follows_the_last_solution_and_falls_back(run_js):
    m = load_model("repressilator")
    got = run_js(program(m, "r") + """
        const L = window.LINSTAB["r"], p = [3.5, 3];
        const near = L.LS.newton(L.rhs, L.jac, [1.2, 1.2, 1.2], p, {lower: [0, 0, 0]});
        const far = L.LS.roots(L.rhs, L.jac, p, [[0.01, 0.01, 0.01], [1, 1, 1]], {prev: [1e6, -5, 1e6], lower: [0, 0, 0], all: false});
        RESULT = [near.ok, near.it, near.x, far];""")
    ok, its, x, far = got
    fp = num.fixed_points(m, {"beta": 3.5, "n": 3.0})[0]
    assert ok and its <= 6
    np.testing.assert_allclose(x, fp.state, rtol=1e-9)
    np.testing.assert_allclose(far[0], fp.state, rtol=1e-9)  # a useless previous point: a fallback start wins


def test_rk4_matches_the_python_time_course(run_js):
    m = load_model("repressilator")
    vals = {"beta": 4.0, "n": 3.0}
    x0 = [1.3, 1.2, 1.25]
    got = run_js(program(m, "q") + f"""
        const L = window.LINSTAB["q"];
        const r = L.LS.rk4(L.rhs, {json.dumps(x0)}, {json.dumps(m.parameter_vector(vals))}, 20, 400);
        RESULT = {{t: Array.from(r.t), X: r.X.map(a => Array.from(a))}};""")
    t, X = num.time_course(m, x0, vals, t_max=20, steps=400)
    np.testing.assert_allclose(got["t"], t, rtol=1e-12)
    np.testing.assert_allclose(np.array(got["X"]), X, rtol=1e-10)


def test_contour_finds_a_circle(run_js):
    got = run_js(_lib("""
        const xs = [], ys = [];
        for (let i = 0; i < 41; i++) { xs.push(-2 + i * 0.1); ys.push(-2 + i * 0.1); }
        const Z = [];
        for (let j = 0; j < 41; j++) for (let i = 0; i < 41; i++) Z.push(xs[i] * xs[i] + ys[j] * ys[j] - 1);
        RESULT = LS.contour(Z, xs, ys);"""))
    x = np.array([v if v is not None else np.nan for v in got["x"]], float)
    y = np.array([v if v is not None else np.nan for v in got["y"]], float)
    r = np.hypot(x, y)[np.isfinite(x)]
    assert r.size > 40 and np.max(np.abs(r - 1)) < 0.01


def test_readout_wrapping_matches_python(run_js):
    """The page wraps readout lines exactly as ``readout_data`` does (same breaks, same y)."""
    from linstab.plot._style import readout_data

    lines = [["stable · 2 fixed points", "#000", True, 15],
             ["K = 2.962e-5, r = 1, a = 0.5, h = 2, e = 0.4, m = 0.3, d = 0.001, s = 12.5", "#555", False, 12],
             ["one-item-that-is-far-too-long-to-fit-in-any-line-of-a-small-panel-at-all", "#555", False, 12],
             ["● (0.5, 2.0) stable node", "#0072B2", False, 12]]
    for width in (120, 200, 300):
        got = run_js(_lib(f"RESULT = LS.readout({json.dumps(lines)}, 200, {width});"))
        want = readout_data([tuple(x) for x in lines], 200, width)
        assert got == want
