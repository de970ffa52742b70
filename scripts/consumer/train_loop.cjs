// The few training steps both JavaScript consumers run, given the seqcore they loaded (by
// import in train.mjs, by require in train.cjs): a small GRU whose loss must go down.
module.exports = function train(seqcore, label) {
  const { Adam, backward, GRU, manualSeed, ops, PackedLayout, tensor, tidy } = seqcore;
  manualSeed(1);
  const layout = PackedLayout.fromLengths([6, 4, 3, 1]);
  const gru = new GRU(8, 16);
  const opt = new Adam(gru.parameters(), { lr: 0.05 });
  const x = tensor(
    Float32Array.from({ length: layout.total * 8 }, (_, i) => Math.sin(i)),
    [layout.total, 8],
  ).keep();
  const losses = [];
  for (let step = 0; step < 10; step++) {
    losses.push(
      tidy(() => {
        const out = gru.forward(x, layout).output;
        const loss = ops.mean(ops.mul(out, out));
        backward(loss);
        return loss.item();
      }),
    );
    opt.step();
    opt.zeroGrad();
  }
  if (!(losses.at(-1) < losses[0])) throw new Error(`${label}: the loss did not go down: ${losses.join(', ')}`);
  console.log(`${label}: loss ${losses[0].toFixed(4)} → ${losses.at(-1).toFixed(4)} in ${losses.length} steps`);
};
