import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkDtype, checkFloat, checkRank, checkSameBackend, checkSameShape, fail, fmt } from './check.js';

/**
 * Mean cross-entropy of softmax(logits) against int32 class targets, fused: logits (N×C),
 * targets (N); rows whose target equals ignoreIndex count for nothing (mean over the rest).
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, opts: { ignoreIndex?: number } = {}): Tensor {
  const op = 'softmaxCrossEntropy',
    ignore = opts.ignoreIndex ?? -100;
  checkFloat(op, 'logits', logits);
  checkDtype(op, 'targets', targets, 'int32');
  checkRank(op, 'logits', logits, 2);
  checkRank(op, 'targets', targets, 1);
  checkSameBackend(op, logits, targets);
  if (targets.shape[0] !== logits.shape[0]) fail(op, `targets ${fmt(targets.shape)} must have one entry per row of logits ${fmt(logits.shape)}`);
  const loss = alloc(logits, []),
    count = alloc(logits, []),
    lse = alloc(logits, [logits.shape[0]!]);
  kernel('softmaxXent', logits)(logits, targets, lse, loss, count, ignore);
  record(
    op,
    [logits, targets],
    [loss],
    ([g]) => {
      const d = alloc(g!, logits.shape);
      kernel('softmaxXentGrad', g!)(logits, targets, lse, count, g!, d, ignore);
      return [d, null];
    },
    [lse, count],
  );
  return loss;
}

/** Mean squared error over all elements → scalar. */
export function mse(a: Tensor, b: Tensor): Tensor {
  checkFloat('mse', 'a', a);
  checkFloat('mse', 'b', b);
  checkSameShape('mse', a, b);
  checkSameBackend('mse', a, b);
  const out = alloc(a, []);
  kernel('mse', a)(a, b, out);
  record('mse', [a, b], [out], ([g]) => {
    const da = a.requiresGrad ? alloc(g!, a.shape) : null;
    const db = b.requiresGrad ? alloc(g!, b.shape) : null;
    kernel('mseGrad', g!)(a, b, g!, da, db);
    return [da, db];
  });
  return out;
}

/** Mean binary cross-entropy of sigmoid(logits) against targets in [0, 1] (same shapes). */
export function bceWithLogits(logits: Tensor, targets: Tensor): Tensor {
  checkFloat('bceWithLogits', 'logits', logits);
  checkFloat('bceWithLogits', 'targets', targets);
  checkSameShape('bceWithLogits', logits, targets, 'logits', 'targets');
  checkSameBackend('bceWithLogits', logits, targets);
  const out = alloc(logits, []);
  kernel('bceLogits', logits)(logits, targets, out);
  record('bceWithLogits', [logits, targets], [out], ([g]) => {
    const d = alloc(g!, logits.shape);
    kernel('bceLogitsGrad', g!)(logits, targets, g!, d);
    return [d, null];
  });
  return out;
}

/** Cosine similarity of matching rows: a, b (..., D) → (...); norms clamped below by eps. */
export function cosineSimilarity(a: Tensor, b: Tensor, eps = 1e-8): Tensor {
  checkFloat('cosineSimilarity', 'a', a);
  checkFloat('cosineSimilarity', 'b', b);
  checkSameShape('cosineSimilarity', a, b);
  checkSameBackend('cosineSimilarity', a, b);
  if (a.rank < 1) fail('cosineSimilarity', `inputs must have rank ≥ 1, got ${fmt(a.shape)}`);
  const out = alloc(a, a.shape.slice(0, -1));
  kernel('cosine', a)(a, b, out, eps);
  record('cosineSimilarity', [a, b], [out], ([g]) => {
    const da = a.requiresGrad ? alloc(g!, a.shape) : null;
    const db = b.requiresGrad ? alloc(g!, b.shape) : null;
    kernel('cosineGrad', g!)(a, b, g!, da, db, eps);
    return [da, db];
  });
  return out;
}
