// storage/random.ts (ids and names without node:crypto) and storage/fast-hash.ts +
// storage/content-cache.ts (cache names that need not be cryptographic because an entry
// is only used for exactly the input it was made from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from '../../storage/random.js';
import { fastHash64 } from '../../storage/fast-hash.js';
import { contentKey, readCachedJson, writeCachedJson } from '../../storage/content-cache.js';

test('randomBytes: the length asked for, never the same bytes twice, across pool refills', () => {
  const seen = new Set<string>();
  for (const n of [1, 6, 17, 32, 44, 600, 32, 32]) {
    const b = randomBytes(n);
    assert.equal(b.length, n);
    if (n >= 16) {
      assert.ok(!seen.has(b.toString('hex')), 'repeated bytes');
      seen.add(b.toString('hex'));
    }
  }
  // Roughly uniform: 64 KiB of bytes has every value, none more than twice its share.
  const counts = new Array<number>(256).fill(0);
  for (const v of randomBytes(65536)) counts[v] = (counts[v] ?? 0) + 1;
  assert.ok(Math.min(...counts) > 0 && Math.max(...counts) < 512, `skewed: ${Math.min(...counts)}..${Math.max(...counts)}`);
});

test('randomInt: always in [0, max), every value reachable, bad bounds refused', () => {
  const hits = new Array<number>(7).fill(0);
  for (let i = 0; i < 7000; i++) {
    const v = randomInt(7);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 7, String(v));
    hits[v] = (hits[v] ?? 0) + 1;
  }
  assert.ok(hits.every((h) => h > 700), hits.join(','));
  assert.equal(randomInt(1), 0);
  for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) assert.throws(() => randomInt(bad), RangeError, String(bad));
});

test('fastHash64: pinned values, 16 hex digits, sensitive to every position', () => {
  // Pinned (checked against an independent Python model of the same function) so that a
  // change of it, which renames every cache entry, is deliberate.
  assert.deepEqual(['', 'a', 'rrun', 'x'.repeat(1000)].map(fastHash64), ['ab3e7c0b0578ab1b', '2a6818199be25ec9', 'fe9761a96db54277', 'cda0b4b6ce24b08c']);
  const base = 'abcdefghijklmnopqrstuvwxyz';
  const names = new Set<string>();
  for (let i = 0; i < base.length; i++) names.add(fastHash64(base.slice(0, i) + 'A' + base.slice(i + 1)));
  names.add(fastHash64(base));
  assert.equal(names.size, base.length + 1);
});

test('content cache: an entry serves only its own input, even under the same file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrun-cc-'));
  try {
    const key = contentKey('profile text', 'CAP_A,CAP_B');
    assert.notDeepEqual(contentKey('ab', 'c'), contentKey('a', 'bc'), 'inputs are length-prefixed');
    assert.equal(readCachedJson(dir, key), undefined);
    writeCachedJson(dir, key, { v: 1 });
    assert.deepEqual(readCachedJson(dir, key), { v: 1 });
    // Another input whose name collides: the stored input differs, so it is a miss.
    const impostor = { name: key.name, input: `${key.input}!` };
    assert.equal(readCachedJson(dir, impostor), undefined);
    // A long input is named by its length and both ends: a change in the middle keeps the
    // name and is still told apart by the stored input.
    const long = 'x'.repeat(10_000);
    const k1 = contentKey(long);
    const k2 = contentKey(`${long.slice(0, 5000)}y${long.slice(5001)}`);
    assert.equal(k1.name, k2.name);
    writeCachedJson(dir, k1, 'one');
    assert.equal(readCachedJson(dir, k2), undefined);
    writeCachedJson(dir, k2, 'two');
    assert.equal(readCachedJson(dir, k2), 'two');
    assert.equal(readCachedJson(dir, k1), undefined, 'replaced, not confused');
    // Damaged or foreign files are misses too.
    writeFileSync(join(dir, `${key.name}.json`), '{"value": {"v": 2}}');
    assert.equal(readCachedJson(dir, key), undefined);
    writeFileSync(join(dir, `${key.name}.json`), '{trunc');
    assert.equal(readCachedJson(dir, key), undefined);
    assert.ok(readdirSync(dir).every((f) => f.endsWith('.json')), 'no temporary files left');
    assert.match(readFileSync(join(dir, `${k2.name}.json`), 'utf8'), /"input":/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
