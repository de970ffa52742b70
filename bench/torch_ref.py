"""PyTorch (CPU) side of seqcore's side-by-side benchmarks.

Run by bench/reference.ts with Debian's /usr/bin/python3 and OMP_WAIT_POLICY=PASSIVE.
Reads one JSON request from argv[1]; prints one JSON object with the results, the PyTorch
version, the BLAS library actually loaded and, for OpenBLAS, the core it runs.
"""
import json
import sys
import time

import torch


def blas_loaded():
    with open("/proc/self/maps") as f:
        maps = f.read()
    for name in ("openblas", "mkl", "blis"):
        if name in maps:
            return name
    return "reference-blas" if "libblas" in maps else "unknown"


def timed(fn, seconds):
    """Mean seconds per call over at least `seconds` (after one warm-up call)."""
    fn()
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and n >= 3:
            return dt / n


def gemm(req):
    out = {}
    for m, n, k in req["cases"]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        # validate before timing: float32 product against float64
        err = (torch.mm(a, b).double() - torch.mm(a.double(), b.double())).abs().max().item()
        if err > 1e-3 * k ** 0.5:
            raise SystemExit(f"torch.mm {m}x{n}x{k} is wrong (max error {err})")
        t = timed(lambda: torch.mm(a, b), req["seconds"])
        out[f"{m}x{n}x{k}"] = 2.0 * m * n * k / t / 1e9
    return out


SUITES = {"gemm": gemm}


def main():
    req = json.loads(sys.argv[1])
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    results = SUITES[req["suite"]](req)
    print(json.dumps({"torch": torch.__version__, "blas": blas_loaded(), "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
