#!/usr/bin/env bash
# The GPU checks of linstab.sc in one call of the workplace's `device` tool (one NVIDIA H200; its
# python3 has torch with CUDA, SciPy, pandas, h5py, tqdm, matplotlib, pytest and hypothesis, but
# no anndata, and it cannot download anything).
#
#   1. here, once per checkout:   bash benchmarks/gpu_check.sh prepare
#      (downloads anndata and the dependencies the device lacks, as CPython 3.12 wheels, into .whl/,
#       which .git/info/exclude keeps out of git)
#   2. device tool:  run  command="bash benchmarks/gpu_check.sh run"  carry=[".whl"]  timeout_s=540
#      (`run tests bench` runs only those steps; the steps are probe, tests, bench)
#
# `run` writes to $OUT: probe.txt (the primitives: the GPU's eigensolver against LAPACK on the
# host's cores, batched GEMM and inverses), gpu_tests.txt (tests/sc/test_sc_cuda.py and the
# CPU-vs-GPU agreement), bench_c.txt (benchmark (c): 1947 cells x 1728 genes; the statistics route
# on the GPU and on the host's cores, the seed route per cell on the GPU and on the CPU, linstab
# full spectra with the GPU's eigensolver and with LAPACK on the host's cores) and bench_c_tfs.txt
# (the same with 150 regulating genes). Each step has its own time limit (510 s in all), so a slow
# one cannot starve the others, and every table row is printed as soon as it is measured.
set -uo pipefail
cd "$(dirname "$0")/.."

WHEELS=(anndata==0.12.19 array-api-compat==1.16.0 legacy-api-wrap==1.5 natsort==8.4.0 zarr==3.1.6
        numcodecs==0.16.6 donfig==0.8.1.post1 google-crc32c==1.9.0 scverse-misc==0.0.3
        session-info2==0.4.1)

case "${1:-}" in
prepare)
    grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
    rm -rf .whl && mkdir -p .whl
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d .whl "${WHEELS[@]}" || exit 1
    ls .whl
    ;;
run)
    OUT=${OUT:-/tmp/gpu_check}
    mkdir -p "$OUT"
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || { echo "wheels missing: run 'bash benchmarks/gpu_check.sh prepare' here first and carry .whl" >&2; exit 1; }
    export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
    nvidia-smi -L
    python3 -c "import torch, anndata; print('torch', torch.__version__, 'cuda', torch.version.cuda, \
torch.cuda.get_device_name(0), '| anndata', anndata.__version__)" || exit 1
    steps=" ${*:2} "; [ "$steps" = "  " ] && steps=" probe tests bench "  # default: every step
    case $steps in *" probe "*) timeout 60 python3 benchmarks/gpu_probe.py 2>&1 | tee "$OUT/probe.txt" ;; esac
    # tests: the CUDA module, plus the block tests of linstab.sc on this machine's python
    case $steps in *" tests "*) timeout 120 python3 -m pytest -q -p no:cacheprovider -o addopts="--strict-markers -ra" \
        tests/sc/test_sc_cuda.py tests/sc/test_sc_blocks.py 2>&1 | tee "$OUT/gpu_tests.txt" ;; esac
    # benchmark (c): the seed's data size; the full-spectrum routes timed on 32 cells (2 per host core)
    case $steps in *" bench "*)
        timeout 240 python3 benchmarks/bench_sc.py --device cuda --baseline-cells 32 --skip-b 2>&1 | tee "$OUT/bench_c.txt"
        timeout 90 python3 benchmarks/bench_sc.py --device cuda --baseline-cells 32 --skip-b --tfs 150 2>&1 \
            | tee "$OUT/bench_c_tfs.txt" ;;
    esac
    ;;
*)
    echo "usage: bash benchmarks/gpu_check.sh prepare|run   (see the comment at the top)" >&2
    exit 2
    ;;
esac
