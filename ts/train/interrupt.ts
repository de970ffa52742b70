// How a training loop notices Ctrl-C. The signal handler is a macrotask; on the cpu backend a
// training step resolves through microtasks only, so a loop that never yields to the event
// loop never lets the handler run (seen: `rec train` ignored SIGINT). Every loop asks here
// after each step, and checkpoints a periodic snapshot so that a SIGKILL loses at most
// `CHECKPOINT_SECONDS` of work.

let loops = 0;

/** Runs a training loop that checkpoints when asked to stop: while one runs, Ctrl-C asks it to stop rather than ending the process. */
export async function checkpointing<T>(loop: () => Promise<T>): Promise<T> {
  loops++;
  try {
    return await loop();
  } finally {
    loops--;
  }
}

/** Whether a training loop would checkpoint on a stop request now (elsewhere nothing is lost by exiting: outputs are written whole). */
export const checkpointingNow = (): boolean => loops > 0;

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
