// JSON config files (`ubp train --config FILE`): an error names the file, and a key the
// command does not know is an error, not a silently ignored typo.
import { isObject, readJson } from '../io/files.js';

export function readConfig(path: string, keys: readonly string[]): Record<string, unknown> {
  const cfg = readJson(path);
  if (!isObject(cfg)) throw new Error(`${path}: expected a JSON object of settings, got ${Array.isArray(cfg) ? 'an array' : JSON.stringify(cfg)}`);
  for (const k of Object.keys(cfg)) if (!keys.includes(k)) throw new Error(`${path}: unknown setting "${k}" (known: ${keys.join(', ')})`);
  return cfg;
}
