// The CLI's bundle loader: a bundle's exports, the code cache written at the first exit and
// accepted at the next start, a rebuilt bundle never paired with the old cache, and a
// damaged or unwritable cache that only costs a compile. Each load runs in its own process
// because the cache is written by an exit hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const loader = fileURLToPath(new URL('../../src/cli/bundle-loader.js', import.meta.url));

interface Loaded { answer: number; rejected: boolean | null }

/** Load `bundle` in a fresh node with XDG_CACHE_HOME=cache; its exports plus V8's verdict. */
function load(bundle: string, cache: string): Loaded {
  const probe = `
    import { loadBundle } from ${JSON.stringify(loader)};
    import { Script } from 'node:vm';
    const seen = [];
    const orig = Script.prototype.runInThisContext;
    Script.prototype.runInThisContext = function (...a) { seen.push(this.cachedDataRejected ?? null); return orig.apply(this, a); };
    const m = loadBundle(${JSON.stringify(bundle)});
    process.stdout.write(JSON.stringify({ answer: m.answer(), rejected: seen[0] }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { env: { ...process.env, XDG_CACHE_HOME: cache } });
  return JSON.parse(out.toString()) as Loaded;
}

function writeBundle(file: string, value: number, when: Date): void {
  writeFileSync(file, `"use strict";\nconst fs = require('node:fs');\nexports.answer = () => ${value} + (typeof fs.statSync === 'function' ? 0 : 1000);\n`);
  utimesSync(file, when, when);
}

/** Runs `fn` with a fresh scratch directory, removed afterwards. */
function inScratch(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'rrun-bundle-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a bundle loads, writes its code cache once, and the next start uses it', () => inScratch((dir) => {
  const bundle = join(dir, 'verb.cjs');
  const cache = join(dir, 'cache');
  writeBundle(bundle, 41, new Date(1_700_000_000_000));
  assert.deepEqual(load(bundle, cache), { answer: 41, rejected: null }, 'first start: no cache to offer');
  const files = readdirSync(join(cache, 'rrun', 'code-cache'));
  assert.equal(files.length, 1);
  assert.match(files[0] ?? '', /^verb\.[0-9a-f]{12}\.\d+\.1700000000000\.v\d+/);
  assert.deepEqual(load(bundle, cache), { answer: 41, rejected: false }, 'second start: cache accepted');

  // Rebuilt with the same length: V8 alone would accept the old cache; the name must not match.
  writeBundle(bundle, 42, new Date(1_700_000_100_000));
  assert.deepEqual(load(bundle, cache), { answer: 42, rejected: null });
  const after = readdirSync(join(cache, 'rrun', 'code-cache'));
  assert.equal(after.length, 1, `stale cache removed: ${after.join(', ')}`);
  assert.match(after[0] ?? '', /\.1700000100000\./);

  // A damaged cache is rejected by V8 and replaced; the bundle still runs.
  writeFileSync(join(cache, 'rrun', 'code-cache', after[0] ?? ''), 'garbage');
  assert.deepEqual(load(bundle, cache), { answer: 42, rejected: true });
  assert.deepEqual(load(bundle, cache), { answer: 42, rejected: false });
}));

test('two checkouts of the same bundle keep their own caches', () => inScratch((dir) => {
  const cache = join(dir, 'cache');
  const a = join(dir, 'a/verb.cjs');
  const b = join(dir, 'b/verb.cjs');
  for (const [f, v] of [[a, 1], [b, 2]] as const) {
    mkdirSync(join(f, '..'), { recursive: true });
    writeBundle(f, v, new Date(1_700_000_000_000 + v * 1000));
  }
  load(a, cache);
  load(b, cache);
  assert.equal(readdirSync(join(cache, 'rrun', 'code-cache')).length, 2, 'both kept');
  assert.deepEqual(load(a, cache), { answer: 1, rejected: false });
  assert.deepEqual(load(b, cache), { answer: 2, rejected: false });
}));

test('a cache directory that cannot be made costs only the compile', () => inScratch((dir) => {
  const bundle = join(dir, 'verb.cjs');
  writeBundle(bundle, 7, new Date(1_700_000_000_000));
  writeFileSync(join(dir, 'cache'), 'a file where the cache directory would go'); // ENOTDIR, even for root
  assert.deepEqual(load(bundle, join(dir, 'cache')), { answer: 7, rejected: null });
  assert.deepEqual(load(bundle, join(dir, 'cache')), { answer: 7, rejected: null });
}));
