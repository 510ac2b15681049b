// TOML for containers' config files (storage.conf, containers.conf, registries.conf and
// their drop-ins), parsed once per content. Every command reads the same few files, and
// a distribution's /usr/share/containers/containers.conf (24 KB, nearly all comments)
// takes ~2.5 ms to parse in a fresh process. The parsed table is kept as JSON in the
// user's cache directory under the text it came from (storage/content-cache.ts), so an
// edited file is simply a new entry. Tables JSON cannot carry exactly (a TOML date, inf, nan) are not kept, and
// neither are syntax errors: the parser throws those every time. The cache is only an
// accelerator: anything wrong with it means parsing the text.
import { parse } from 'smol-toml';
import { contentCacheDir, contentKey, readCachedJson, writeCachedJson } from './content-cache.js';

export type TomlTable = Record<string, unknown>;

export function tomlCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return contentCacheDir('toml', env);
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

/** Parse TOML text (smol-toml's errors are thrown as they are). */
export function parseTomlCached(text: string, dir: string = tomlCacheDir()): TomlTable {
  const key = contentKey(text);
  const cached = readCachedJson(dir, key, asTable);
  if (typeof cached === 'object' && cached !== null && !Array.isArray(cached)) return cached as TomlTable;
  const table = parse(text) as TomlTable;
  if (jsonExact(table)) writeCachedJson(dir, key, table);
  return table;
}
