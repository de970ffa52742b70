"""The PyTorch reference for `npm run bench -- rec`: the same SASRec and GRU4Rec as seqcore's
(ts/models/sasrec.ts, ts/models/gru4rec.ts) written the way a PyTorch user writes them:
left-padded batches of length 50 with a causal + padding attention mask, pre-LN blocks,
full-softmax cross-entropy over every item at the non-padded positions, AdamW with
gradient-norm clipping. Used by bench/torch_ref.py ({"op": "rec", ...}) or alone:

  /usr/bin/python3 bench/rec_torch.py data/amazon-beauty/Beauty.txt sasrec 50
      prints training sequences/s over 50 steps (after 3 warm-up steps)
"""
import math
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_train(path):
    """Leave-one-out training sequences (all but the last two items of each user) and the item count."""
    seqs, items = [], 1
    with open(path) as f:
        for line in f:
            ids = [int(x) for x in line.split()]
            if len(ids) < 4:
                continue
            s = ids[1:]
            items = max(items, max(s) + 1)
            seqs.append(s[:-2])
    return [s for s in seqs if len(s) >= 2], items


class Block(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-8), nn.LayerNorm(d, eps=1e-8)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ff1, self.ff2 = nn.Linear(d, d), nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = self.ln1(x)
        a, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
        x = x + self.drop(a)
        return x + self.drop(self.ff2(self.drop(F.gelu(self.ff1(self.ln2(x))))))


class SASRec(nn.Module):
    def __init__(self, items, d=64, blocks=2, heads=1, max_len=50, dropout=0.5):
        super().__init__()
        self.items, self.pos = nn.Embedding(items, d), nn.Embedding(max_len, d)
        nn.init.normal_(self.items.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.blocks = nn.ModuleList([Block(d, heads, dropout) for _ in range(blocks)])
        self.norm, self.drop, self.d, self.heads = nn.LayerNorm(d, eps=1e-8), nn.Dropout(dropout), d, heads

    def forward(self, ids, positions):
        B, T = ids.shape
        x = self.drop(self.items(ids) * math.sqrt(self.d) + self.pos(positions))
        pad = ids == 0
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        # a padded query sees itself so no softmax row is empty; its output is never used
        mask = (causal[None] | pad[:, None, :]) & ~torch.eye(T, dtype=torch.bool)[None]
        mask = mask.repeat_interleave(self.heads, 0)
        for b in self.blocks:
            x = b(x, mask)
        return self.norm(x)


class GRU4Rec(nn.Module):
    def __init__(self, items, d=64, layers=1, dropout=0.5):
        super().__init__()
        self.items = nn.Embedding(items, d)
        nn.init.normal_(self.items.weight, std=d ** -0.5)
        self.gru, self.norm, self.drop = nn.GRU(d, d, layers, batch_first=True), nn.LayerNorm(d, eps=1e-8), nn.Dropout(dropout)

    def forward(self, ids, lengths):
        x = self.drop(self.items(ids))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return self.norm(self.drop(out))


def pad(seqs, max_len, left):
    """B×max_len item ids, left-aligned (SASRec) or right-aligned (GRU4Rec), and positions
    aligned to each sequence's end (the newest item at max_len - 1), as seqcore's batches."""
    ids = torch.zeros(len(seqs), max_len, dtype=torch.long)
    pos = torch.zeros(len(seqs), max_len, dtype=torch.long)
    for b, s in enumerate(seqs):
        L = len(s)
        o = max_len - L if left else 0
        ids[b, o:o + L] = torch.tensor(s, dtype=torch.long)
        pos[b, o:o + L] = torch.arange(max_len - L, max_len)
    return ids, pos


def batches(train, users, max_len, kind):
    """Inputs, positions and next-item targets of each user's last max_len + 1 items (pad), and the lengths."""
    wins = [train[u][-(max_len + 1):] for u in users]
    ids, pos = pad([w[:-1] for w in wins], max_len, kind == "sasrec")
    tgt, _ = pad([w[1:] for w in wins], max_len, kind == "sasrec")
    return ids, pos, tgt, torch.tensor([len(w) - 1 for w in wins])


def make(kind, items):
    return SASRec(items) if kind == "sasrec" else GRU4Rec(items)


def step(model, opt, kind, batch):
    ids, pos, tgt, lengths = batch
    h = model(ids, pos) if kind == "sasrec" else model(ids, lengths)
    valid = tgt != 0
    logits = h[valid] @ model.items.weight.T  # only the non-padded positions
    loss = F.cross_entropy(logits, tgt[valid])
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    return loss.item()


def bench(path, kind, steps, batch=128, max_len=50, seed=1):
    """Training sequences per second over `steps` steps after 3 warm-up steps; also the epoch's step count."""
    torch.manual_seed(seed)
    random.seed(seed)
    train, items = read_train(path)
    model = make(kind, items)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0)
    users = list(range(len(train)))
    random.shuffle(users)
    chunks = [users[i:i + batch] for i in range(0, len(users), batch)]
    for c in chunks[:3]:
        step(model, opt, kind, batches(train, c, max_len, kind))
    t0, n = time.perf_counter(), 0
    for c in chunks[3:3 + steps]:
        step(model, opt, kind, batches(train, c, max_len, kind))
        n += len(c)
    return {"seqs_per_s": n / (time.perf_counter() - t0), "train_users": len(train)}


if __name__ == "__main__":
    r = bench(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(f"{sys.argv[2]}: {r['seqs_per_s']:.0f} sequences/s, epoch of {r['train_users']} sequences = {r['train_users'] / r['seqs_per_s']:.1f} s")
