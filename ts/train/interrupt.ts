// How a training loop notices Ctrl-C. The signal handler is a macrotask; on the cpu backend a
// training step resolves through microtasks only, so a loop that never yields to the event
// loop never lets the handler run (seen: `rec train` ignored SIGINT). Every loop asks here
// after each step, and checkpoints a periodic snapshot so that a SIGKILL loses at most
// `CHECKPOINT_SECONDS` of work.

/** Yields to the event loop (pending signal handlers run), then asks `shouldStop`. */
export async function stopRequested(shouldStop?: () => boolean): Promise<boolean> {
  await new Promise((r) => setImmediate(r));
  return shouldStop?.() ?? false;
}

/** Seconds between mid-epoch checkpoints of a long epoch (a checkpoint also ends each epoch). */
export const CHECKPOINT_SECONDS = 600;

/** True once every `seconds` (from construction or the last true). */
export function every(seconds: number): () => boolean {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < seconds * 1000) return false;
    last = now;
    return true;
  };
}
