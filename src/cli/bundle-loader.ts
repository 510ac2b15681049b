// Loads one of the CLI's bundles (self-contained CommonJS files under dist/cli/) through
// V8's code cache. Node 20 compiles every start from source — ~15 ms for the `run` verb's
// half megabyte — unless handed the cache V8 produced last time. The cache is made once
// per bundle build, at the end of the first command that used the bundle (so it holds the
// functions that command compiled, not only the top level), and kept in the user's cache
// directory. It is only an accelerator: any problem with it means compiling from source.
// Node built-ins only (and a tiny hash, bundled in): this runs before anything else, and
// node:crypto alone would cost ~4 ms.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { fastHash64 } from '../../storage/fast-hash.js';

function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(process.env['HOME'] || homedir(), '.cache');
  return join(base, 'rrun', 'code-cache');
}

/**
 * The cache file for a bundle. V8 checks its own version, flags and the source's length,
 * not the content, so the bundle's size and mtime are part of the name: a rebuilt bundle
 * never meets a cache made from the previous build. Stale files of the same bundle path
 * are removed when a new one is written.
 */
function cacheFile(bundle: string): { dir: string; prefix: string; file: string } {
  const st = statSync(bundle);
  const dir = cacheDir();
  // Per checkout too: two installs sharing a HOME must not keep replacing each other's cache.
  const where = fastHash64(bundle).slice(0, 12);
  const prefix = `${basename(bundle, '.cjs')}.${where}.`;
  return { dir, prefix, file: join(dir, `${prefix}${st.size}.${Math.trunc(st.mtimeMs)}.${process.version}.bin`) };
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Write the cache atomically at exit and drop this bundle's stale caches. Best effort. */
function writeCacheAtExit(script: Script, where: { dir: string; prefix: string; file: string }): void {
  process.once('exit', () => {
    try {
      const data = script.createCachedData();
      mkdirSync(where.dir, { recursive: true, mode: 0o700 });
      const tmp = `${where.file}.${process.pid}.tmp`;
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, where.file);
      for (const name of readdirSync(where.dir)) {
        const path = join(where.dir, name);
        if (name.startsWith(where.prefix) && path !== where.file && !name.endsWith('.tmp')) unlinkSync(path);
      }
    } catch {
      // no cache this time: the next start compiles from source again
    }
  });
}

/** Evaluate a CommonJS bundle and return its exports. */
export function loadBundle<T>(bundle: string): T {
  const source = readFileSync(bundle, 'utf8');
  let where: ReturnType<typeof cacheFile> | undefined;
  try {
    where = cacheFile(bundle);
  } catch {
    where = undefined;
  }
  const cachedData = where === undefined ? undefined : readCache(where.file);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: bundle, ...(cachedData !== undefined ? { cachedData } : {}) });
  if (where !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) writeCacheAtExit(script, where);
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  const mod = { exports: {} as unknown };
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  return mod.exports as T;
}
