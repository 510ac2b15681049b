import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageSchema, layerSchema, parseRecords, type LayerRecord } from '../../storage/records.js';
import { bigDataFileName } from '../../storage/paths.js';
import { nowRfc3339Nano, utcSeconds } from '../../storage/containers.js';

const id = 'f75a9aa7f657d808972afc33b15b69dc3b60f2b7fcb1310b43cb72c48653b22c';

test('records: a real podman layers.json line parses and keeps unknown fields', () => {
  const text = `[{"id":"${id}","created":"2026-11-22T09:49:15.530726205Z","compressed-diff-digest":"sha256:${id}","compressed-size":1996800,"diff-digest":"sha256:${id}","diff-size":1996800,"uidset":[0],"gidset":[0],"future-field":{"x":1}}]`;
  const [layer] = parseRecords<LayerRecord>('layers.json', text, layerSchema);
  assert.equal(layer?.['diff-size'], 1996800);
  assert.deepEqual(layer?.['future-field'], { x: 1 });
});

test('records: empty file is an empty store, as c/storage reads it', () => {
  assert.deepEqual(parseRecords('layers.json', '', layerSchema), []);
});

const bad: [string, string, RegExp][] = [
  ['truncated', `[{"id":"${id}","names":["a"`, /images\.json.*JSON/],
  ['not an array', `{"id":"${id}"}`, /expected a JSON array/],
  ['record not an object', `[1]`, /record 0 is not an object/],
  ['names not strings', `[{"id":"${id}","names":[1]}]`, /field "names" must be strings/],
  ['layer not a string', `[{"id":"${id}","layer":7}]`, /field "layer" must be string/],
  ['bad sizes map', `[{"id":"${id}","big-data-sizes":{"a":"1"}}]`, /field "big-data-sizes"/],
  ['short id', `[{"id":"abc"}]`, /64 lowercase hex/],
];
for (const [name, text, re] of bad) {
  test(`records: ${name} → ERR_STORE_CORRUPT naming the file`, () => {
    assert.throws(() => parseRecords('/s/overlay-images/images.json', text, imageSchema), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_STORE_CORRUPT');
      assert.match(err.message, /\/s\/overlay-images\/images\.json/);
      assert.match(err.message, re);
      return true;
    });
  });
}

test('big-data file names as podman writes them', () => {
  assert.equal(bigDataFileName('manifest'), 'manifest');
  assert.equal(
    bigDataFileName('sha256:6ebf408a982a03e648238c429a81d1c3a52593462d70f572615bece13e4ae46f'),
    '=c2hhMjU2OjZlYmY0MDhhOTgyYTAzZTY0ODIzOGM0MjlhODFkMWMzYTUyNTkzNDYyZDcwZjU3MjYxNWJlY2UxM2U0YWU0NmY=',
  );
  assert.equal(
    bigDataFileName('manifest-sha256:bbb241f0d6a40ac986e9b4f9885c666a0556f5a9bb49def0da3c5fa35e2d71ce'),
    '=bWFuaWZlc3Qtc2hhMjU2OmJiYjI0MWYwZDZhNDBhYzk4NmU5YjRmOTg4NWM2NjZhMDU1NmY1YTliYjQ5ZGVmMGRhM2M1ZmEzNWUyZDcxY2U=',
  );
});

test('record timestamps: RFC 3339 in UTC with nanoseconds, as Date would print them', () => {
  const edges = [0, 951782400, 951868799, 4107542400, 1709164800, 253402300799, 1795359027].map((s) => s * 1000 + 123);
  const rng = (i: number): number => Math.floor(Math.abs(Math.sin(i + 1) * 1e13)) % 253402300799000;
  for (const wall of [...edges, ...Array.from({ length: 2000 }, (_, i) => rng(i))]) {
    const secs = Math.floor(wall / 1000);
    assert.equal(`${utcSeconds(secs)}Z`, new Date(secs * 1000).toISOString().replace('.000Z', 'Z'), String(wall));
  }
  assert.equal(nowRfc3339Nano(456_789n, 1795359027123), '2026-11-22T14:50:27.123456789Z');
  assert.equal(nowRfc3339Nano(0n, 1795359027000), '2026-11-22T14:50:27Z');
  assert.equal(nowRfc3339Nano(5_000n, 1795359027100), '2026-11-22T14:50:27.100005Z');
});
