"""PyTorch on the GPU: the reference side of bench/device/cuda_bench.ts (the CUDA device check).

torch.matmul n x n x n and torch.nn.GRU (cuDNN) on the workloads W1-W4 of bench/torch_ref.py,
in fp32 and with TF32 allowed (torch.backends.cuda.matmul.allow_tf32 for the matmuls,
torch.backends.cudnn.allow_tf32 for cuDNN's GRU). Validate, then time: each matmul is first
checked against float64 on the same device. Each measurement is the median of `--repeats`
runs of torch_ref.timed (a warm-up call, then calls until `--seconds` and at least 3, the
device synchronised before the clock starts and stops). Prints JSON lines:
  {"suite":"torch-info", ...}                     what runs
  {"suite":"validate","case","impl":"torch","against":"float64","maxError","tolerance","ok"}
  {"suite":"gemm-cuda"|"gru-cuda","case","impl":"torch","value","unit","ms"}
--device cpu with a small --gemm runs the same code where there is no GPU (a smoke test).
"""
import argparse
import json
import os
import statistics
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ left in the checkout
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_ref import GruWorkload, timed  # noqa: E402  (bench/torch_ref.py, found through the path above)

# max |C - C64| allowed, times sqrt(K): as bench/device/cuda_bench.ts holds seqcore's GEMM
TOLERANCE = {"fp32": 1e-3, "tf32": 1e-2}


def emit(**line):
    print(json.dumps(line, separators=(",", ":")), flush=True)


def set_precision(precision):
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32


def median_seconds(fn, args, sync):
    return statistics.median(timed(fn, args.seconds, sync) for _ in range(args.repeats))


def gemm(n, precision, args, sync):
    case = f"{n}x{n}x{n} {precision}"
    a, b = torch.randn(n, n, device=args.device), torch.randn(n, n, device=args.device)
    err = (torch.matmul(a, b).double() - torch.matmul(a.double(), b.double())).abs().max().item()
    tol = TOLERANCE[precision] * n ** 0.5
    emit(suite="validate", case=f"gemm {case}", impl="torch", against="float64", maxError=err, tolerance=tol, ok=err <= tol)
    if err > tol:
        return
    c = torch.empty(n, n, device=args.device)
    s = median_seconds(lambda: torch.matmul(a, b, out=c), args, sync)
    emit(suite="gemm-cuda", case=case, impl="torch", value=2.0 * n ** 3 / s / 1e9, unit="GFLOP/s", ms=1000 * s)


def gru(name, precision, args, sync):
    w = GruWorkload(name, args.lengths if name == "W4" else [64] * 256, args.device)
    s = median_seconds(w.step, args, sync)
    emit(suite="gru-cuda", case=f"{name} {precision}", impl="torch", value=w.seqs / s, unit="seq/s", ms=1000 * s)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--gemm", type=int, default=4096, help="n of the n x n x n matmul")
    p.add_argument("--lengths", type=json.loads, required=True, help="W4's sequence lengths, a JSON array")
    p.add_argument("--workloads", default="W1,W2,W3,W4")
    p.add_argument("--precisions", default="fp32,tf32")
    p.add_argument("--seconds", type=float, default=0.25, help="least time of one timed run")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    cuda = args.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    emit(suite="torch-info", torch=torch.__version__, device=torch.cuda.get_device_name() if cuda else args.device,
         cudnn=torch.backends.cudnn.version() if cuda else None)
    for precision in args.precisions.split(","):
        set_precision(precision)
        gemm(args.gemm, precision, args, sync)
        for name in args.workloads.split(","):
            gru(name, precision, args, sync)


if __name__ == "__main__":
    main()
