"""PyTorch on the GPU: the reference side of bench/device/cuda_bench.ts (the CUDA device check)
and of bench/device/gru_persistent.ts (the persistent GRU benchmark).

torch.matmul n x n x n and torch.nn.GRU (cuDNN) on the workloads of bench/torch_ref.py (W1-W4 by
default; S1, S1c, S1i on request), in fp32 and with TF32 allowed (torch.backends.cuda.matmul.allow_tf32
for the matmuls, torch.backends.cudnn.allow_tf32 for cuDNN's GRU), and on request bf16: the
matmul with torch.set_float32_matmul_precision("medium") (fp32 in and out, bfloat16 allowed
inside), the GRU with fp32 weights and the forward under torch.autocast(dtype=torch.bfloat16)
(its line says the dtype the GRU ran in). Validate, then time: each matmul is first checked against
float64 on the same device. Each measurement is the median of `--repeats` runs of
torch_ref.timed (a warm-up call, then calls until `--seconds` and at least 3, the device
synchronised before the clock starts and stops). Prints JSON lines:
  {"suite":"torch-info", ...}                     what runs
  {"suite":"validate","case","impl":"torch","against":"float64","maxError","tolerance","ok"}
  {"suite":"gemm-cuda"|"gru-cuda","case","impl":"torch","value","unit","ms"[,"dtype"]}
  {"suite":"gru-cuda","case","impl":"torch","ok":false,"error"}   a case that failed (exit status 1)
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
TOLERANCE = {"fp32": 1e-3, "tf32": 1e-2, "bf16": 8e-2}
PRECISIONS = ("fp32", "tf32", "bf16")


def emit(**line):
    print(json.dumps(line, separators=(",", ":")), flush=True)


def set_precision(precision):
    # bf16: fp32 matmuls may compute in bfloat16 ("medium"), as seqcore's --precision bf16 GEMMs;
    # the GRU then runs under autocast. Set first: it also sets allow_tf32, overridden below.
    torch.set_float32_matmul_precision("medium" if precision == "bf16" else "highest")
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
    bf16 = precision == "bf16"
    shape = args.s1_shape if name.startswith("S1") else None
    w = GruWorkload(name, args.lengths, args.device, shape, torch.bfloat16 if bf16 else None)
    s = median_seconds(w.step, args, sync)
    dtype = {"dtype": w.gru_dtype()} if bf16 else {}
    emit(suite="gru-cuda", case=f"{name} {precision}", impl="torch", value=w.seqs / s, unit="seq/s", ms=1000 * s, **dtype)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--gemm", type=int, default=4096, help="n of the n x n x n matmul; 0: none")
    p.add_argument("--lengths", type=json.loads, required=True, help="W4's and S1c's sequence lengths, a JSON array")
    p.add_argument("--workloads", default="W1,W2,W3,W4", help="of W1-W4, S1, S1c, S1i")
    p.add_argument("--precisions", default="fp32,tf32", help="of " + ", ".join(PRECISIONS))
    p.add_argument("--s1-shape", type=lambda v: tuple(int(n) for n in v.split(",")), help="E,H,LAYERS replacing S1's 512,512,3 (smoke tests)")
    p.add_argument("--seconds", type=float, default=0.25, help="least time of one timed run")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    if set(args.precisions.split(",")) - set(PRECISIONS):
        p.error(f"--precisions: each of {', '.join(PRECISIONS)}")
    cuda = args.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    emit(suite="torch-info", torch=torch.__version__, device=torch.cuda.get_device_name() if cuda else args.device,
         cudnn=torch.backends.cudnn.version() if cuda else None)
    ok = True
    for precision in args.precisions.split(","):
        set_precision(precision)
        if args.gemm and precision in TOLERANCE:
            gemm(args.gemm, precision, args, sync)
        for name in args.workloads.split(","):
            try:
                gru(name, precision, args, sync)
            except Exception as e:  # reported; the other cases still run
                ok = False
                emit(suite="gru-cuda", case=f"{name} {precision}", impl="torch", ok=False, error=f"{type(e).__name__}: {e}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
