// Small values derived from file contents (parsed config TOML, compiled seccomp filters),
// kept as JSON in the user's cache directory under a name computed from what they were
// derived from, so a changed input is simply a new entry. Only an accelerator: a missing,
// damaged or unwritable entry means computing the value again.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~/.cache/rrun/<kind>` (or under $XDG_CACHE_HOME). */
export function contentCacheDir(kind: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'rrun', kind);
}

/** The entry name for these inputs: SHA-256 over them, each length-prefixed. */
export function contentKey(...inputs: readonly string[]): string {
  const h = createHash('sha256');
  for (const i of inputs) h.update(`${Buffer.byteLength(i)}:`).update(i);
  return h.digest('hex');
}

export function readCachedJson(dir: string, key: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'), reviver);
  } catch {
    return undefined;
  }
}

/** Atomic (temporary file + rename), best effort. */
export function writeCachedJson(dir: string, key: string, value: unknown): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // no cache this time
  }
}
