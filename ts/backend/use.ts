import { getBackend, setBackend, startBackend } from './backend.js';

/**
 * Runs fn with `name` as the default backend (tensors created without one land there),
 * starting it first (registerStarter), then restores the previous default. No name: as is.
 */
export async function onBackend<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (name === undefined) return fn();
  await startBackend(name);
  const previous = getBackend();
  setBackend(name);
  try {
    return await fn();
  } finally {
    setBackend(previous.name);
  }
}
