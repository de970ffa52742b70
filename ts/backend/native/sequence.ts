import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import { attentionLayoutFloats } from '../workspace.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerSequence(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    gruWorkspaceFloats: (layers, total, hidden, save, dropout) => native.gruWorkspaceFloats(layers, total, hidden, save, dropout),
    packPadded(padded, layout, packed) {
      native.packPadded(sid(padded), padded.shape[1]!, rowsCols(packed)[1], layout.batchSizes, layout.sortedIndices, sid(packed));
    },
    unpackPadded(packed, layout, padded) {
      native.unpackPadded(sid(packed), padded.shape[1]!, rowsCols(packed)[1], layout.batchSizes, layout.sortedIndices, sid(padded));
    },
    gruForward(x, w, h0, layout, dropout, seed, save, ws, out, hn) {
      const L = w.wIh.length,
        H = w.wHh[0]!.shape[1]!;
      native.gruForward(
        sid(x),
        x.shape[1]!,
        H,
        L,
        w.wIh.map(sid),
        w.wHh.map(sid),
        w.bIh.map(sid),
        w.bHh.map(sid),
        h0 && sid(h0),
        layout.batchSizes,
        layout.sortedIndices,
        dropout,
        seed,
        save,
        sid(ws),
        sid(out),
        sid(hn),
      );
    },
    gruBackward(x, w, h0, layout, dropout, ws, out, dout, dhn, dx, dw, dh0) {
      const L = w.wIh.length,
        H = w.wHh[0]!.shape[1]!;
      native.gruBackward(
        sid(x),
        x.shape[1]!,
        H,
        L,
        w.wIh.map(sid),
        w.wHh.map(sid),
        h0 && sid(h0),
        layout.batchSizes,
        layout.sortedIndices,
        dropout,
        sid(ws),
        sid(out),
        dout && sid(dout),
        dhn && sid(dhn),
        dx && sid(dx),
        dw.wIh.map(sid),
        dw.wHh.map(sid),
        dw.bIh.map(sid),
        dw.bHh.map(sid),
        dh0 && sid(dh0),
      );
    },
  });

  registerKernels(backend, {
    attentionProbFloats: attentionLayoutFloats,
    attention(qkv, layout, heads, causal, dropout, seed, out, probs) {
      native.attention(sid(qkv), out.shape[1]!, heads, causal, layout.batchSizes, layout.sortedIndices, dropout, seed, sid(out), sid(probs));
    },
    attentionGrad(qkv, probs, dout, layout, heads, causal, dropout, seed, dqkv) {
      native.attentionGrad(sid(qkv), sid(probs), sid(dout), dout.shape[1]!, heads, causal, layout.batchSizes, layout.sortedIndices, dropout, seed, sid(dqkv));
    },
  });
}
