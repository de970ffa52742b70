"""Loads a GRU that seqcore saved (test/safetensors.test.ts) into torch.nn.GRU and runs it.

Reads the files by the safetensors format's definition alone (an 8-byte little-endian header
length, a JSON header, raw little-endian data): Debian has no safetensors package. The model
file holds the state dict and, in __metadata__, the GRU's sizes; the inputs file holds x
(T, B, E) and seqcore's output y (T, B, H). Prints one JSON line: the max |torch - seqcore|.
usage: /usr/bin/python3 test/torch_load_gru.py MODEL.safetensors INPUTS.safetensors
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32}


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[t["dtype"]])
        tensors[name] = flat.reshape(t["shape"])
    return tensors, meta


def main():
    state, meta = read(sys.argv[1])
    inputs, _ = read(sys.argv[2])
    gru = torch.nn.GRU(int(meta["input_size"]), int(meta["hidden_size"]), num_layers=int(meta["num_layers"]))
    gru.load_state_dict(state, strict=True)  # every name and shape must match torch's
    with torch.no_grad():
        y, _ = gru(inputs["x"])
    print(json.dumps({"maxError": (y - inputs["y"]).abs().max().item(), "params": sorted(state)}))


if __name__ == "__main__":
    main()
