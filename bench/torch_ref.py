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


def timed(fn, seconds, sync=lambda: None):
    """Mean seconds per call over at least `seconds` and 3 calls, after one warm-up call;
    `sync` waits for queued device work (torch.cuda.synchronize) before the clock starts
    and before it stops, as bench/gru_workloads.ts's time() does."""
    fn()
    sync()
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        if time.perf_counter() - t0 >= seconds and n >= 3:
            sync()
            return (time.perf_counter() - t0) / n


def gemm(req):
    m, n, k = req["case"]
    a, b = torch.randn(m, k), torch.randn(k, n)
    # validate before timing: float32 product against float64
    err = (torch.mm(a, b).double() - torch.mm(a.double(), b.double())).abs().max().item()
    if err > 1e-3 * k ** 0.5:
        raise RuntimeError(f"torch.mm {m}x{n}x{k} is wrong (max error {err})")
    return 2.0 * m * n * k / timed(lambda: torch.mm(a, b), req["seconds"]) / 1e9


def gelu(req):
    """torch.nn.functional.gelu (the erf form) over n floats, forward or backward: G elements/s."""
    x, dy = 2 * torch.randn(req["n"]), torch.randn(req["n"])
    if req["pass"] == "forward":
        fn = lambda: torch.nn.functional.gelu(x)
    else:
        fn = lambda: torch.ops.aten.gelu_backward(dy, x)
    return req["n"] / timed(fn, req["seconds"]) / 1e9


# (input size, hidden size, layers) of a GRU stack: the workloads' shapes (bench/gru_workloads.ts)
W_SHAPE, S1_SHAPE = (64, 256, 1), (512, 512, 3)
# training workloads: shape and lengths; None: the lengths given, packed (pack_padded_sequence)
TRAINING = {"W1": (W_SHAPE, [64] * 256), "W4": (W_SHAPE, None), "S1": (S1_SHAPE, [128] * 256), "S1c": (S1_SHAPE, None)}
# inference workloads: shape, batch, length
INFERENCE = {"W3": (W_SHAPE, 1024, 64), "S1i": (S1_SHAPE, 256, 128)}


class GruWorkload:
    """The workloads of bench/gru_workloads.ts (W1-W4, and System 1's S1, S1c, S1i), with
    torch.nn.GRU (time-major input), on `device` (bench/device/torch_cuda.py: cuda, where
    torch.nn.GRU runs cuDNN). `lengths`: W4's and S1c's; `shape` replaces the workload's
    (E, H, layers) (smoke tests); `autocast`: a dtype the forward runs under torch.autocast
    with (torch.bfloat16), on the device's type, or None."""

    def __init__(self, name, lengths, device="cpu", shape=None, autocast=None):
        torch.manual_seed(1)
        self.name, self.packed = name, False
        self.autocast = lambda: torch.autocast(device_type=torch.device(device).type, dtype=autocast, enabled=autocast is not None)
        if name in TRAINING:
            default, fixed = TRAINING[name]
            E, H, L = shape or default
            lengths = fixed or lengths
            self.gru = torch.nn.GRU(E, H, num_layers=L).to(device)
            self.opt = torch.optim.Adam(self.gru.parameters(), lr=1e-3)
            B, T = len(lengths), max(lengths)
            self.seqs = B
            self.x = torch.randn(T, B, E, device=device)
            self.lengths = torch.tensor(lengths)  # pack_padded_sequence takes them on the cpu
            self.packed = fixed is None
        elif name == "W2":
            E, H = W_SHAPE[:2]
            V, B, T = 20000, 128, 32
            self.seqs = B
            self.emb = torch.nn.Embedding(V, E).to(device)
            self.enc, self.dec = torch.nn.GRU(E, H).to(device), torch.nn.GRU(E, H).to(device)
            self.head = torch.nn.Linear(H, V).to(device)
            params = [*self.emb.parameters(), *self.enc.parameters(), *self.dec.parameters(), *self.head.parameters()]
            self.opt = torch.optim.Adam(params, lr=1e-3)
            self.tokens = torch.randint(3, V, (T, B), device=device)
            self.prev = torch.cat([torch.ones(1, B, dtype=torch.long, device=device), self.tokens[:-1]])
            self.loss = torch.nn.CrossEntropyLoss()
        elif name in INFERENCE:
            default, B, T = INFERENCE[name]
            E, H, L = shape or default
            self.gru = torch.nn.GRU(E, H, num_layers=L).to(device).eval()
            self.seqs = B
            self.x = torch.randn(T, B, E, device=device)
        else:
            raise ValueError(f"unknown workload {name}")

    def gru_dtype(self):
        """The dtype the GRU's output has under this workload's autocast: under bfloat16,
        PyTorch's cuDNN RNN autocast wrapper runs float16 (aten/src/ATen/cudnn/AutocastRNN.cpp)."""
        gru = self.enc if self.name == "W2" else self.gru
        x = torch.zeros(1, 1, gru.input_size, device=next(gru.parameters()).device)
        with torch.no_grad(), self.autocast():
            return str(gru(x)[0].dtype).split(".")[-1]

    def step(self):
        if self.name in TRAINING:
            x = self.x
            if self.packed:
                x = torch.nn.utils.rnn.pack_padded_sequence(x, self.lengths, enforce_sorted=False)
            with self.autocast():
                out, _ = self.gru(x)
                if self.packed:
                    out = out.data
                loss = out.mean()
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
        elif self.name == "W2":
            with self.autocast():
                _, hn = self.enc(self.emb(self.tokens))
                out, _ = self.dec(self.emb(self.prev), hn)
                logits = self.head(out)
                loss = self.loss(logits.reshape(-1, logits.shape[-1]), self.tokens.reshape(-1))
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
        else:
            with torch.no_grad(), self.autocast():
                self.gru(self.x)


_workloads = {}


def gru(req):
    """Seconds per step of one workload (built once per process)."""
    key = req["case"]
    if key not in _workloads:
        _workloads[key] = GruWorkload(key, req.get("lengths") or [64] * 256)
    return timed(_workloads[key].step, req["seconds"])


def rec(req):
    import rec_torch
    return rec_torch.bench(req["data"], req["model"], req["steps"])["seqs_per_s"]


SUITES = {"gemm": gemm, "gru": gru, "rec": rec, "gelu": gelu}


def peak_rss(name, lengths, steps):
    """Peak resident memory (MiB) of a fresh process running `steps` steps of one workload."""
    import resource
    w = GruWorkload(name, lengths)
    for _ in range(steps):
        w.step()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    if sys.argv[1] == "--rss":  # --rss THREADS NAME STEPS [LENGTHS_JSON]
        torch.set_num_threads(int(sys.argv[2]))
        lengths = json.loads(sys.argv[5]) if len(sys.argv) > 5 else [64] * 256
        print(json.dumps({"rss": peak_rss(sys.argv[3], lengths, int(sys.argv[4]))}))
        return
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
