// Small values derived from file contents (parsed config TOML, compiled seccomp filters),
// kept as JSON in the user's cache directory under a name computed from what they were
// derived from, so a changed input is simply a new entry. An entry keeps its whole input
// and is used only when that is equal, so the name's hash need not be cryptographic (and
// node:crypto stays unloaded). Only an accelerator: a missing, damaged, foreign or
// unwritable entry means computing the value again.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fastHash64 } from './fast-hash.js';

/** `~/.cache/rrun/<kind>` (or under $XDG_CACHE_HOME). */
export function contentCacheDir(kind: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'rrun', kind);
}

/** What an entry is for: its whole input, and the file name derived from it. */
export interface CacheKey {
  name: string;
  input: string;
}

const ENDS = 256;
const STRIDES = 64;

/** Both ends and evenly spaced characters of the middle: what the name is computed from. */
function sample(input: string): string {
  if (input.length <= 2 * ENDS + STRIDES) return input;
  const step = (input.length - 2 * ENDS) / STRIDES;
  let middle = '';
  for (let i = 0; i < STRIDES; i++) middle += input[ENDS + Math.floor(i * step)];
  return input.slice(0, ENDS) + middle + input.slice(-ENDS);
}

/**
 * The key for these inputs, each length-prefixed (so `ab`,`c` differs from `a`,`bc`). The
 * name hashes the length and a sample of the text, not all of it: a cold JavaScript loop
 * over a whole config file costs more than the cache saves, and two inputs with the same
 * name are told apart by the input the entry keeps (one is a miss, then replaced).
 */
export function contentKey(...inputs: readonly string[]): CacheKey {
  const input = inputs.map((i) => `${i.length}:${i}`).join('');
  return { name: `${fastHash64(sample(input))}-${input.length.toString(16)}`, input };
}

export function readCachedJson(dir: string, key: CacheKey, reviver?: (key: string, value: unknown) => unknown): unknown {
  try {
    const entry: unknown = JSON.parse(readFileSync(join(dir, `${key.name}.json`), 'utf8'), reviver);
    if (typeof entry !== 'object' || entry === null) return undefined;
    const { input, value } = entry as { input?: unknown; value?: unknown };
    return input === key.input ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic (temporary file + rename), best effort. */
export function writeCachedJson(dir: string, key: CacheKey, value: unknown): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${key.name}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ input: key.input, value }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // no cache this time
  }
}
