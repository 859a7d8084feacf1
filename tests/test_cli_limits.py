"""CLI user errors: one line on stderr, exit 1, no traceback -- and refused before any work."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from linstab.cli import main


def _run(argv, capsys):
    """(exit code, stderr, seconds, peak bytes allocated) of one in-process CLI call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        code = main(argv)
    finally:
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return code, capsys.readouterr().err, dt, peak


def _one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("linstab ") and "Traceback" not in err


@pytest.mark.parametrize(("argv", "needs"), [
    (["map", "repressilator", "--x", "n", "1.5", "5", "1000000000", "--out", "{tmp}/m.npz"],
     "a stability map of 1000000000 x 1 points needs about"),
    (["map", "repressilator", "--x", "n", "1.5", "5", "100000", "--y", "beta", "1", "10", "100000",
      "--out", "{tmp}/m.npz"], "a stability map of 100000 x 100000 points"),
    (["diagram", "repressilator", "--param", "beta", "--against", "n", "--grid", "100000", "--html", "{tmp}/d.html"],
     "a 100000 x 100000 stability diagram needs about"),
    (["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n",
      "--points", "100000000"], "a curve of 100000000 points needs about"),
])
def test_sizes_beyond_the_budget_are_refused_up_front(argv, needs, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LINSTAB_MEMORY", raising=False)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, err, dt, peak = _run(argv, capsys)
    assert code == 1 and _one_line(err), err
    assert needs in err and "memory budget of 2.00 GiB" in err and "LINSTAB_MEMORY" in err
    assert peak < 200e6  # refused from the sizes, not after trying
    assert list(tmp_path.iterdir()) == []


def test_budget_from_the_environment(tmp_path, capsys, monkeypatch):
    out = tmp_path / "m.npz"
    monkeypatch.setenv("LINSTAB_MEMORY", "1MB")
    code, err, _, _ = _run(["map", "toggle_switch", "--x", "beta", "1", "3", "5", "--out", str(out)], capsys)
    assert code == 1 and _one_line(err) and "memory budget of 976.56 KiB" in err and not out.exists()
    monkeypatch.setenv("LINSTAB_MEMORY", "lots")
    code, err, _, _ = _run(["map", "toggle_switch", "--x", "beta", "1", "3", "5", "--out", str(out)], capsys)
    assert code == 1 and _one_line(err) and "environment variable LINSTAB_MEMORY" in err
    monkeypatch.setenv("LINSTAB_MEMORY", "4GiB")
    code, err, _, _ = _run(["map", "toggle_switch", "--x", "beta", "1", "3", "5", "--out", str(out)], capsys)
    assert code == 0 and out.is_file()


@pytest.mark.parametrize(("argv", "match"), [
    (["map", "toggle_switch", "--x", "beta", "nan", "3", "5"], "--x: the range of 'beta' must be finite"),
    (["map", "toggle_switch", "--x", "beta", "1", "inf", "5"], "--x: the range of 'beta' must be finite"),
    (["map", "toggle_switch", "--x", "beta", "1", "3", "5", "--y", "n", "1", "inf", "5"],
     "--y: the range of 'n' must be finite"),
    (["map", "toggle_switch", "--x", "beta", "-1", "3", "5"], "parameter 'beta' is declared positive"),
    (["map", "toggle_switch", "--x", "n", "0", "3", "5"], "parameter 'n' is declared positive"),
    (["map", "toggle_switch", "--x", "beta", "1", "3", "0"], "N must be at least 1"),
    (["diagram", "toggle_switch", "--param", "beta", "--against", "n", "--range", "nan", "3"],
     "the range of 'n' must be finite"),
    (["diagram", "toggle_switch", "--param", "beta", "--against", "n", "--param-range", "-5", "3"],
     "parameter 'beta' is declared positive"),
    (["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n", "--range", "1", "inf"],
     "--range: the range of 'n' must be finite"),
    (["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n", "--range", "-2", "3"],
     "parameter 'n' is declared positive"),
])
def test_meaningless_ranges_are_refused(argv, match, tmp_path, capsys):
    if argv[0] == "map":
        argv = [*argv, "--out", str(tmp_path / "m.npz")]
    elif argv[0] == "diagram":
        argv = [*argv, "--html", str(tmp_path / "d.html")]
    code, err, dt, _ = _run(argv, capsys)
    assert code == 1 and _one_line(err) and match in err, err
    assert list(tmp_path.iterdir()) == []


def test_set_and_axis_agree_on_the_domain(tmp_path, capsys):
    # --set refused a value outside the domain before; a map axis now does as well
    code, err, _, _ = _run(["map", "toggle_switch", "--set", "beta=-1", "--x", "n", "1", "3", "3",
                            "--out", str(tmp_path / "m.npz")], capsys)
    assert code == 1 and "must be positive (its declared domain)" in err


@pytest.mark.parametrize(("cmd", "target", "match"), [
    ("map", "/proc/self/m.npz", "/proc is a kernel interface"),
    ("map", "/sys/m.npz", "/sys is a kernel interface"),
    ("map", "{tmp}/dir.npz", "it is a directory"),
    ("map", "{tmp}/missing/m.npz", "does not exist"),
    ("diagram", "/proc/self/d.html", "/proc is a kernel interface"),
    ("diagram", "{tmp}", "it is a directory"),
    ("portrait", "/sys/kernel/p.html", "/sys is a kernel interface"),
    ("portrait", "{tmp}", "it is a directory"),
])
def test_bad_output_paths_are_one_line(cmd, target, match, tmp_path, capsys):
    (tmp_path / "dir.npz").mkdir()
    target = target.replace("{tmp}", str(tmp_path))
    argv = {"map": ["map", "toggle_switch", "--x", "beta", "1", "3", "3", "--out", target],
            "diagram": ["diagram", "toggle_switch", "--param", "beta", "--against", "n", "--grid", "8",
                        "--html", target],
            "portrait": ["portrait", "toggle_switch", "--html", target]}[cmd]
    code, err, dt, _ = _run(argv, capsys)
    assert code == 1 and _one_line(err) and match in err, err


def test_memory_error_inside_a_computation_is_one_line(tmp_path, capsys, monkeypatch):
    import linstab.num as maps  # the CLI takes stability_map from the public package

    def exhausted(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(maps, "stability_map", exhausted)
    code, err, _, _ = _run(["map", "toggle_switch", "--x", "beta", "1", "3", "3", "--out",
                            str(tmp_path / "m.npz")], capsys)
    assert code == 1 and _one_line(err) and "not enough memory" in err


def test_unexpected_error_is_one_line(tmp_path, capsys, monkeypatch):
    import linstab.num as maps  # the CLI takes stability_map from the public package

    def broken(*args, **kwargs):
        raise LookupError("something odd\nsecond line")

    monkeypatch.setattr(maps, "stability_map", broken)
    code, err, _, _ = _run(["map", "toggle_switch", "--x", "beta", "1", "3", "3", "--out",
                            str(tmp_path / "m.npz")], capsys)
    assert code == 1 and _one_line(err) and "internal error: LookupError: something odd" in err
