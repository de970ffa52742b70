"""PyTorch (CPU) side of seqcore's side-by-side benchmarks.

Run by bench/reference.ts with Debian's /usr/bin/python3 and OMP_WAIT_POLICY=PASSIVE. It
prints one JSON line describing itself (PyTorch version, the BLAS actually loaded, threads),
then answers one JSON request per input line with one JSON line: {"value": ...} or
{"error": ...}. Keeping one process lets the benchmark alternate seqcore and PyTorch case
by case, so both see the same machine.
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
    m, n, k = req["case"]
    a, b = torch.randn(m, k), torch.randn(k, n)
    # validate before timing: float32 product against float64
    err = (torch.mm(a, b).double() - torch.mm(a.double(), b.double())).abs().max().item()
    if err > 1e-3 * k ** 0.5:
        raise RuntimeError(f"torch.mm {m}x{n}x{k} is wrong (max error {err})")
    return 2.0 * m * n * k / timed(lambda: torch.mm(a, b), req["seconds"]) / 1e9


SUITES = {"gemm": gemm}


def main():
    torch.set_num_threads(int(sys.argv[1]))
    torch.manual_seed(0)
    torch.mm(torch.randn(64, 64), torch.randn(64, 64))  # load the BLAS before reporting it
    print(json.dumps({"torch": torch.__version__, "blas": blas_loaded(), "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            print(json.dumps({"value": SUITES[req["suite"]](req)}), flush=True)
        except Exception as e:  # reported to the benchmark, which prints it
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main()
