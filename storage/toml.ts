// TOML for containers' config files (storage.conf, containers.conf, registries.conf and
// their drop-ins), parsed once per content. Every command reads the same few files, and
// a distribution's /usr/share/containers/containers.conf (24 KB, nearly all comments)
// takes ~2.5 ms to parse in a fresh process. The parsed table is kept as JSON in the
// user's cache directory, named by the SHA-256 of the text, so an edited file is simply a
// new entry. Tables JSON cannot carry exactly (a TOML date, inf, nan) are not kept, and
// neither are syntax errors: the parser throws those every time. The cache is only an
// accelerator: anything wrong with it means parsing the text.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';

export type TomlTable = Record<string, unknown>;

export function tomlCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'rrun', 'toml');
}

/** Only strings, finite numbers, booleans, arrays and tables survive JSON unchanged. */
function jsonExact(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(jsonExact);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null) return Object.values(v).every(jsonExact);
  return false;
}

/** smol-toml's tables have no prototype (a key named `constructor` is just a key): so do ours. */
const asTable = (_key: string, v: unknown): unknown =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.assign(Object.create(null) as TomlTable, v) : v;

function readCached(file: string): TomlTable | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'), asTable);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as TomlTable) : undefined;
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, file: string, table: TomlTable): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(table), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // no cache this time
  }
}

/** Parse TOML text (smol-toml's errors are thrown as they are). */
export function parseTomlCached(text: string, dir: string = tomlCacheDir()): TomlTable {
  const file = join(dir, `${createHash('sha256').update(text).digest('hex')}.json`);
  const cached = readCached(file);
  if (cached !== undefined) return cached;
  const table = parse(text) as TomlTable;
  if (jsonExact(table)) writeCached(dir, file, table);
  return table;
}
