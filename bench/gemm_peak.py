#!/usr/bin/env python3
"""This machine's SGEMM peak in GFLOP/s: best of several float32 products C = A B of
size N x N x N (2 N^3 FLOPs each), on a given number of BLAS threads.

    python3 bench/gemm_peak.py [--threads 1] [--size 2048] [--repeats 10]
                               [--lib numpy|system] [--coretype NAME]

--lib numpy   numpy's own BLAS (the library the NumPy reference uses);
--lib system  the system OpenBLAS (libopenblas.so.0, what the Swift package links) through
              ctypes; --coretype sets OPENBLAS_CORETYPE before it loads, e.g. to the kernel
              nn-bench reports, since the Swift side overrides OpenBLAS's fallback the same
              way (see Sources/MatrixCore/BLASKernel.swift).

Prints one JSON line: gflops (best), median_gflops, size, repeats, threads, kernel, lib.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import w1_common as c  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--threads", type=int, default=1)
p.add_argument("--size", type=int, default=2048)
p.add_argument("--repeats", type=int, default=10)
p.add_argument("--lib", choices=("numpy", "system"), default="numpy")
p.add_argument("--coretype", default=None, help="OPENBLAS_CORETYPE for --lib system")
ARGS = p.parse_args()
c.set_thread_env(ARGS.threads)
if ARGS.lib == "system" and ARGS.coretype:
    os.environ["OPENBLAS_CORETYPE"] = ARGS.coretype

import numpy as np  # noqa: E402

CBLAS_ROW_MAJOR, CBLAS_NO_TRANS = 101, 111


def system_sgemm():
    """(multiply(a, b, c), kernel name) through the system OpenBLAS."""
    path = ctypes.util.find_library("openblas") or "libopenblas.so.0"
    lib = ctypes.CDLL(path)
    lib.openblas_set_num_threads(ARGS.threads)
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    f = lib.cblas_sgemm
    f.restype = None
    f.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                  ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                  ctypes.c_float, ctypes.c_void_p, ctypes.c_int]

    def multiply(a, b, out):
        m, k = a.shape
        n = b.shape[1]
        f(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, m, n, k, 1.0,
          a.ctypes.data, k, b.ctypes.data, n, 0.0, out.ctypes.data, n)

    kernel = f"{lib.openblas_get_config().decode()}: {lib.openblas_get_corename().decode()}"
    return multiply, kernel


def numpy_sgemm():
    kernel = "unknown (pip install threadpoolctl)"
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                kernel = f"{info.get('internal_api')} {info.get('version')}: {info.get('architecture')}"
    except ImportError:
        pass
    return (lambda a, b, out: np.matmul(a, b, out=out)), kernel


def main():
    n = ARGS.size
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    multiply, kernel = system_sgemm() if ARGS.lib == "system" else numpy_sgemm()
    multiply(a, b, out)  # warm up (thread pool, page faults)
    check = a[:8] @ b
    assert np.allclose(out[:8], check, rtol=1e-3, atol=1e-2), "SGEMM result disagrees with numpy"
    times = []
    for _ in range(ARGS.repeats):
        t0 = time.perf_counter()
        multiply(a, b, out)
        times.append(time.perf_counter() - t0)
    flops = c.gemm_flops(n, n, n)
    print(json.dumps({"gflops": flops / min(times) / 1e9, "median_gflops": flops / statistics.median(times) / 1e9,
                      "size": n, "repeats": ARGS.repeats, "threads": ARGS.threads,
                      "kernel": kernel, "lib": ARGS.lib}, sort_keys=True))


if __name__ == "__main__":
    main()
