"""A quality cross-check for the README's SASRec row: bench/rec_torch.py's PyTorch SASRec
(the same model as seqcore's) trained to convergence under the same protocol as
`seqcore rec table`: leave-one-out on Beauty.txt, full ranking over every item with the
history excluded (the target stays a candidate; ties count against it), AdamW lr 0.002
betas 0.9/0.98, clip 0.5, batch 128, the learning rate halved after every 2 epochs without
a better validation NDCG@10, early stopping after 6, the test scored on the best epoch.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/rec_torch_train.py data/amazon-beauty/Beauty.txt 1
      prints one line per epoch, then the test HR@10 and NDCG@10 of seed 1
"""
import copy
import math
import random
import sys

import torch

import rec_torch


def read_users(path):
    """Every user's full item sequence (Beauty.txt: `uid i1 i2 ...` in time order)."""
    with open(path) as f:
        return [s for s in ([int(x) for x in line.split()][1:] for line in f) if len(s) >= 3]


@torch.no_grad()
def evaluate(model, histories, targets, max_len=50, batch=1024):
    """HR@10 and NDCG@10 of full ranking from the last position of each history."""
    model.eval()
    hits, ndcg = 0.0, 0.0
    for s in range(0, len(histories), batch):
        hs, ts = histories[s:s + batch], targets[s:s + batch]
        ids, pos = rec_torch.pad([h[-max_len:] for h in hs], max_len, left=True)
        scores = model(ids, pos)[:, -1] @ model.items.weight.T
        scores[:, 0] = -math.inf
        t = torch.tensor(ts)
        own = scores[torch.arange(len(ts)), t].clone()
        for b, h in enumerate(hs):
            seen = torch.tensor(sorted(set(h) - {ts[b]}))
            scores[b, seen] = -math.inf
        rank = (scores >= own[:, None]).sum(1) - 1  # the target ties with itself
        hit = rank < 10
        hits += hit.sum().item()
        ndcg += (hit.float() / torch.log2(rank.float() + 2)).sum().item()
    model.train()
    return hits / len(histories), ndcg / len(histories)


def main(path, seed):
    torch.manual_seed(seed)
    random.seed(seed)
    users = read_users(path)
    items = max(max(s) for s in users) + 1
    train = [s[:-2] for s in users]
    trainable = [u for u, s in enumerate(train) if len(s) >= 2]
    valid = ([s[:-2] for s in users], [s[-2] for s in users])
    test = ([s[:-1] for s in users], [s[-1] for s in users])
    model = rec_torch.make("sasrec", items)
    model.train()
    lr = 0.002
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0)
    best, best_epoch, best_state, bad = -1.0, -1, None, 0
    for epoch in range(200):
        random.shuffle(trainable)
        loss = 0.0
        chunks = [trainable[i:i + 128] for i in range(0, len(trainable), 128)]
        for c in chunks:
            loss += rec_torch.step(model, opt, "sasrec", rec_torch.batches(train, c, 50, "sasrec"))
        hr, nd = evaluate(model, *valid)
        if nd > best:
            best, best_epoch, best_state, bad = nd, epoch, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad % 2 == 0:
                lr *= 0.5
                for g in opt.param_groups:
                    g["lr"] = lr
        print(f"epoch {epoch + 1}: loss {loss / len(chunks):.4f}  valid NDCG@10 {nd:.4f} HR@10 {hr:.4f}  (best {best:.4f} at epoch {best_epoch + 1})", flush=True)
        if bad >= 6:
            break
    model.load_state_dict(best_state)
    hr, nd = evaluate(model, *test)
    print(f"seed {seed}: test HR@10 {hr:.4f} NDCG@10 {nd:.4f} (best epoch {best_epoch + 1})", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(2)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
